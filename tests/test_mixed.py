"""One edition of every kind of article file at once — Markdown, plain text, Word,
OpenDocument, a saved web page and a feed — built to a valid EPUB and a PDF, each
article's structure and metadata kept."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from conftest import FIXTURES, build_edition, epubcheck_messages

EDITION = """\
title = "Every Kind Weekly"
issue = 9
date = 2026-11-21
language = "en"

[[sections]]
title = "Files"
articles = [
  "front-matter.md",
  { path = "plain.txt", title = "From the wire", author = "Wire Desk", date = 2026-10-04 },
  "harbour.docx",
  { path = "harbour.odt", title = "Harbour dredging, the OpenDocument copy" },
]

[[sections]]
title = "From the web"
articles = ["ferry.html", { feed = "wire/atom.xml", limit = 2 }]
"""
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(FIXTURES / "kinds" / "front-matter.md", folder)
    shutil.copy(FIXTURES / "kinds" / "plain.txt", folder)
    for name in ("harbour.docx", "harbour.odt", "red.png"):
        shutil.copy(FIXTURES / "office" / name, folder)
    shutil.copy(FIXTURES / "web" / "harbour.html", folder / "ferry.html")
    (folder / "harbour_files").mkdir()  # the page's picture, saved beside it
    Image.new("RGB", (120, 80), (20, 60, 120)).save(folder / "harbour_files" / "ferry.png")
    shutil.copytree(FIXTURES / "feeds" / "wire", folder / "wire")
    (folder / "edition.toml").write_text(EDITION, encoding="utf-8")
    return build_edition(folder / "edition.toml", folder / "out")


def _documents(epub) -> dict[str, etree._Element]:
    with zipfile.ZipFile(epub) as book:
        return {name: etree.fromstring(book.read(name)) for name in book.namelist()
                if name.endswith(".xhtml") and "nav" not in name}


def _article(docs: dict, title: str) -> etree._Element:
    for doc in docs.values():
        for article in doc.iterfind(".//x:article", XHTML):
            if "".join(article.find(".//x:h1", XHTML).itertext()).strip() == title:
                return article
    raise AssertionError(f"no article titled {title!r}")


def test_every_kind_builds_to_a_valid_epub_and_a_pdf(mixed):
    assert epubcheck_messages(mixed.epub) == []
    text = " ".join(page.extract_text() for page in PdfReader(mixed.pdf).pages)
    for title in ("From the wire", "Harbour Dredging Resumes",
                  "Harbour dredging, the OpenDocument copy",
                  "Ferry timetable changes for the winter"):
        assert " ".join(title.split()) in " ".join(text.split()), title


def test_the_word_article_keeps_structure_notes_and_metadata(mixed):
    docs = _documents(mixed.epub)
    article = _article(docs, "Harbour Dredging Resumes")
    subtitle = article.find(".//x:p[@class='subtitle']", XHTML)
    assert subtitle is not None and "two metres" in "".join(subtitle.itertext())
    assert article.find(".//x:ul/x:li/x:ul/x:li", XHTML) is not None  # the nested list
    assert article.findall(".//x:th", XHTML)  # the table's header row
    assert article.find(".//x:figure/x:img", XHTML).get("alt")
    assert article.findall(".//x:aside[@role='doc-footnote']", XHTML)
    text = "".join(article.itertext())
    assert "new berth" in text and "old berth" not in text  # tracked changes, accepted
    assert "Check this." not in text  # the comment


def test_the_odt_article_takes_the_edition_title_and_keeps_its_body(mixed):
    article = _article(_documents(mixed.epub), "Harbour dredging, the OpenDocument copy")
    assert article.find(".//x:ul/x:li/x:ul/x:li", XHTML) is not None
    assert article.findall(".//x:th", XHTML)
    assert article.findall(".//x:aside[@role='doc-footnote']", XHTML)


def test_the_web_page_keeps_the_article_and_its_byline(mixed):
    article = _article(_documents(mixed.epub), "Ferry timetable changes for the winter")
    byline = "".join(article.find(".//x:p[@class='byline']", XHTML).itertext())
    assert "Mara Lind" in byline
    text = "".join(article.itertext())
    assert "cookie" not in text.lower() and "newsletter" not in text.lower()


def test_the_contents_list_every_kind_in_order(mixed):
    with zipfile.ZipFile(mixed.epub) as book:
        nav = next(book.read(n).decode() for n in book.namelist() if n.endswith("nav.xhtml"))
    order = ["Files", "From the wire", "Harbour Dredging Resumes",
             "Harbour dredging, the OpenDocument copy", "From the web",
             "Ferry timetable changes for the winter"]
    positions = [nav.find(title) for title in order]
    assert -1 not in positions and positions == sorted(positions), positions
    assert nav.count("<li") >= 9  # two sections, four files, a page and two feed entries
