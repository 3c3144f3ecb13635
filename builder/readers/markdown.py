"""Markdown articles, with YAML front matter or a plain `Key: Value` header block.

The Markdown is Python-Markdown's with tables, footnotes, fenced code, definition lists,
abbreviations and smart punctuation, and as people write it elsewhere: lists nested by
their items' content column as in CommonMark (two, three or four spaces: see lists.py),
and GitHub's task lists, ~~strikethrough~~, bare web and mail links and a backslash
ending a line as a line break.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markdown
import yaml
from markdown.inlinepatterns import AutolinkInlineProcessor, SubstituteTagInlineProcessor
from markdown.treeprocessors import Treeprocessor

from ..errors import BuildError, Report, line_of
from ..labels import traditional_chinese
from ..metadata import ARTICLE_KEYS, normalise
from ..text import FOOTNOTE_TOKEN
from .lists import SEPARATOR, ListIndent, ListShapes, NoSeparators
from .meta import Draft, merge

if TYPE_CHECKING:
    import datetime as dt
    from xml.etree import ElementTree

EXTENSIONS = ["tables", "footnotes", "fenced_code", "def_list", "abbr", "smarty",
              "pymdownx.tilde", "pymdownx.magiclink"]
# GitHub's conveniences: ~~strikethrough~~ only (no ~subscript~), and bare web and mail
# addresses as links, without GitHub's @mentions and #issue shorthands.
CONFIGS: dict[str, dict[str, Any]] = {
    "tables": {"use_align_attribute": True},
    "footnotes": {"BACKLINK_TITLE": f"{FOOTNOTE_TOKEN} %d"},
    "pymdownx.tilde": {"subscript": False},
    "pymdownx.magiclink": {"repo_url_shorthand": False, "social_url_shorthand": False},
}
# A task list's boxes, as text our fonts draw (the sanitiser keeps no <input>).
BOXES = {False: "\u2610", True: "\u2611"}  # ☐ ☑
TASK = re.compile(r"\[([ xX])\] +")
AUTOLINK = r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*)>"  # (CommonMark's)
WEB_AND_MAIL = ("http://", "https://", "mailto:")
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_ -]*):(?:\s+(.*))?$")
HEADING_1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")  # `# Headline`

# Quotation marks by primary language subtag: (open double, close double, open single,
# close single). Languages not listed keep straight quotes; dashes and ellipses still apply.
QUOTES = {
    "en": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "nl": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "pt": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "de": ("&bdquo;", "&ldquo;", "&sbquo;", "&lsquo;"),
    "cs": ("&bdquo;", "&ldquo;", "&sbquo;", "&lsquo;"),
    "pl": ("&bdquo;", "&rdquo;", "&sbquo;", "&rsquo;"),
    "fr": ("&laquo;&#8239;", "&#8239;&raquo;", "&lsquo;", "&rsquo;"),
    "es": ("&laquo;", "&raquo;", "&ldquo;", "&rdquo;"),
    "it": ("&laquo;", "&raquo;", "&ldquo;", "&rdquo;"),
    "uk": ("&laquo;", "&raquo;", "&bdquo;", "&ldquo;"),
    "ru": ("&laquo;", "&raquo;", "&bdquo;", "&ldquo;"),
    "el": ("&laquo;", "&raquo;", "&ldquo;", "&rdquo;"),
    "sv": ("&rdquo;", "&rdquo;", "&rsquo;", "&rsquo;"),
    "fi": ("&rdquo;", "&rdquo;", "&rsquo;", "&rsquo;"),
    # Corner brackets for Japanese and Traditional Chinese; the single closing mark stays
    # the apostrophe it also is (McDonald’s), so single quotes keep their Latin form.
    "ko": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "ar": ("&laquo;", "&raquo;", "&lsquo;", "&rsquo;"),
    "fa": ("&laquo;", "&raquo;", "&lsquo;", "&rsquo;"),
    "he": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "hi": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "bn": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "ta": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
    "th": ("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;"),
}

# Chinese and Japanese put no space before an opening quotation mark, so SmartyPants
# cannot tell opening from closing marks: straight double quotes are paired instead, in
# turn within each block (corner brackets for Japanese and Traditional Chinese).
PAIRED = {"ja": ("\u300c", "\u300d"), "zh-hant": ("\u300c", "\u300d"),
          "zh": ("\u201c", "\u201d")}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
          "figcaption", "caption"}


class PairedQuotes(Treeprocessor):
    def __init__(self, md: markdown.Markdown, marks: tuple[str, str]) -> None:
        super().__init__(md)
        self.marks = marks

    def run(self, root: ElementTree.Element) -> None:
        for block in root.iter():
            if block.tag in BLOCKS:
                opened = False
                for node in block.iter():
                    if node.tag not in ("code", "pre"):  # (code as written)
                        node.text, opened = self._pair(node.text, opened)
                    if node is not block:
                        node.tail, opened = self._pair(node.tail, opened)

    def _pair(self, text: str | None, opened: bool) -> tuple[str | None, bool]:
        if not text or '"' not in text:
            return text, opened
        out = []
        for part in text.split('"')[:-1]:
            out += [part, self.marks[opened]]
            opened = not opened
        return "".join(out) + text.split('"')[-1], opened


class TaskBoxes(Treeprocessor):
    """A task list's items (`- [x] done`, `- [ ] to do`) begin with the BOXES."""

    def run(self, root: ElementTree.Element) -> None:
        for item in root.iter("li"):
            first = item[0] if len(item) and not (item.text or "").strip() else None
            holder = first if first is not None and first.tag == "p" else item
            match = TASK.match(holder.text or "")
            if match:
                holder.text = BOXES[match[1] != " "] + " " + holder.text[match.end():]


class WebLinksOnly(Treeprocessor):
    """An address written as is (bare or in `<…>`) that is neither a web nor a mail
    address (`ftp://…`, `irc://…`) stays text: no other scheme makes a link."""

    def run(self, root: ElementTree.Element) -> None:
        for parent in root.iter():
            for link in [child for child in parent if child.tag == "a"]:
                link.attrib.pop("magiclink", None)
                href = link.get("href", "")
                shown_as_is = href == (link.text or "") and not len(link)
                if href and shown_as_is and not href.lower().startswith(WEB_AND_MAIL):
                    _unwrap(parent, link)


def _unwrap(parent: ElementTree.Element, link: ElementTree.Element) -> None:
    """Put a link's text where the link was."""
    shown = (link.text or "") + (link.tail or "")
    at = list(parent).index(link)
    if at:
        parent[at - 1].tail = (parent[at - 1].tail or "") + shown
    else:
        parent.text = (parent.text or "") + shown
    parent.remove(link)


def build(lang_key: str, smarty: dict[str, Any]) -> markdown.Markdown:
    """A Python-Markdown converter with our extensions and our list handling."""
    md = markdown.Markdown(extensions=EXTENSIONS,
                           extension_configs={**CONFIGS, "smarty": smarty},
                           output_format="xhtml")
    md.parser.blockprocessors["olist"].LAZY_OL = False  # (`3.` begins a list at 3)
    # Lists after tabs are expanded (30), before fenced code is taken out (25).
    lists = ListIndent(md)
    md.preprocessors.register(lists, "list-indent", 28)
    # `<https://…>` as CommonMark has it (no spaces; only web links stay links, below).
    md.inlinePatterns.register(AutolinkInlineProcessor(AUTOLINK, md), "autolink", 120)
    # A backslash ending a line is a line break (after code spans and raw HTML are
    # taken out; backslash escapes leave it alone).
    md.inlinePatterns.register(SubstituteTagInlineProcessor(r"\\\n", "br"),
                               "backslash-break", 86)
    if lang_key in PAIRED:  # after the inline patterns (priority 20)
        md.treeprocessors.register(PairedQuotes(md, PAIRED[lang_key]), "paired-quotes", 5)
    md.treeprocessors.register(ListShapes(md, lists), "list-shapes", 4)
    md.treeprocessors.register(TaskBoxes(md), "task-boxes", 3)
    md.treeprocessors.register(WebLinksOnly(md), "web-links-only", 2)
    md.postprocessors.register(NoSeparators(md), "no-separators", 0)
    return md


_converters: dict[str, markdown.Markdown] = {}


def converter(lang: str) -> markdown.Markdown:
    primary = "zh-hant" if traditional_chinese(lang) else lang.split("-")[0].lower()
    key = primary if primary in QUOTES or primary in PAIRED else ""
    if key not in _converters:
        smarty: dict[str, Any] = {"smart_quotes": key in QUOTES}
        if key in QUOTES:
            names = ("left-double-quote", "right-double-quote", "left-single-quote",
                     "right-single-quote")
            smarty["substitutions"] = dict(zip(names, QUOTES[key], strict=True))
        _converters[key] = build(key, smarty)
    return _converters[key].reset()


def split_front_matter(text: str, path: Path) -> tuple[dict, dict[str, int], str]:
    """Return (metadata, line of each key, body)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                return _yaml(lines[1:end], path) + ("\n".join(lines[end + 1:]),)
        raise BuildError("front matter opened with '---' on line 1 is never closed; "
                         "end it with a line of '---'", path, 1)
    return _header_block(lines, path)


class _Loader(yaml.SafeLoader):
    """YAML as safe_load reads it, but an impossible date (2026-13-01) stays the text it
    is, for the metadata check to name with its key and line (PyYAML raises ValueError)."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | str:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _yaml(lines: list[str], path: Path) -> tuple[dict, dict[str, int]]:
    try:
        data = yaml.load("\n".join(lines), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 2 if mark is not None else None
        raise BuildError(f"malformed YAML front matter: {problem}", path, line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError("front matter must be a set of 'key: value' lines", path, 2)
    key_lines = {}
    for number, line in enumerate(lines, 2):
        match = re.match(r"^([^\s:#][^:]*):", line)
        if match and match[1] not in key_lines:
            key_lines[match[1].strip()] = number
    return {str(k): v for k, v in data.items()}, key_lines


def _header_block(lines: list[str], path: Path) -> tuple[dict, dict[str, int], str]:
    """`Title: …` lines up to the first blank line, if that is what the file starts with."""
    meta: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    last = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            break
        match = HEADER_LINE.match(line)
        if match:
            last = match[1].strip().lower()
            meta[last] = (match[2] or "").strip()
            key_lines[last] = number
        elif last and line[:1] in " \t":
            meta[last] += " " + line.strip()
        else:
            return {}, {}, "\n".join(lines)
    else:
        number = len(lines) + 1
    if not any(key in ARTICLE_KEYS or key == "authors" for key in meta):
        return {}, {}, "\n".join(lines)
    if "authors" in meta and "author" not in meta:
        meta["author"] = meta.pop("authors")
        key_lines["author"] = key_lines.pop("authors")
    return meta, key_lines, "\n".join(lines[number:])


def read_markdown(path: Path, text: str, overrides: dict, defaults: dict,
                  report: Report) -> Draft:
    own, key_lines, body = split_front_matter(text, path)
    is_header_block = bool(own) and not text.startswith("---")
    meta, extra = merge(path, own, key_lines, overrides, defaults, report,
                        author_split=r"[;,]" if is_header_block else r";")
    if not body.strip():
        raise BuildError("the article has no text after its metadata", path)
    if SEPARATOR in body:  # (reading lists uses it, and no font draws it)
        raise BuildError(f"the file holds U+{ord(SEPARATOR):04X}, a private-use character "
                         f"no font draws; remove it", path, line_of(path, SEPARATOR))
    if not meta.get("title"):
        body = _title_from_heading(body, meta, path, text.count("\n") - body.count("\n"))
    try:
        html = converter(meta["lang"]).convert(body)
    except (RuntimeError, RecursionError, ValueError, IndexError, KeyError) as exc:
        # Python-Markdown's own limits (footnotes nested in themselves, nesting too deep
        # for the interpreter): the file's markup, not a fault of the build. The
        # converter may be left half-way (reset() does not clear it): made anew.
        _converters.clear()
        raise BuildError(f"the Markdown converter gave up on this file ({type(exc).__name__}: "
                         f"{exc}); simplify its markup (footnotes, nested lists or quotes)",
                         path) from None
    return Draft(path, meta, html, extra)


def _title_from_heading(body: str, meta: dict, path: Path, first_line: int) -> str:
    """A body that opens with a level-1 heading (`# Headline`), in an article whose
    metadata gives no title: the heading is the title, and leaves the body."""
    lines = body.split("\n")
    at = next((n for n, line in enumerate(lines) if line.strip()), None)
    match = HEADING_1.match(lines[at]) if at is not None else None
    if match is None:
        return body
    from lxml import html as lxml_html

    shown = converter(meta["lang"]).convert(match[1])
    text = lxml_html.fragment_fromstring(shown, create_parent="div").text_content() \
        if shown.strip() else ""  # (a heading of a comment alone is no title)
    rest = "\n".join(lines[at + 1:])
    if not text.strip() or not rest.strip():  # (a heading alone is the article's text)
        return body
    meta.update(normalise({"title": text}, path, {"title": first_line + at}))
    return rest
