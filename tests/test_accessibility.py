"""The EPUB's accessibility: Ace by DAISY finds nothing, and the package says truthfully
what the book offers (EPUB Accessibility 1.1)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageChops

from conftest import (
    FIXTURES,
    GOOD,
    NS,
    ROOT,
    ace_violations,
    build_edition,
    epubcheck_messages,
    write_edition,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PIXEL = (FIXTURES / "hostile" / "pixel.png").read_bytes()


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copytree(FIXTURES / "kinds", folder / "kinds")
    return build_edition(folder / "kinds" / "edition.toml", folder / "out")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile fixture, its traps pointing at nothing (test_security springs them)."""
    folder = tmp_path_factory.mktemp("hostile")
    edition = folder / "edition"
    shutil.copytree(FIXTURES / "hostile", edition)
    for path in edition.rglob("*"):
        if path.suffix in (".md", ".txt", ".svg"):
            text = path.read_text(encoding="utf-8")
            text = (text.replace("{PORT}", "9").replace("{SECRET_PATH}", "/nonexistent/x")
                    .replace("{SECRET_RELATIVE}", "../../nonexistent/x"))
            path.write_text(text, encoding="utf-8")
    (folder / "secret.txt").write_text("secret\n", encoding="utf-8")
    (edition / "articles" / "link-to-secret.png").symlink_to(folder / "secret.txt")
    return build_edition(edition / "edition.toml", folder / "out")


@pytest.fixture(scope="module")
def epub_alone(tmp_path_factory):
    return build_edition(ROOT / "editions" / "sample.toml", tmp_path_factory.mktemp("alone"),
                         "--format", "epub")


@pytest.fixture(scope="module")
def magazine(tmp_path_factory):
    """The sample in the magazine theme (its colours, its drop cap and labels)."""
    folder = tmp_path_factory.mktemp("magazine")
    shutil.copytree(ROOT / "editions" / "sample", folder / "sample")
    text = (ROOT / "editions" / "sample.toml").read_text(encoding="utf-8")
    edition = folder / "magazine.toml"
    edition.write_text(text.replace('page_size = "A4"\n', 'page_size = "A4"\ntheme = "magazine"\n'),
                       encoding="utf-8")
    return build_edition(edition, folder / "out")


@pytest.mark.parametrize("name", ["sample", "magazine", "kinds", "hostile", "epub_alone",
                                  "scripts"])
def test_ace_finds_no_violation(name, request, ace, tmp_path):
    built = request.getfixturevalue(name)
    assert ace_violations(ace, built.epub, tmp_path / "ace") == []


@pytest.mark.parametrize("name", ["kinds", "hostile", "epub_alone", "scripts"])
def test_epubcheck_reports_nothing(name, request):
    assert epubcheck_messages(request.getfixturevalue(name).epub) == []


def metadata(built) -> dict[str, list[str]]:
    meta = built.epub_xml("EPUB/content.opf").find("opf:metadata", NS)
    found: dict[str, list[str]] = {}
    for element in meta.iterfind("opf:meta[@property]", NS):
        found.setdefault(element.get("property"), []).append(element.text)
    return found


def test_package_says_what_the_book_offers(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    assert opf.get(XML_LANG) == "en"
    meta = metadata(sample)
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert set(meta["schema:accessibilityFeature"]) == {
        "tableOfContents", "readingOrder", "structuralNavigation", "pageNavigation",
        "pageBreakMarkers", "alternativeText", "ARIA", "displayTransformability", "unlocked"}
    assert meta["schema:accessibilityHazard"] == ["none"]
    summary = meta["schema:accessibilitySummary"][0]
    assert "page numbers of the print edition" in summary and "Known problems" not in summary
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert "a11y:certifiedBy" not in meta  # nobody certified it: the build checked it


def test_landmarks_lead_to_cover_title_contents_and_first_article(sample):
    nav = sample.epub_xml("EPUB/nav.xhtml")
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    found = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
             for a in landmarks.iterfind(".//x:a", NS)}
    assert found == {"cover": "cover.xhtml", "titlepage": "title.xhtml",
                     "toc": "contents.xhtml", "bodymatter": "a001.xhtml"}


def test_every_document_names_its_language(sample):
    with zipfile.ZipFile(sample.epub) as z:
        names = [n for n in z.namelist() if n.endswith(".xhtml")]
    assert "EPUB/nav.xhtml" in names
    for name in names:
        root = sample.epub_xml(name)
        assert root.get("lang") and root.get("lang") == root.get(XML_LANG), name


def test_fonts_are_packaged_with_their_licence(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    items = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", NS)}
    assert any(href.endswith(".ttf") for href in items)
    assert items["styles/fonts/OFL.txt"] == "text/plain"
    licence = (ROOT / "styles" / "fonts" / "OFL.txt").read_bytes()
    assert sample.epub_file("EPUB/styles/fonts/OFL.txt") == licence


def test_cover_image_is_the_pdf_cover_page(sample):
    cover = Image.open(io.BytesIO(sample.epub_file("EPUB/images/cover.png")))
    document = pypdfium2.PdfDocument(sample.pdf)
    try:
        page = document[0]
        printed = page.render(scale=cover.width / page.get_width()).to_pil()
    finally:
        document.close()
    assert printed.size == cover.size
    assert ImageChops.difference(printed.convert("RGB"), cover.convert("RGB")).getbbox() is None


LEAD = """\
---
title: A harbour
image: pixel.png
{alt}---

Text.
"""


def build_epub_only(tmp_path: Path, article: str, name: str = "e"):
    folder = tmp_path / name
    edition = write_edition(folder, article=article)
    (folder / "pixel.png").write_bytes(PIXEL)
    return build_edition(edition, folder / "out", "--format", "epub")


def test_lead_image_alt_text(tmp_path):
    built = build_epub_only(tmp_path, LEAD.format(alt="image_alt: A grey pixel\n"))
    img = built.epub_xml("EPUB/a001.xhtml").find(".//x:figure[@class='lead-image']/x:img", NS)
    assert img.get("alt") == "A grey pixel"
    assert "missing-alt" not in built.result.stderr
    assert "alternativeText" in metadata(built)["schema:accessibilityFeature"]


def test_lead_image_without_alt_is_a_warning_and_no_conformance_is_claimed(tmp_path):
    built = build_epub_only(tmp_path, LEAD.format(alt=""))
    assert "a.md" in built.result.stderr and "has no alt text" in built.result.stderr
    meta = metadata(built)
    assert "dcterms:conformsTo" not in meta
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert "1 image(s) without a text description" in meta["schema:accessibilitySummary"][0]


HEADLESS_TABLE = """\
---
title: Tables
---

<table><tr><td>Quay</td><td>Depth</td></tr><tr><td>North</td><td>6 m</td></tr></table>
"""

HEAD_ROW_OF_TD = """\
---
title: Tables
---

<table><thead><tr><td>Quay</td><td>Depth</td></tr></thead>
<tbody><tr><td>North</td><td>6 m</td></tr></tbody></table>
"""


def test_table_without_header_cells_is_a_warning(tmp_path):
    built = build_epub_only(tmp_path, HEADLESS_TABLE)
    assert "has no header cells" in built.result.stderr
    assert "dcterms:conformsTo" not in metadata(built)


def test_head_row_of_data_cells_becomes_header_cells(tmp_path):
    built = build_epub_only(tmp_path, HEAD_ROW_OF_TD)
    assert "header cells" not in built.result.stderr
    headers = built.epub_xml("EPUB/a001.xhtml").findall(".//x:thead/x:tr/x:th", NS)
    assert [(th.text, th.get("scope")) for th in headers] == [("Quay", "col"),
                                                              ("Depth", "col")]
    assert "dcterms:conformsTo" in metadata(built)


def test_fonts_can_be_left_out(tmp_path):
    folder = tmp_path / "e"
    built = build_edition(write_edition(folder, "embed_fonts = false\n" + GOOD), folder / "out",
                          "--format", "epub")
    with zipfile.ZipFile(built.epub) as z:
        names = z.namelist()
        css = b"".join(z.read(n) for n in names if n.endswith(".css"))
    assert not [n for n in names if n.endswith((".ttf", "OFL.txt"))]
    assert css and b"@font-face" not in css
    assert epubcheck_messages(built.epub) == []
