"""Footnotes: every note's text reaches both books, numbered as print numbers it; a note
nothing calls is kept and named; the links and ids in a note are checked and renamed
like the body's."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree
from PIL import Image as PILImage

from builder import furniture
from builder.assemble import read_one
from builder.edition import Entry, load_edition
from builder.errors import BuildError, Report
from builder.models import Article, NoteRef
from conftest import build_edition, epubcheck_messages

EDITION = """\
title = "Notes"
date = 2026-01-01
language = "en"

[[sections]]
title = "Articles"
articles = ["a.md"]
"""
RULES = furniture.rules_for(True, ())


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    root = tmp_path_factory.mktemp("notes")
    PILImage.new("RGB", (2, 2), "red").save(root / "pic.png")
    (root / "a.md").write_text("Placeholder.\n", encoding="utf-8")
    (root / "e.toml").write_text(EDITION, encoding="utf-8")
    return load_edition(root / "e.toml")


def read(spec, text: str, name: str = "a.md") -> tuple[Article, Report]:
    path = spec.root / name
    path.write_text(text, encoding="utf-8")
    report = Report(stream=io.StringIO(), quiet=True)
    return read_one(Entry(path), spec, "a001", RULES, report), report


def body(article: Article) -> str:
    return "".join(p for p in article.body if isinstance(p, str))


def calls(article: Article) -> list[tuple[int, str, bool]]:
    return [(p.note.number, p.id, p.first) for p in article.body if isinstance(p, NoteRef)]


def text(markup: str) -> str:
    return "".join(etree.fromstring(f"<div>{markup}</div>").itertext())


def printed(article: Article) -> str:
    """The text print sets: the body, and each note at its first call."""
    return text(body(article)) + " ".join(
        text(p.note.inline) for p in article.body if isinstance(p, NoteRef) and p.first)


def codes(report: Report) -> list[str]:
    return [w.code for w in report.warnings]


# ---------------------------------------------------------------- a note nothing calls

def test_a_note_nothing_calls_is_kept_called_at_the_end_and_named(spec):
    article, report = read(spec, "Body.\n\n[^1]: Lost\n")
    assert [(n.number, n.blocks, n.inline) for n in article.notes] == [
        (1, "<p>Lost</p>", "Lost")]
    assert calls(article) == [(1, "a001-fnref-1", True)]  # the EPUB's back-link lands
    assert body(article) == "<p>Body.</p>\n"
    assert "Lost" in printed(article)
    [warning] = report.warnings
    assert warning.code == "orphan-note"
    assert warning.path == spec.root / "a.md" and warning.line == 3
    assert warning.message == (
        "footnote '[^1]' is kept as note 1, called at the end of the article: no call in "
        "the text refers to it; put '[^1]' where the note belongs")


def test_a_note_nothing_calls_is_numbered_after_the_called_ones(spec):
    article, report = read(spec, "One[^a] two[^b].\n\n[^z]: Zed.\n\n[^a]: A.\n\n[^b]: B.\n")
    assert [(n.number, n.inline) for n in article.notes] == [(1, "A."), (2, "B."), (3, "Zed.")]
    # (print numbers footnotes by counting them: the third call is note 3)
    assert [number for number, _, _ in calls(article)] == [1, 2, 3]
    assert "'[^z]' is kept as note 3" in report.warnings[0].message
    assert report.warnings[0].line == 3


def test_calls_put_side_by_side_are_kept_apart(spec):
    article, _ = read(spec, "Body.[^1]\n\n[^1]: One.\n\n[^2]: Two.\n")
    assert [p if isinstance(p, str) else p.note.number for p in article.body] == [
        "<p>Body.", 1, " ", 2, "</p>\n"]


def test_a_note_after_a_closing_list_is_called_from_a_paragraph_of_its_own(spec):
    article, _ = read(spec, "Body.\n\n- a list at the end\n\n[^1]: Lost\n")
    assert article.body[-3].endswith("</ul>\n<p>") and article.body[-1] == "</p>"
    assert calls(article) == [(1, "a001-fnref-1", True)]


def test_a_note_called_only_from_removed_furniture_is_kept(spec):
    article, report = read(spec, "Text.\n\nShare this article[^1]\n\n[^1]: The note.\n")
    assert [r.text for r in article.removed] == ["Share this article"]
    assert calls(article) == [(1, "a001-fnref-1", True)]
    assert "The note." in printed(article)
    assert "its only call was in site furniture" in next(
        w.message for w in report.warnings if w.code == "orphan-note")


# ---------------------------------------------------------------- notes in notes

def test_a_note_called_from_a_note_is_a_note_numbered_on(spec):
    article, report = read(spec, "Body[^1] more[^3].\n\n[^1]: Outer[^2].\n\n"
                                 "[^2]: Inner\n\n[^3]: Third.\n")
    assert not codes(report)
    outer, third, inner = article.notes
    assert (outer.number, third.number, inner.number) == (1, 2, 3)
    assert (inner.id, inner.ref_id, inner.blocks) == ("a001-fn-3", "a001-fnref-3",
                                                      "<p>Inner</p>")
    # the EPUB: a call in the outer note, with the id the inner note's back-link needs
    assert outer.blocks == ('<p>Outer<a class="noteref" id="a001-fnref-3" href="#a001-fn-3" '
                            'epub:type="noteref" role="doc-noteref">3</a>.</p>')
    # print, where a footnote cannot hold another: inside the outer note, after its text
    assert outer.inline == ('Outer<a class="noteref" href="#a001-fn-3" role="doc-noteref">3'
                            '</a>. <span id="a001-fn-3"><sup>3</sup> Inner</span>')
    assert calls(article) == [(1, "a001-fnref-1", True), (2, "a001-fnref-2", True)]
    assert "Inner" in printed(article)


def test_notes_calling_each_other_are_each_set_once(spec):
    article, report = read(spec, "Body[^1].\n\n[^1]: One[^2].\n\n[^2]: Two[^3] and [^1].\n\n"
                                 "[^3]: Three[^2].\n")
    assert not codes(report)
    assert [n.number for n in article.notes] == [1, 2, 3]
    one = article.notes[0].inline
    assert [one.count(f'id="a001-fn-{n}"') for n in (2, 3)] == [1, 1]
    assert 'id="a001-fnref-1-2"' in article.notes[1].blocks  # its second call
    assert all(word in printed(article) for word in ("One", "Two", "Three"))


def test_a_call_inside_a_list_in_a_note_is_kept_in_print(spec):
    article, _ = read(spec, "Body[^1].\n\n[^1]: Outer:\n\n    - item[^2]\n    - other\n\n"
                            "[^2]: Inner\n")
    outer = article.notes[0]
    assert not outer.blocks.endswith("<p></p>")  # Markdown's paragraph for its back-link
    assert re.search(r'item<a class="noteref" href="#a001-fn-2"[^>]*>2</a> other',
                     outer.inline)


# ---------------------------------------------------------------- ids and links in notes

def test_a_link_in_a_note_follows_the_renamed_anchor(spec):
    article, report = read(spec, '<span id="top">Body</span>[^1].\n\n[^1]: [back](#top)\n')
    assert 'id="a001-id-top"' in body(article)
    note = article.notes[0]
    assert note.blocks == '<p><a href="#a001-id-top">back</a></p>'
    assert note.inline == '<a href="#a001-id-top">back</a>'
    assert not report.warnings


def test_a_dead_link_in_a_note_is_dropped_and_named(spec):
    article, report = read(spec, "0[^1]\n\n[^1]: 0 [0](#top)\n")
    assert 'href' not in article.notes[0].blocks + article.notes[0].inline
    assert codes(report) == ["dead-link"] and report.warnings[0].line == 3


def test_a_link_out_of_the_book_in_a_note_is_removed(spec):
    article, report = read(spec, "Body[^1].\n\n[^1]: [x](file:///etc/passwd)\n")
    assert "file:" not in article.notes[0].blocks + article.notes[0].inline
    assert codes(report) == ["link-removed"]


def test_ids_in_notes_are_renamed_and_unique_with_the_body(spec):
    article, _ = read(spec, '<span id="x">a</span>[^1]\n\n[^1]: <span id="x">b</span> '
                            '<span id="y">c</span> [to y](#y)\n')
    note = article.notes[0]
    assert note.blocks.count('id="') == 1 and 'id="a001-id-y"' in note.blocks
    assert 'href="#a001-id-y"' in note.blocks


def test_an_image_in_a_note_is_packaged_or_refused_like_any_other(spec):
    article, _ = read(spec, "Body[^1].\n\n[^1]: ![A red square](pic.png)\n")
    [resource] = article.resources
    assert f'src="{resource.name}"' in article.notes[0].blocks
    with pytest.raises(BuildError, match="not found"):
        read(spec, "Body[^1].\n\n[^1]: ![Gone](gone.png)\n")


def test_links_in_notes_pass_epubcheck(tmp_path):
    (tmp_path / "a.md").write_text(
        '---\ntitle: Notes\n---\n\nThe <span id="top">harbour</span> opened[^1].\n\n'
        "[^1]: See [the opening](#top), [nowhere](#gone) and note[^2].\n\n"
        "[^2]: The inner note.\n\n[^3]: A note nothing calls.\n", encoding="utf-8")
    (tmp_path / "e.toml").write_text(EDITION, encoding="utf-8")
    built = build_edition(tmp_path / "e.toml", tmp_path / "out", "--format", "epub")
    assert epubcheck_messages(built.epub) == []
    assert "footnote '[^3]' is kept as note 2" in built.result.stderr
    with zipfile.ZipFile(built.epub) as book:
        page = next(book.read(n) for n in book.namelist() if n.endswith(".xhtml")
                    and b"The inner note." in book.read(n))
    calls = etree.fromstring(page).findall(".//{*}a[@role='doc-noteref']")
    assert len(calls) == 3  # the body's, the first note's of the inner one, and the orphan's
    assert all(a.get("{http://www.idpf.org/2007/ops}type") == "noteref" for a in calls)
