"""Our Markdown against the CommonMark spec's own examples, section by section.

Runs every example of the spec (tests/fixtures/commonmark/spec.json, CommonMark 0.31.2)
through plain Python-Markdown with the extensions the reader had before ("before") and
through the reader's converter ("after"), and compares each output with the spec's
HTML once both are normalised: whitespace between and inside tags, attribute order,
`<br />` and `<br>`, character references and typographic quotes, dashes and ellipses
(the reader's smart punctuation is not the spec's concern).

    PYTHONPATH=. python bench/commonmark.py            # the sections of lists, emphasis, links
    PYTHONPATH=. python bench/commonmark.py --all      # every section
    PYTHONPATH=. python bench/commonmark.py --failures Lists   # the failing examples
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "fixtures" / "commonmark" / "spec.json"
SECTIONS = ("Lists", "List items", "Emphasis and strong emphasis", "Links", "Autolinks",
            "Hard line breaks", "Block quotes", "Fenced code blocks")
# Where the reader differs from the spec on purpose: GitHub's bare web and mail links,
# and no link for a scheme other than http(s) and mailto (the address stays text).
ON_PURPOSE = {608: "bare link", 611: "bare link", 612: "bare mail address",
              596: "irc: stays text", 598: "a+b+c: stays text", 599: "made-up scheme",
              601: "localhost: stays text"}
BEFORE = ["tables", "footnotes", "fenced_code", "def_list", "abbr", "smarty"]
BLOCK = {"address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl",
         "dt", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
         "html", "li", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
         "thead", "tr", "ul"}
VOID = {"br", "hr", "img", "input", "wbr", "col"}
TYPOGRAPHY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                            "\u2013": "--", "\u2014": "---", "\u2026": "..."})


class Normaliser(HTMLParser):
    """HTML as a list of comparable tokens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = "".join(f' {k}="{_escape(v or "")}"' for k, v in sorted(attrs))
        self._block_edge(tag)
        self.tokens.append(f"<{tag}{shown}>")
        self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self._block_edge(tag)
        self.tokens.append(f"</{tag}>")
        self.pre -= tag == "pre"

    def handle_data(self, data: str) -> None:
        text = data.translate(TYPOGRAPHY)
        if not self.pre:
            text = re.sub(r"\s+", " ", text)
        if self.tokens and self.tokens[-1].startswith("#"):
            self.tokens[-1] += text
        else:
            self.tokens.append("#" + text)

    def handle_comment(self, data: str) -> None:
        self.tokens.append(f"<!--{data}-->")

    def _block_edge(self, tag: str) -> None:
        """Whitespace next to a block's tag does not count."""
        if tag in BLOCK and self.tokens and self.tokens[-1].startswith("#") and not self.pre:
            self.tokens[-1] = self.tokens[-1].rstrip()
            if self.tokens[-1] == "#":
                self.tokens.pop()


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def normalise(html: str) -> str:
    parser = Normaliser()
    parser.feed(html)
    parser.close()
    tokens = parser.tokens
    for at, token in enumerate(tokens):  # (whitespace after a block's tag)
        if at and token.startswith("#") and _is_block_tag(tokens[at - 1]):
            tokens[at] = "#" + token[1:].lstrip() if not tokens[at - 1].startswith("<pre") \
                else token
    return "".join(t if not t.startswith("#") else _escape(t[1:]) for t in tokens
                   if t != "#").strip()


def _is_block_tag(token: str) -> bool:
    match = re.match(r"</?([a-z0-9]+)", token)
    return bool(match) and match[1] in BLOCK


def plain_converter() -> Callable[[str], str]:
    """Python-Markdown as the reader used it before, smart quotes off."""
    md = markdown.Markdown(extensions=BEFORE, extension_configs={
        "smarty": {"smart_quotes": False}, "tables": {"use_align_attribute": True}},
        output_format="xhtml")
    return lambda text: md.reset().convert(text)


def our_converter() -> Callable[[str], str]:
    """The reader's converter, as for a language without smart quotes."""
    from builder.readers.markdown import converter

    return lambda text: converter("und").convert(text)


def passes(convert: Callable[[str], str], example: dict) -> bool:
    try:
        return normalise(convert(example["markdown"])) == normalise(example["html"])
    except Exception:  # noqa: BLE001 (a crash is a failure, counted like any)
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every section of the spec")
    parser.add_argument("--failures", metavar="SECTION", help="show this section's failures")
    parser.add_argument("--regressions", action="store_true",
                        help="show the examples that passed before and fail after")
    args = parser.parse_args(argv)
    examples = json.loads(SPEC.read_text(encoding="utf-8"))
    before, after = plain_converter(), our_converter()
    if args.failures or args.regressions:
        for example in examples:
            if args.failures and example["section"] != args.failures or passes(after, example):
                continue
            if not args.regressions or passes(before, example):
                _show(example, after)
        return 0
    sections = list(dict.fromkeys(e["section"] for e in examples)) if args.all else SECTIONS
    print(f"{'section':42} {'examples':>8} {'before':>14} {'after':>14}")
    totals = [0, 0, 0]
    for section in sections:
        chosen = [e for e in examples if e["section"] == section]
        counts = [len(chosen), sum(passes(before, e) for e in chosen),
                  sum(passes(after, e) for e in chosen)]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        print(f"{section:42} {counts[0]:8} {_rate(counts[1], counts[0]):>14} "
              f"{_rate(counts[2], counts[0]):>14}")
    print(f"{'total':42} {totals[0]:8} {_rate(totals[1], totals[0]):>14} "
          f"{_rate(totals[2], totals[0]):>14}")
    chosen = [e for e in examples if e["section"] in sections]
    meant = [e for e in chosen if e["example"] in ON_PURPOSE and not passes(after, e)]
    if meant:
        print(f"(after: {len(meant)} of the failures are on purpose: "
              + ", ".join(f"{e['example']} {ON_PURPOSE[e['example']]}" for e in meant) + ")")
    return 0


def _show(example: dict, convert: Callable[[str], str]) -> None:
    print(f"--- example {example['example']} ({example['section']})\n{example['markdown']}"
          f"expected: {normalise(example['html'])}\n"
          f"ours:     {normalise(convert(example['markdown']))}")


def _rate(passed: int, total: int) -> str:
    return f"{passed} ({100 * passed / total:.0f} %)" if total else "-"


if __name__ == "__main__":
    sys.exit(main())
