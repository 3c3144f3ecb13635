"""Lists nested the way CommonMark nests them, rewritten for Python-Markdown.

CommonMark puts a line inside a list item when the line is indented at least to the
item's content column: two spaces under `- item`, three under `1. item`, four under
`10. item`. Python-Markdown nests only by steps of four spaces, so a list nested by two
or three spaces (as GitHub, Obsidian, Typora and Google Docs write it) would be
flattened into its parent. `reindent` reads the lines as CommonMark does and writes
every line of a list item at Python-Markdown's four spaces a level, keeping whatever
indentation the line has beyond its item's content column (an indented code block in
an item stays one). Along the way it also:

- puts a blank line before a list that interrupts a paragraph (CommonMark needs none);
- writes a fenced code block inside an item as an indented one (Python-Markdown reads
  fences only at the margin);
- separates two lists that CommonMark keeps apart (a change of bullet character or of
  `.` and `)`) with a paragraph of SEPARATOR alone, and writes an empty item as
  SEPARATOR (a `-` alone would underline the line above as a heading): `ListShapes`
  removes both;
- escapes a line that Python-Markdown would take for an item but CommonMark does not
  (`2. b` under a paragraph);
- notes whether each list is tight or loose as CommonMark has it (Python-Markdown
  decides item by item), for `ListShapes` to apply;
- reads block quotes the same way, inside their `>` marks, and the content of
  footnotes (`[^1]: …`) and definitions (`:   …`), indented by four spaces.

Fenced code at the margin, indented code, blocks of HTML and everything outside lists is
left as it is. Tabs are expected to be expanded already (Python-Markdown's first
preprocessor does it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

if TYPE_CHECKING:
    from xml.etree import ElementTree

    from markdown import Markdown

SEPARATOR = "\ue000"  # (a private-use character: no author writes it)
STEP = 4  # Python-Markdown's indentation of one list level
# Lists nested deeper stay at this depth (Python-Markdown's recursion would fail some
# hundreds of levels down); the cleaner refuses 48 levels, with a message.
DEEPEST = 64
MARKER = re.compile(r"([-+*]|(\d{1,9})[.)])( +|$)(.*)")
BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
FENCE = re.compile(r"(`{3,}(?!.*`)|~{3,})")
QUOTE = re.compile(r" {0,3}> ?")
BLOCKS = {"p", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
          "table", "dl", "div"}
HTML = re.compile(r" {0,3}<(?:/?[A-Za-z][A-Za-z0-9-]*(?:[ >/]|$)|!--|\?|![A-Z])")
CONTAINER = re.compile(r" {0,3}(\[\^[^\]\s]+\]:|:)(?: |$)")
NOTE, DEFINITION = "^", ":"  # (the kinds of Item for a footnote and a definition)
OTHER_BLOCK = re.compile(r"#{1,6}(?:[ \t]|$)|>|`{3,}|~{3,}")


@dataclass
class Item:
    content: int  # the source column of the item's content
    kind: str  # "-", "+", "*", "." or ")": a different kind begins a new list
    list: int  # the item's list, by its place in the text (-1: a list not counted)


@dataclass
class Fence:
    mark: str  # the opening fence (``` or ~~~, at least three)
    depth: int  # the number of list items it is in
    indent: int  # the opening fence's indentation, taken from each of its lines


class Rewriter:
    """One pass over the lines of a text (or of a block quote's inside)."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.out: list[str] = []
        self.last = "blank"  # the last line: "blank", "text", "item", "empty" (an item's
        # line with nothing after the marker) or "other"
        self.blank = False  # whether a blank line came since the last line of text
        self.fence: Fence | None = None
        self.loose: list[bool] = []  # each list's looseness, in the order lists begin
        self.began: dict[int, int] = {}  # where the last item at each depth began in `out`

    def feed(self, lines: list[str]) -> list[str]:
        at = 0
        while at < len(lines):
            line = lines[at]
            margin = not self.items or _indent(line) < self.items[0].content
            if self.fence or not margin:
                self._line(line)
                at += 1
            elif QUOTE.match(line):
                at = self._quote(lines, at)
            elif HTML.match(line) and self.last in ("blank", "other"):
                at = self._html(lines, at)
            else:
                self._line(line)
                at += 1
        return self.out

    def _html(self, lines: list[str], at: int) -> int:
        """A block of HTML at the margin, as it is, up to a blank line."""
        del self.items[:]
        while at < len(lines) and lines[at].strip():
            self.out.append(lines[at])
            at += 1
        self.last, self.blank = "other", False
        return at

    def _quote(self, lines: list[str], at: int) -> int:
        """A block quote at the margin: its inside, rewritten on its own."""
        if self.items and self.out and self.out[-1]:
            self.out.append("")  # (else Python-Markdown would keep it in the item)
        del self.items[:]
        inside = []
        while at < len(lines) and QUOTE.match(lines[at]):
            inside.append(lines[at][QUOTE.match(lines[at]).end():])
            at += 1
        quoted = Rewriter()
        self.out += [f"> {line}" if line else ">" for line in quoted.feed(inside)]
        self.loose += quoted.loose
        self.last = "text" if quoted.last == "text" else "other"  # (lazy lines may follow)
        self.blank = False
        return at

    def _line(self, line: str) -> None:
        if self.fence is not None and self._fenced(line):
            return
        if not line.strip():
            self.out.append("")
            self.last, self.blank = "blank", True
            return
        indent = _indent(line)
        kept = min(sum(1 for item in self.items if item.content <= indent), DEEPEST)
        column = self.items[kept - 1].content if kept else 0
        rest = line[column:]
        if indent - column >= STEP or BREAK.match(rest.lstrip(" ")):
            marker = None
        else:
            marker = MARKER.match(rest.lstrip(" "))
        container = CONTAINER.match(line) if not kept else None
        if container:
            self._container(line, container[1][0])
        elif marker and self._starts_item(marker, kept):
            self._item(marker, kept, indent)
        elif self._lazy(rest, kept, marker is not None):
            self.out.append(" " * STEP * len(self.items) + _literal(line.lstrip(" ")))
        else:
            self._block(rest, kept, indent - column)
        self.blank = False

    def _container(self, line: str, kind: str) -> None:
        """A footnote's or a definition's first line: what is indented by four spaces
        under it is its content, as in Python-Markdown."""
        del self.items[:]
        self.items.append(Item(STEP, NOTE if kind == "[" else DEFINITION, -1))
        self.out.append(line)
        self.last = "text"

    def _starts_item(self, marker: re.Match, kept: int) -> bool:
        """Whether a line that looks like a list item is one: a new list may interrupt a
        paragraph only with a bullet or `1.`, and not with an empty item."""
        if self.last not in ("text", "item") or kept < len(self.items):
            return True
        return bool(marker[4].strip()) and (marker[2] is None or int(marker[2]) == 1)

    def _item(self, marker: re.Match, kept: int, indent: int) -> None:
        bullet, number, spaces, text = marker.groups()
        kind = _kind(marker)
        sibling = self.items[kept] if kept < len(self.items) else None
        if sibling is not None and sibling.kind in (NOTE, DEFINITION):
            sibling = None
        if sibling is not None and sibling.kind != kind:
            self._separate(kept)
            sibling = None
        elif self.last in ("text", "other"):
            self.out.append("")  # (Python-Markdown's list needs a blank line above)
        elif kept < len(self.items) - 1 and self.out and self.out[-1] \
                and "" in self.out[self.began.get(kept, 0):]:
            # Back out of a nested list whose item holds a blank line: one more, or
            # Python-Markdown reads the item on in the block after that blank line
            # (`  * b` then `- c`: c under b).
            self.out.append("")
        self._spaced(kept, new_list=sibling is None)
        del self.items[kept:]
        in_note = any(item.kind == NOTE for item in self.items)
        if sibling is None and not in_note:  # (the notes' lists are left as they are)
            self.loose.append(False)
        code = len(spaces) > STEP and text  # (an indented code block on the item's line)
        width = 1 if code or not text else len(spaces)
        self.items.append(Item(indent + len(bullet) + width, kind,
                               sibling.list if sibling else -1 if in_note
                               else len(self.loose) - 1))
        shown = f"{int(number)}." if number else bullet
        fence = FENCE.match(text)
        # An empty first line is SEPARATOR, for Python-Markdown to see an item there
        # (a `-` alone under a line of text would underline it as a heading).
        first = SEPARATOR if fence or code or not text else text
        self.began[kept] = len(self.out)
        self.out.append(" " * STEP * kept + f"{shown} {first}")
        self.last = "item" if text else "empty"
        if fence:
            self._open_fence(fence[1], kept + 1, 0, after_marker=True)
        elif code:
            self.out += ["", " " * STEP * (kept + 1) + spaces[width:] + text]
            self.last = "other"

    def _spaced(self, kept: int, new_list: bool) -> None:
        """After a blank line, a block that begins in a list item (or a second item)
        makes the item's list loose."""
        if not self.blank:
            return
        item = self.items[kept] if not new_list else self.items[kept - 1] if kept else None
        if item is not None and item.list >= 0:
            self.loose[item.list] = True

    def _separate(self, depth: int) -> None:
        """End the list at `depth` for Python-Markdown, which would go on with it."""
        pad = " " * STEP * depth
        self.out += ["", pad + SEPARATOR, ""]

    def _lazy(self, rest: str, kept: int, is_marker: bool) -> bool:
        """A paragraph's continuation line, however little it is indented."""
        if kept == len(self.items) or self.last not in ("text", "item") or is_marker:
            return False
        return not OTHER_BLOCK.match(rest.lstrip(" ")) and not BREAK.match(rest.lstrip(" "))

    def _block(self, rest: str, kept: int, relative: int) -> None:
        """Any other line: it ends the items it is not indented into."""
        stripped = rest.lstrip(" ")
        code = relative >= STEP and self.last in ("blank", "other", "empty")
        if code and kept < len(self.items):
            self._separate(kept)  # (else Python-Markdown would take it into the item)
        elif code and self.last == "empty":
            self.out.append("")  # (Python-Markdown's code block needs a blank line above)
        elif kept and self.last in ("text", "item") and OTHER_BLOCK.match(stripped):
            self.out.append("")  # (a quote or heading in an item, as a block of its own)
        if kept and self.last != "text":
            self._spaced(kept, new_list=True)
        del self.items[kept:]
        if relative < STEP and self.last in ("text", "item") and not BREAK.match(stripped):
            rest = rest[:len(rest) - len(stripped)] + _literal(stripped)  # (not an item)
        self.out.append(" " * STEP * kept + rest)  # (at the margin, `rest` is the line)
        fence = FENCE.match(stripped) if relative < STEP else None
        if fence:
            self._open_fence(fence[1], kept, len(rest) - len(stripped))
        elif code or OTHER_BLOCK.match(stripped) or BREAK.match(stripped):
            self.last = "other"
        else:
            self.last = "text"

    def _open_fence(self, mark: str, depth: int, indent: int, after_marker: bool = False,
                    ) -> None:
        self.fence = Fence(mark, depth, indent)
        self.last = "other"
        if depth:  # (an indented code block instead, after a blank line)
            if after_marker:
                self.out.append("")
            else:
                self.out[-1] = ""  # (the opening fence)

    def _fenced(self, line: str) -> bool:
        """A line of fenced code; False if the line ends the items the fence is in."""
        fence = self.fence
        depth = fence.depth
        column = self.items[depth - 1].content if depth else 0
        indent = len(line) - len(line.lstrip(" "))
        if depth and line.strip() and indent < column:
            self.fence = None
            return False
        inner = line[min(column + fence.indent, indent):] if line.strip() else ""
        closing = re.fullmatch(rf" {{0,3}}{re.escape(fence.mark[0])}{{{len(fence.mark)},}} *",
                               line[column:])
        if closing:
            self.fence = None
        if not depth:
            self.out.append(line)
        elif closing:
            self.out.append("")
            self.last = "blank"
        else:
            self.out.append(" " * STEP * (depth + 1) + inner if inner else "")
        return True


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _literal(text: str) -> str:
    """A lazy continuation line that Python-Markdown would read as a list item, escaped."""
    marker = MARKER.match(text)
    if marker is None:
        return text
    return "\\" + text if marker[2] is None else f"{marker[2]}\\{text[len(marker[2]):]}"


def _kind(marker: re.Match) -> str:
    """The bullet character, or the ordered list's `.` or `)`."""
    return marker[1][-1]


def reindent(text: str) -> str:
    """`text` with its lists indented for Python-Markdown (see the module's docstring)."""
    return "\n".join(Rewriter().feed(text.split("\n")))


class ListIndent(Preprocessor):
    """`reindent` as a Python-Markdown preprocessor, after tabs are expanded; it keeps
    each list's looseness for `ListShapes`."""

    loose: list[bool] = []

    def run(self, lines: list[str]) -> list[str]:
        rewriter = Rewriter()
        out = rewriter.feed(lines)
        self.loose = rewriter.loose
        return out


class ListShapes(Treeprocessor):
    """Remove the paragraphs that only kept two lists apart, and make each list tight
    or loose as CommonMark has it: Python-Markdown decides item by item."""

    def __init__(self, md: Markdown, lists: ListIndent) -> None:
        super().__init__(md)
        self.lists = lists

    def run(self, root: ElementTree.Element) -> None:
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "p" and (child.text or "").strip() == SEPARATOR:
                    parent.remove(child)
        found = _lists(root)
        if len(found) == len(self.lists.loose):  # (else not all were ours: leave them)
            for element, loose in zip(found, self.lists.loose, strict=True):
                for item in element:
                    (_paragraphs if loose else _no_paragraphs)(item)
        for item in root.iter("li"):
            if item.text and SEPARATOR in item.text:
                item.text = item.text.replace(SEPARATOR, "").strip() or None


def _lists(root: ElementTree.Element) -> list[ElementTree.Element]:
    """The lists of the text, in order, without the footnotes' list."""
    notes = [div for div in root.iter("div") if div.get("class") == "footnote"]
    skipped = {id(el) for div in notes for el in div.iter()}
    return [el for el in root.iter() if el.tag in ("ul", "ol") and id(el) not in skipped]


def _no_paragraphs(item: ElementTree.Element) -> None:
    """A tight list's item: its paragraphs' text is the item's own."""
    for at, child in reversed(list(enumerate(item))):
        if child.tag != "p":
            continue
        inner = list(child)
        text = (child.text or "") + ("" if inner else (child.tail or ""))
        if inner:
            inner[-1].tail = (inner[-1].tail or "") + (child.tail or "")
        if at:
            item[at - 1].tail = (item[at - 1].tail or "") + text
        else:
            item.text = (item.text or "") + text
        item[at:at + 1] = inner


def _paragraphs(item: ElementTree.Element) -> None:
    """A loose list's item: text before its first block is a paragraph."""
    first = next((at for at, child in enumerate(item) if child.tag in BLOCKS), len(item))
    if not (item.text or "").strip() and not first:
        return
    paragraph = Element("p")
    paragraph.text = item.text
    paragraph[:] = list(item)[:first]
    if first:
        paragraph[-1].tail = (paragraph[-1].tail or "").rstrip() or None
    else:
        paragraph.text = (paragraph.text or "").rstrip()
    item.text = None
    item[:first] = [paragraph]


class NoSeparators(Postprocessor):
    """No SEPARATOR is left, even in raw HTML, where Python-Markdown keeps it as text."""

    def run(self, text: str) -> str:
        return text.replace(SEPARATOR, "")
