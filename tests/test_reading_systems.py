"""The EPUB in reading systems older than EPUB 3's navigation, and in Calibre: an EPUB 2
guide (cover, title page, contents, start of the text), the article authors as the book's
creators, and Calibre's conversion (ebook-convert) and metadata reader (ebook-meta)
finding nothing to complain about, the cover once.

The Calibre tests skip when Calibre is not installed (`apt-get install calibre`; .ci/run
installs it). They run headless: EPUB input and AZW3/EPUB output need no display and no
browser engine, and `QT_QPA_PLATFORM=offscreen` keeps Qt from looking for one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from ebooklib import epub
from lxml import etree

from builder.writers.epub import MAX_CREATORS, _creators
from conftest import GOOD, NS, ROOT, build_edition, write_edition

TITLE = "The Harbour Weekly, Issue 47"
AUTHORS = ["Marta Lindgren", "Jonas Feld", "Aino Virtanen", "Priya Raman", "Katrin Oberländer",
           "Editorial Board"]
# A line of Calibre's conversion log that reports a problem. Calibre logs its progress
# ("Trimming 'EPUB/toc.ncx' from manifest", "Rescaling image…") as plain lines; what went
# wrong says so in one of these words.
PROBLEM = re.compile(r"warn|error|fail|not found|missing|invalid|unknown|unexpected|"
                     r"could not|cannot|can't|unable|ignor|broken|traceback|exception",
                     re.IGNORECASE)
# Messages of Calibre's CSS parser (css_parser), "ClassName: message".
CSS_MESSAGE = re.compile(r"^(CSS\w*|PropertyValue|Property|Selector\w*|MediaQuery\w*|"
                         r"Value|ColorValue|DimensionValue|URIValue|CSSVariable): ")


# --- the package: guide and creators (no Calibre needed) ---------------------------------


def guide(built) -> list[tuple[str, str]]:
    opf = built.epub_xml("EPUB/content.opf")
    return [(r.get("type"), r.get("href"))
            for r in opf.iterfind("opf:guide/opf:reference", NS)]


def test_guide_names_cover_title_page_contents_and_text(sample):
    assert guide(sample) == [("cover", "cover.xhtml"), ("title-page", "title.xhtml"),
                             ("toc", "contents.xhtml"), ("text", "a001.xhtml")]
    opf = sample.epub_xml("EPUB/content.opf")
    manifest = {i.get("href") for i in opf.iterfind("opf:manifest/opf:item", NS)}
    assert {href for _, href in guide(sample)} <= manifest
    # The same places as the navigation document's landmarks.
    nav = sample.epub_xml("EPUB/nav.xhtml")
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    marks = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
             for a in landmarks.iterfind(".//x:a", NS)}
    assert marks["cover"] == "cover.xhtml" and marks["toc"] == "contents.xhtml"
    assert marks["bodymatter"] == "a001.xhtml"


def creators(opf: etree._Element, element: str = "creator") -> list[tuple[str, str | None]]:
    """(name, role) of each dc:creator (or dc:contributor), in order."""
    meta = opf.find("opf:metadata", NS)
    found = []
    for item in meta.iterfind(f"dc:{element}", NS):
        role = meta.find(f"opf:meta[@refines='#{item.get('id')}'][@property='role']", NS)
        found.append((item.text, None if role is None else role.text))
    return found


def test_article_authors_are_the_creators_and_the_publisher_only_publisher(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    assert creators(opf) == [(name, "aut") for name in AUTHORS]
    assert creators(opf, "contributor") == []
    assert opf.findtext("opf:metadata/dc:publisher", namespaces=NS) == "Harbour Press"


def package_creators(authors: tuple[str, ...], publisher: str) -> etree._Element:
    book = epub.EpubBook()
    _creators(book, SimpleNamespace(authors=authors, publisher=publisher))
    metadata = etree.SubElement(etree.Element(f"{{{NS['opf']}}}package"),
                                f"{{{NS['opf']}}}metadata")
    for name in ("creator", "contributor"):
        for value, attributes in book.get_metadata("DC", name):
            etree.SubElement(metadata, f"{{{NS['dc']}}}{name}", attributes).text = value
    for value, attributes in book.metadata.get(None, {}).get("meta", []):  # (None, "meta")
        etree.SubElement(metadata, f"{{{NS['opf']}}}meta", attributes).text = value
    return metadata.getparent()


def test_many_authors_the_first_ones_are_creators_the_rest_contributors():
    names = tuple(f"Author {n}" for n in range(1, 201))
    opf = package_creators(names, "Press")
    assert creators(opf) == [(name, "aut") for name in names[:MAX_CREATORS]]
    assert creators(opf, "contributor") == [(name, "aut") for name in names[MAX_CREATORS:]]
    ids = [e.get("id") for e in opf.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 200


def test_no_author_the_publisher_is_the_creator_without_a_role():
    assert creators(package_creators((), "Harbour Press")) == [("Harbour Press", None)]
    assert creators(package_creators((), "")) == []


# --- Calibre --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calibre() -> dict:
    """The environment Calibre's tools run in, headless; skips without Calibre."""
    missing = [tool for tool in ("ebook-convert", "ebook-meta") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"Calibre is not installed ({', '.join(missing)} not found; "
                    f"`apt-get install calibre`, as .ci/run does)")
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def convert(env: dict, source: Path, target: Path) -> list[str]:
    """Convert with Calibre; its log's lines."""
    result = subprocess.run(["ebook-convert", str(source), str(target)], env=env,
                            capture_output=True, text=True, timeout=300)
    log = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0 and target.is_file(), "\n".join(log[-30:])
    return log


def problems(log: list[str]) -> list[str]:
    """The lines of a conversion log that report a problem, but for the CSS parser's."""
    return [line for line in log if PROBLEM.search(line) and not CSS_MESSAGE.match(line)]


def css_messages(log: list[str]) -> list[str]:
    return [line for line in log if CSS_MESSAGE.match(line)]


def book_metadata(env: dict, path: Path) -> dict[str, str]:
    result = subprocess.run(["ebook-meta", str(path)], env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    fields = {}
    for line in result.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def cover_pages(path: Path) -> list[str]:
    """The documents of an EPUB's spine that show its cover image."""
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(z.read(opf_name))
        base = opf_name.rpartition("/")[0]
        items = {i.get("id"): i for i in opf.iterfind(".//opf:manifest/opf:item", NS)}
        cover = next((i for i in items.values()
                      if "cover-image" in (i.get("properties") or "").split()), None)
        if cover is None:  # EPUB 2: <meta name="cover" content="id">
            cover = items[opf.find(".//opf:metadata/opf:meta[@name='cover']", NS).get("content")]
        image = cover.get("href").rpartition("/")[2]
        shown = []
        for ref in opf.iterfind(".//opf:spine/opf:itemref", NS):
            href = items[ref.get("idref")].get("href")
            text = z.read(f"{base}/{href}" if base else href).decode("utf-8")
            if re.search(rf"""["'/]{re.escape(image)}["']""", text):
                shown.append(href)
        return shown


@pytest.fixture(scope="module")
def magazine(tmp_path_factory):
    """The sample in the magazine theme."""
    folder = tmp_path_factory.mktemp("magazine")
    shutil.copytree(ROOT / "editions" / "sample", folder / "sample")
    text = (ROOT / "editions" / "sample.toml").read_text(encoding="utf-8")
    edition = folder / "magazine.toml"
    edition.write_text(text.replace('page_size = "A4"\n',
                                    'page_size = "A4"\ntheme = "magazine"\n'),
                       encoding="utf-8")
    return build_edition(edition, folder / "out")


@pytest.fixture(scope="module")
def converted(calibre, tmp_path_factory):
    """Each edition's EPUB converted by Calibre to AZW3 (Kindle) and to EPUB, with logs."""
    done = {}

    def get(built) -> dict:
        if built.epub not in done:
            folder = tmp_path_factory.mktemp("calibre")
            azw3, again = folder / "book.azw3", folder / "book.epub"
            done[built.epub] = {"azw3": azw3, "azw3 log": convert(calibre, built.epub, azw3),
                                "epub": again, "epub log": convert(calibre, built.epub, again)}
        return done[built.epub]

    return get


@pytest.mark.parametrize("name", ["sample", "magazine"])
def test_calibre_converts_without_a_warning(name, request, converted):
    result = converted(request.getfixturevalue(name))
    assert problems(result["azw3 log"]) == []
    assert problems(result["epub log"]) == []


def test_calibre_understands_every_declaration(converted, sample):
    """No custom property reaches the EPUB (builder/cssvars.py): Calibre's parser, like
    RMSDK's and KOReader's, would drop each font-family that uses one."""
    assert css_messages(converted(sample)["azw3 log"]) == []


@pytest.mark.parametrize("name", ["sample", "magazine"])
def test_calibre_reads_title_authors_publisher_and_language(name, request, calibre,
                                                              converted):
    built = request.getfixturevalue(name)
    expected = {"Title": TITLE, "Author(s)": " & ".join(AUTHORS),
                "Publisher": "Harbour Press", "Languages": "eng"}
    found = book_metadata(calibre, built.epub)
    assert {key: found.get(key) for key in expected} == expected
    assert found.get("Series") == "The Harbour Weekly #47"
    kindle = book_metadata(calibre, converted(built)["azw3"])
    assert {key: kindle.get(key) for key in expected} == expected


@pytest.mark.parametrize("name", ["sample", "magazine"])
def test_calibre_shows_the_cover_once(name, request, calibre, converted, tmp_path):
    built = request.getfixturevalue(name)
    assert cover_pages(built.epub) == ["cover.xhtml"]
    result = converted(built)
    # Without a guide, Calibre's EPUB input puts a cover page of its own before ours.
    assert len(cover_pages(result["epub"])) == 1
    # And the Kindle book, read back.
    back = tmp_path / "back.epub"
    assert problems(convert(calibre, result["azw3"], back)) == []
    assert len(cover_pages(back)) == 1


def test_calibre_names_the_publisher_when_no_article_has_an_author(calibre, tmp_path):
    edition = write_edition(tmp_path / "e", GOOD.replace('language = "en"\n',
                                                         'language = "en"\n'
                                                         'publisher = "Quay Press"\n'))
    built = build_edition(edition, tmp_path / "out", "--format", "epub")
    found = book_metadata(calibre, built.epub)
    assert found["Author(s)"] == "Quay Press" and found["Publisher"] == "Quay Press"
    bare = build_edition(write_edition(tmp_path / "bare"), tmp_path / "bare-out",
                         "--format", "epub")
    assert book_metadata(calibre, bare.epub)["Author(s)"] == "Unknown"
