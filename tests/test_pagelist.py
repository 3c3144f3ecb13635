"""The EPUB's page list: a marker where each page of the PDF begins, found in the PDF's
own layout, so that "page 14" means the same page in both editions."""

from __future__ import annotations

import shutil
import unicodedata
import zipfile

import pdfplumber
import pytest
from lxml import etree

from conftest import NS, ROOT, build_edition

MM = 72 / 25.4
# print.css: `@page { margin: 20mm 18mm 22mm }`; the running heads sit in the top margin
# and the page number in the bottom one, outside the text the page begins with.
TOP, BOTTOM = 20 * MM, 22 * MM


def letters(text: str) -> str:
    """Letters only: leaders, page numbers, note calls, punctuation and the hyphens of
    hyphenation do not count, and case follows CSS (the kicker is set in capitals)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalpha())


def pdf_page_letters(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [letters(page.crop((0, TOP, page.width, page.height - BOTTOM)).extract_text()
                        or "") for page in pdf.pages]


def page_list(built) -> list[tuple[str, str]]:
    nav = built.epub_xml("EPUB/nav.xhtml")
    found = nav.find(".//x:nav[@epub:type='page-list']", NS)
    assert found is not None, "the EPUB has no page list"
    return [(a.get("href"), a.text) for a in found.iterfind(".//x:a", NS)]


def text_after(root: etree._Element, marker: etree._Element) -> str:
    """The document's text from the marker on, without footnote calls and notes."""
    parts: list[str] = []
    started = False

    def walk(el):
        nonlocal started
        started = started or el is marker
        skipped = {"noteref", "notes"} & set((el.get("class") or "").split())
        if skipped:
            return
        if started and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if started and child.tail:
                parts.append(child.tail)

    walk(root)
    return "".join(parts)


def repeated_header(marker: etree._Element) -> str:
    """A page that begins inside a table's body opens with the table's header row, which
    print repeats on every page (the marker is at the first row of the body there)."""
    table = next(marker.iterancestors(f"{{{NS['x']}}}table"), None)
    head = table.find("x:thead", NS) if table is not None else None
    if head is None or head in marker.iterancestors():
        return ""
    return " ".join(head.itertext()) + " "


@pytest.fixture(scope="module")
def sample_single(tmp_path_factory):
    return build_edition(ROOT / "editions" / "sample.toml", tmp_path_factory.mktemp("single"),
                         "--jobs", "1")


@pytest.fixture(scope="module")
def sample_for_print(tmp_path_factory):
    """The sample as an edition for a print shop: its sections open on right-hand pages,
    after a blank page where needed."""
    folder = tmp_path_factory.mktemp("print")
    shutil.copytree(ROOT / "editions", folder / "editions")
    edition = folder / "editions" / "sample.toml"
    edition.write_text(edition.read_text(encoding="utf-8").replace(
        'page_size = "A4"', 'page_size = "A4"\nbleed = "0mm"'), encoding="utf-8")
    return build_edition(edition, folder / "out")


def markers(built):
    """(page label, document name, marker element, document root), in page-list order."""
    documents: dict[str, etree._Element] = {}
    found = []
    for href, label in page_list(built):
        name, _, ident = href.partition("#")
        root = documents.setdefault(name, built.epub_xml(f"EPUB/{name}"))
        marker = root.find(f".//*[@id='{ident}']")
        assert marker is not None, f"{href} leads nowhere"
        found.append((label, name, marker, root))
    return found


@pytest.mark.parametrize("name", ["sample", "corpus", "sample_single", "sample_for_print"])
def test_each_entry_marks_where_its_pdf_page_begins(name, request):
    built = request.getfixturevalue(name)
    pages = pdf_page_letters(built.pdf)
    compared = 0
    for label, document, marker, root in markers(built):
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak"
        assert marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == label
        if document == "cover.xhtml":  # the cover is an image in the EPUB
            continue
        number = int(label)
        while not pages[number - 1]:  # a blank page is marked where the next one begins
            number += 1
        begins = pages[number - 1][:20]
        text = text_after(root, marker)
        following = letters(repeated_header(marker) + text)
        # A word hyphenated across two pages is marked before the word: the page's first
        # letters are then inside the first word after the marker.
        first_word = letters(text.split()[0])
        assert len(begins) == 20 and 0 <= following.find(begins) < max(1, len(first_word)), \
            f"page {label} begins with {begins!r}, the marker in {document} is " \
            f"followed by {following[:40]!r}"
        compared += 1
    assert compared == len(pages) - 1


@pytest.mark.parametrize("name", ["sample", "corpus", "sample_for_print"])
def test_every_page_has_an_entry_in_reading_order(name, request):
    built = request.getfixturevalue(name)
    entries = markers(built)
    with pdfplumber.open(built.pdf) as pdf:
        count = len(pdf.pages)
    assert [label for label, *_ in entries] == [str(n) for n in range(1, count + 1)]
    opf = built.epub_xml("EPUB/content.opf")
    manifest = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", NS)}
    spine = [manifest[r.get("idref")] for r in opf.iterfind(".//opf:itemref", NS)]
    order = []
    for _, document, marker, root in entries:
        position = list(root.iter()).index(marker)
        order.append((spine.index(document), position))
    assert order == sorted(order) and len(set(order)) == len(order)


def test_blank_pages_are_listed_too(sample_for_print):
    pages = pdf_page_letters(sample_for_print.pdf)
    blank = [n for n, text in enumerate(pages, 1) if not text]
    assert blank, "the print edition has blank versos before its sections"
    entries = {label: marker for label, _, marker, _ in markers(sample_for_print)}
    for number in blank:
        assert entries[str(number)].getnext() is entries[str(number + 1)]


def test_front_matter_pages_lead_to_the_front_documents(sample):
    targets = [href for href, _ in page_list(sample)[:4]]
    assert targets == ["cover.xhtml#page-1", "title.xhtml#page-2", "contents.xhtml#page-3",
                       "a001.xhtml#page-4"]
    article = sample.epub_xml("EPUB/a001.xhtml").find(".//x:article", NS)
    assert article[0].get("id") == "page-4", "a page that begins an article is marked first"


def test_one_piece_and_parallel_builds_give_the_same_page_list(sample, sample_single):
    assert page_list(sample) == page_list(sample_single)


def test_page_break_source_names_the_print_edition(corpus):
    meta = corpus.epub_xml("EPUB/content.opf").find("opf:metadata", NS)
    source = meta.findtext("opf:meta[@property='pageBreakSource']", namespaces=NS)
    assert source and "print edition (PDF, A4)" in source
    features = {m.text for m in meta.iterfind(
        "opf:meta[@property='schema:accessibilityFeature']", NS)}
    assert {"pageNavigation", "pageBreakMarkers"} <= features


def test_epub_alone_has_no_page_list(tmp_path):
    built = build_edition(ROOT / "editions" / "sample.toml", tmp_path, "--format", "epub")
    with zipfile.ZipFile(built.epub) as z:
        nav, opf = z.read("EPUB/nav.xhtml").decode(), z.read("EPUB/content.opf").decode()
        documents = [z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml")]
    assert "page-list" not in nav
    assert "pageBreakSource" not in opf and "pageNavigation" not in opf
    assert not any("doc-pagebreak" in text for text in documents)
