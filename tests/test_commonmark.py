"""Markdown as people write it: lists nested by two, three or four spaces (CommonMark's
content column), GitHub's task lists, strikethrough, autolinks and line breaks, measured
against the CommonMark spec's own examples (tests/fixtures/commonmark/spec.json)."""

from __future__ import annotations

import importlib.util
import json
import zipfile

import lxml.html
import pytest

from builder import fonts
from builder.readers.lists import reindent
from builder.readers.markdown import converter
from conftest import (
    FIXTURES,
    NS,
    ROOT,
    assert_fails,
    build_edition,
    epubcheck_messages,
    write_edition,
)

EXAMPLES = json.loads((FIXTURES / "commonmark" / "spec.json").read_text(encoding="utf-8"))


def _bench():
    """bench/commonmark.py, for its normaliser and its converters."""
    spec = importlib.util.spec_from_file_location("bench_commonmark",
                                                  ROOT / "bench" / "commonmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def html(text: str, lang: str = "en") -> str:
    return converter(lang).convert(text)


def tree(text: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html(text), create_parent="div")


def shape(element: lxml.html.HtmlElement) -> list:
    """The lists of an element as nested lists: ("ul", [item text, (sublist)…])."""
    out = []
    for child in element:
        if child.tag in ("ul", "ol"):
            out.append((child.tag, [_item(li) for li in child]))
    return out


def _item(li: lxml.html.HtmlElement) -> tuple:
    own = (li.text or "") + "".join(
        (c.text_content() if c.tag not in ("ul", "ol", "pre") else "") + (c.tail or "")
        for c in li)
    return (" ".join(own.split()), *shape(li))


def _nested(example: dict) -> bool:
    root = lxml.html.fragment_fromstring(example["html"], create_parent="div")
    return bool(root.xpath(".//li//ul|.//li//ol"))


NESTED = [e for e in EXAMPLES if e["section"] in ("Lists", "List items") and _nested(e)]


def test_the_spec_has_its_examples():
    assert len(EXAMPLES) == 652 and len(NESTED) >= 9


@pytest.mark.parametrize("example", NESTED, ids=[str(e["example"]) for e in NESTED])
def test_every_nested_list_example_of_the_spec_passes(example):
    ours = BENCH.our_converter()(example["markdown"])
    assert BENCH.normalise(ours) == BENCH.normalise(example["html"])


@pytest.mark.parametrize(("section", "at_least"), [
    ("Lists", 0.9), ("List items", 0.85), ("Emphasis and strong emphasis", 0.9),
    ("Hard line breaks", 0.75)])
def test_pass_rates_do_not_fall(section, at_least):
    chosen = [e for e in EXAMPLES if e["section"] == section]
    after = BENCH.our_converter()
    assert sum(BENCH.passes(after, e) for e in chosen) / len(chosen) >= at_least


def test_two_space_nesting_as_github_and_obsidian_write_it():
    text = "- fruit\n  - apples\n    - cox\n  - pears\n- vegetables\n"
    assert shape(tree(text)) == [("ul", [
        ("fruit", ("ul", [("apples", ("ul", [("cox",)])), ("pears",)])), ("vegetables",)])]


def test_three_space_nesting_under_a_number_as_google_docs_exports_it():
    text = "1. First\n   1. one\n   2. two\n2. Second\n   * bullet\n"
    assert shape(tree(text)) == [("ol", [
        ("First", ("ol", [("one",), ("two",)])), ("Second", ("ul", [("bullet",)]))])]


def test_tab_nesting_as_obsidian_writes_it():
    assert shape(tree("- a\n\t- b\n\t\t- c\n1. x\n\t1. y\n")) == [
        ("ul", [("a", ("ul", [("b", ("ul", [("c",)]))]))]), ("ol", [("x", ("ol", [("y",)]))])]


def test_a_loose_google_docs_export_keeps_its_sub_bullets():
    text = ("## Agenda\n1. Budget\n\n   * rent\n   * wages\n\n2. Staff\n\n"
            "   * hiring\n")
    root = tree(text)
    assert [el.tag for el in root] == ["h2", "ol"]
    assert shape(root) == [("ol", [("Budget", ("ul", [("rent",), ("wages",)])),
                                   ("Staff", ("ul", [("hiring",)]))])]
    assert root.xpath("./ol/li/p/text()") == ["Budget", "Staff"]


def test_four_space_nesting_still_nests():
    assert shape(tree("- a\n    - b\n        - c\n")) == [
        ("ul", [("a", ("ul", [("b", ("ul", [("c",)]))]))])]


def test_ten_and_more_nest_by_four():
    text = "9. nine\n10. ten\n    - under ten\n"
    root = tree(text)
    assert shape(root) == [("ol", [("nine",), ("ten", ("ul", [("under ten",)]))])]
    assert root[0].get("start") == "9"


def test_mixed_ordered_and_bulleted():
    text = "- Steps:\n  1. open\n  2. close\n- Notes\n  - short\n"
    assert shape(tree(text)) == [("ul", [
        ("Steps:", ("ol", [("open",), ("close",)])), ("Notes", ("ul", [("short",)]))])]


def test_sub_bullets_are_not_renumbered_into_the_outer_list():
    root = tree("1. item\n  - not item 2\n")  # (two spaces: less than `1. `'s three)
    assert [el.tag for el in root] == ["ol", "ul"]


def test_an_item_with_two_paragraphs():
    root = tree("1. First paragraph.\n\n   Second paragraph.\n2. Next\n")
    items = root.xpath("./ol/li")
    assert len(items) == 2
    assert [p.text for p in items[0].xpath("./p")] == ["First paragraph.",
                                                        "Second paragraph."]


def test_code_blocks_inside_items():
    fenced = tree("1. Run:\n   ```\n   make all\n     indented\n   ```\n2. Done\n")
    assert fenced.xpath("./ol/li[1]/pre/code")[0].text == "make all\n  indented\n"
    assert len(fenced.xpath("./ol/li")) == 2
    indented = tree("- Run:\n\n      make all\n- Done\n")
    assert indented.xpath("./ul/li[1]/pre/code")[0].text == "make all\n"


def test_a_nested_list_after_a_paragraph():
    root = tree("- Intro\n\n  Some text:\n  - a\n  - b\n")
    assert root.xpath("./ul/li/ul/li/text()") == ["a", "b"]
    top = tree("Shopping:\n- bread\n- milk\n")  # (no blank line, as GitHub allows)
    assert [el.tag for el in top] == ["p", "ul"]


def test_a_paragraph_is_not_broken_by_a_number_other_than_one():
    root = tree("The year was\n1984. It rained.\n")
    assert [el.tag for el in root] == ["p"]


def test_lazy_continuation_stays_in_the_item():
    root = tree("- a long line\nthat goes on\n  - nested\n")
    assert shape(root) == [("ul", [("a long line that goes on", ("ul", [("nested",)]))])]


def test_lists_in_a_block_quote_nest_too():
    root = tree("> - a\n>   - b\n")
    assert root.xpath("./blockquote/ul/li/ul/li/text()") == ["b"]


def test_tight_and_loose_lists_follow_commonmark():
    tight = tree("- a\n  - b\n\n    c\n- d\n")
    assert tight.xpath("./ul/li[1]/p") == [] and tight.xpath("./ul/li[1]/ul/li/p")
    loose = tree("- a\n- b\n\n- c\n")
    assert len(loose.xpath("./ul/li/p")) == 3


def test_bullet_change_starts_a_new_list():
    root = tree("- a\n- b\n+ c\n")
    assert [len(el) for el in root] == [2, 1]
    assert "\ue000" not in html("- a\n+ c\n-\n")


def test_task_lists_show_boxes_our_fonts_draw():
    out = html("- [x] written\n- [ ] checked\n- [X] sent\n")
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    assert root.xpath("./ul/li/text()") == ["\u2611 written", "\u2610 checked",
                                             "\u2611 sent"]
    assert "<input" not in out
    assert fonts.needs(root.text_content(), "en").missing == ()


def test_strikethrough_and_no_subscript():
    assert "<del>gone</del>" in html("It is ~~gone~~ now, H~2~O.")
    assert "<sub>" not in html("H~2~O")


@pytest.mark.parametrize(("text", "href"), [
    ("See https://example.com/a?b=1.", "https://example.com/a?b=1"),
    ("See <https://example.com/x>.", "https://example.com/x"),
    ("See www.example.com today.", "http://www.example.com"),
    ("Write to <desk@example.com>.", "mailto:desk@example.com"),
    ("Write to desk@example.com.", "mailto:desk@example.com"),
])
def test_autolinks(text, href):
    root = tree(text)
    assert [a.get("href") for a in root.iter("a")] == [href]


@pytest.mark.parametrize("text", ["ftp://example.com/file", "<ftp://example.com/file>",
                                  "<irc://example.com/chan>", "<javascript:alert(1)>"])
def test_autolinks_only_make_web_and_mail_links(text):
    root = tree(text)
    assert list(root.iter("a")) == []
    assert text.strip("<>") in root.text_content()


def test_hard_line_breaks():
    root = tree("two spaces  \nbackslash\\\nsoft\nend")
    assert len(root.xpath("./p/br")) == 2 and "\\" not in root.text_content()
    assert "\\" in tree("`code\\`\n").text_content()  # (in code, a backslash is text)


def test_footnotes_definitions_tables_and_fences_are_unchanged():
    text = ("Text.[^1]\n\nTerm\n:   Definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            "```\n- not\n  - a list\n```\n\n[^1]: A note\n    over two lines.\n")
    root = tree(text)
    assert root.xpath("//dl/dd") and root.xpath("//table//td")
    assert root.xpath("//pre/code")[0].text == "- not\n  - a list\n"
    assert "over two lines" in root.xpath("//div[@class='footnote']")[0].text_content()


def test_lists_in_footnotes_and_definitions_nest_by_two_spaces_too():
    note = tree("Text.[^1]\n\n[^1]: Sources:\n    - a\n      - b\n    - c\n")
    items = note.xpath("//div[@class='footnote']/ol/li/ul/li")
    assert [li.text for li in items] == ["a", "c"] and items[0].xpath("./ul/li/text()") == ["b"]
    definition = tree("Term\n:   Meaning\n    - a\n      - b\n")
    assert definition.xpath("//dd/ul/li/ul/li/text()") == ["b"]


def test_a_thousand_levels_of_two_space_nesting_end_in_the_cleaner_s_message(tmp_path):
    nested = "".join("  " * i + f"- level {i}\n" for i in range(1000))
    assert html(nested).count("<ul>") == 65
    edition = write_edition(tmp_path / "src", article=f"---\ntitle: Deep\n---\n\n{nested}")
    assert_fails(tmp_path, edition, "a.md: the article nests elements")


def test_indented_code_outside_lists_is_left_alone():
    text = "Para.\n\n    - code\n      - more\n"
    assert reindent(text) == text
    assert tree(text).xpath("//pre/code")[0].text == "- code\n  - more\n"


def test_a_two_space_nested_list_stays_nested_in_the_epub(tmp_path):
    article = ("---\ntitle: Lists\n---\n\nTo do:\n\n- [x] fruit\n  - apples\n  - ~~pears~~\n"
               "- [ ] vegetables\n  1. leeks\n")
    built = build_edition(write_edition(tmp_path / "e", article=article), tmp_path / "out")
    with zipfile.ZipFile(built.epub) as z:
        names = [n for n in z.namelist() if n.endswith(".xhtml")
                 and b"leeks" in z.read(n)]
    assert names
    doc = built.epub_xml(names[0])
    outer = doc.xpath("//x:ul[x:li]", namespaces=NS)[0]
    assert [li.xpath("./x:ul/x:li|./x:ol/x:li", namespaces=NS) != [] for li in outer] == [
        True, True]
    assert outer.xpath("./x:li[1]/x:ul/x:li[2]/x:del", namespaces=NS)
    text = "".join(outer.itertext())
    assert "\u2611 fruit" in text and "\u2610 vegetables" in text
    assert epubcheck_messages(built.epub) == []
