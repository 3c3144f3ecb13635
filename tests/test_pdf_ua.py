"""A `pdf/ua-1` book that is PDF/UA-1: the validator (page, from PyPI: veraPDF's PDF/UA-1
rules) finds nothing in the sample in every theme and layout, nor in an article with
an external link, a table and a note called twice; and what the validator only samples
is checked here on every page and link: running heads and page numbers are artifacts,
not structure; every link annotation sits in a Link element and says where it goes;
an article is one structure element however many pages it fills."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import ROOT, build_edition

LOOKS = [(theme, layout) for theme in ("classic", "magazine")
         for layout in ("book", "magazine")]
ARTICLES = 5  # in the sample


def ua_edition(source: Path, target: Path, theme: str = "classic",
               layout: str = "book") -> Path:
    text = source.read_text(encoding="utf-8")
    keys = f'pdf_variant = "pdf/ua-1"\ntheme = "{theme}"\nlayout = "{layout}"\n'
    text = re.sub(r"^\[\[sections\]\]", keys + "\n[[sections]]", text, count=1, flags=re.M)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ua")
    shutil.copytree(ROOT / "editions", folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def built(folder, tmp_path_factory):
    found: dict[tuple[str, str], Path] = {}

    def get(theme: str, layout: str) -> Path:
        if (theme, layout) not in found:
            edition = ua_edition(folder / "sample.toml", folder / f"ua-{theme}-{layout}.toml",
                                 theme, layout)
            out = tmp_path_factory.mktemp(f"{theme}-{layout}")
            found[theme, layout] = build_edition(edition, out, "--format", "pdf").pdf
        return found[theme, layout]
    return get


LINKS_TABLE_NOTE = """\
---
title: Tides and tables
---

The tide tables[^t] come from the [harbour office](https://harbour.example/tides).

| Day | High water | Low water |
|-----|-----------|-----------|
| Monday | 06:12 | 12:30 |
| Tuesday | 06:58 | 13:15 |

## Corrections

The Tuesday figures were corrected[^t] after printing.

[^t]: Published each week by the harbour master.
"""


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ua-links")
    (folder / "a.md").write_text(LINKS_TABLE_NOTE, encoding="utf-8")
    (folder / "e.toml").write_text(textwrap.dedent("""\
        title = "Test Weekly"
        issue = 1
        date = 2026-11-21
        language = "en"
        pdf_variant = "pdf/ua-1"

        [[sections]]
        title = "News"
        articles = ["a.md"]
        """), encoding="utf-8")
    return build_edition(folder / "e.toml", folder / "out", "--format", "pdf").pdf


def ua_failures(path: Path) -> list[str]:
    page = pytest.importorskip(
        "page", reason="the PDF validator is not installed: pip install page-validation")
    report = page.validate_pdf(str(path), profile="ua1")
    return [f"{f.rule_id}: {f.message}" for f in report.failures]


def words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").replace("\u2010", "").split())


def elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in the tree's order."""
    found = []

    def visit(node: pikepdf.Object) -> None:
        kids = node.get("/K")
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in (
                    "/MCR", "/OBJR"):
                found.append(kid)
                visit(kid)
    visit(pdf.Root.StructTreeRoot)
    return found


def tree_mcids(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page index, MCID) of every marked content the structure tree holds."""
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    found = set()
    for element in elements(pdf):
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        for kid in kids:
            if isinstance(kid, int):
                found.add((pages[element.Pg.objgen], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.add((pages[kid.Pg.objgen], int(kid.MCID)))
    return found


@pytest.mark.parametrize(("theme", "layout"), LOOKS)
def test_pdf_ua_1_passes_the_validator(built, theme, layout):
    assert ua_failures(built(theme, layout)) == []


def test_an_article_with_links_a_table_and_notes_passes_the_validator(linked):
    assert ua_failures(linked) == []


@pytest.mark.parametrize(("theme", "layout"), LOOKS)
def test_running_heads_and_page_numbers_are_artifacts(built, theme, layout):
    """What the margin boxes draw is marked Pagination artifact; every marked content
    with an MCID is in the structure tree, and no tagged text holds a running head;
    the contents page's leader dots are artifacts too."""
    path = built(theme, layout)
    with pikepdf.open(path) as pdf:
        held = tree_mcids(pdf)
        for number, page in enumerate(pdf.pages):
            marked = set()
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and "/MCID" in operands[1]:
                    marked.add((number, int(operands[1].MCID)))
            assert marked <= held, f"page {number + 1}: tagged content outside the tree"
    with pdfplumber.open(path) as pdf:
        numbered = 0
        for page in pdf.pages:
            artifacts = "".join(c["text"] for c in page.chars if c.get("tag") == "Artifact")
            tagged = words("".join(c["text"] for c in page.chars if c.get("mcid") is not None))
            if artifacts.startswith("The Harbour Weekly"):  # a page with running heads
                numbered += 1
                assert artifacts.endswith(str(page.page_number)), artifacts
                assert "The Harbour Weekly" not in tagged
            assert all(c.get("mcid") is not None or c.get("tag") == "Artifact"
                       for c in page.chars), f"untagged text on page {page.page_number}"
        assert numbered >= ARTICLES
        contents = pdf.pages[2]  # cover, title page, contents
        tagged = words("".join(c["text"] for c in contents.chars if c.get("mcid") is not None))
        dots = "".join(c["text"] for c in contents.chars if c.get("tag") == "Artifact")
        assert tagged.startswith("Contents") and ". ." not in tagged
        if theme == "classic":  # (the magazine theme's contents have no leaders)
            assert ". . ." in dots


def destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    names = pikepdf.NameTree(pdf.Root.Names.Dests)
    return {str(name): pages[dest[0].objgen] for name, dest in names.items()}


def check_links(path: Path) -> list[pikepdf.Dictionary]:
    """Every link annotation: printable, in a Link element that holds it by an object
    reference, described; an internal one by text on its target's page."""
    with pikepdf.open(path) as pdf, pdfplumber.open(path) as plumbed:
        parents = pdf.Root.StructTreeRoot.ParentTree.Nums
        by_number = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
        targets = destinations(pdf)
        seen = []
        for page in pdf.pages:
            assert page.obj.Tabs == "/S"
            for annotation in page.obj.get("/Annots", []):
                if annotation.Subtype != "/Link":
                    continue
                assert annotation.F == 4
                parent = by_number[int(annotation.StructParent)]
                assert parent.S == "/Link"
                assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                           and kid.Obj.objgen == annotation.objgen for kid in parent.K)
                contents = str(annotation.Contents)
                if "/Dest" in annotation:
                    assert contents != str(annotation.Dest)
                    target = plumbed.pages[targets[str(annotation.Dest)]]
                    assert words(contents).rstrip("…") in words(target.extract_text())
                else:
                    assert contents == str(annotation.A.URI)
                seen.append((contents, "/Dest" in annotation))
        return seen


@pytest.mark.parametrize(("theme", "layout"), LOOKS)
def test_links_sit_in_link_elements_and_name_their_target(built, theme, layout):
    seen = check_links(built(theme, layout))
    titles = {contents for contents, internal in seen if internal}
    assert "The quay wall cannot wait another winter" in titles
    assert len(titles) == ARTICLES  # the contents page's links, one per article


def test_external_links_and_notes_say_where_they_go(linked):
    seen = check_links(linked)
    assert ("https://harbour.example/tides", False) in seen
    assert ("Published each week by the harbour master.", True) in seen


@pytest.mark.parametrize(("theme", "layout"), LOOKS)
def test_one_structure_element_per_article_and_the_catalog(built, theme, layout):
    with pikepdf.open(built(theme, layout)) as pdf:
        found = elements(pdf)
        assert sum(e.S == "/Art" for e in found) == ARTICLES
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.MarkInfo.Marked is True
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == "The Harbour Weekly, Issue 47"
            assert meta["pdfuaid:part"] == "1"
        figures = [e for e in found if e.S == "/Figure"]
        assert figures and all(str(e.get("/Alt", "")) for e in figures)


def test_notes_and_table_headers_have_ids_in_the_id_tree(linked):
    with pikepdf.open(linked) as pdf:
        found = elements(pdf)
        notes = [e for e in found if e.S == "/Note"]
        headers = [e for e in found if e.S == "/TH"]
        assert len(notes) == 1 and len(headers) == 3
        ids = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        for element in notes + headers:
            assert ids[str(element.ID)].objgen == element.objgen
        cells = [e for e in found if e.S == "/TD"]
        assert cells and all(len(e.A.Headers) == 1 for e in cells)


def test_a_pdf_ua_book_is_reproducible(folder, built, tmp_path):
    again = build_edition(folder / "ua-classic-book.toml", tmp_path, "--format", "pdf",
                          "--no-cache").pdf
    assert again.read_bytes() == built("classic", "book").read_bytes()
