"""The print edition's pages, found in the PDF's layout and marked in the EPUB.

Where a page begins is named in terms both outputs share: the part of the book it is
in (an article's id, or `cover`, `title-page`, `contents`), the path of element
indexes from that part's element down to the block holding the page's first line, and
how many letters of that block's text come before the line. Only letters count: not
white space (which layout collapses), soft hyphens, the hyphens hyphenation adds, nor
footnotes (print sets their text at the foot of the page, the EPUB after the article);
an image counts as one letter, so a page can begin at one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

FRONT = ("cover", "title-page", "contents")
IMAGE = "\ufffc"
HYPHENS = "\u2010-"
GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")
_NOT_LETTERS = re.compile(r"[\s\u00ad]+")


@dataclass(frozen=True)
class PageStart:
    part: str
    path: tuple[int, ...] = ()
    offset: int = 0


def letters(text: str) -> str:
    return _NOT_LETTERS.sub("", text)


def fold(text: str) -> str:
    """Lower case, letter for letter (text-transform changes case in print)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def is_note(element) -> bool:
    """A footnote (print: its text at the call) or a call to one (EPUB, and print's
    second calls): neither counts as the text of the block it is in."""
    classes = (element.get("class") or "").split()
    return local(element.tag) in ("a", "span") and ("footnote" in classes
                                                    or "noteref" in classes)


def _part_of(element) -> str | None:
    ident = element.get("id")
    if ident in FRONT or (ident and local(element.tag) == "article"):
        return ident
    return None


def _children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def block_text(block) -> str:
    """The block's letters, as `PageStart.offset` counts them."""
    return "".join(IMAGE if kind == "img" else letters(text or "")
                   for _, kind, text in slots(block))


def slots(element) -> Iterator[tuple[object, str, str | None]]:
    """The element's text in reading order: (holder, "text" or "tail", string) for text
    and (img, "img", None) for an image; footnotes and comments are passed over."""
    yield element, "text", element.text
    for child in element:
        if isinstance(child.tag, str) and not is_note(child):
            if local(child.tag) == "img":
                yield child, "img", None
            else:
                yield from slots(child)
        yield child, "tail", child.tail


# --- the PDF side: WeasyPrint's laid-out pages -------------------------------------------


class LayoutReader:
    """Reads laid-out pages in order, remembering how far each block's text has got."""

    def __init__(self, root):
        self.parents = {child: parent for parent in root.iter() for child in parent}
        self.done: dict[object, int] = {}  # block element -> letters laid out so far
        self.texts: dict[object, str] = {}
        self.headers: set[object] = set()  # table header rows already set on a page
        self.parts: set[str] = set()

    def page_start(self, page_box) -> PageStart | None:
        start = None
        repeated = set(self.headers)
        for box, block in _leaves(page_box, None, repeated, self.headers):
            at = self._consume(box, block)
            if start is None and block is not None:
                start = self._locate(block, at)
        return start

    def _consume(self, box, block) -> int:
        """Move past the box's text in its block; where in the block's letters it began."""
        from weasyprint.formatting_structure import boxes

        if block is None:
            return 0
        if block not in self.texts:
            self.texts[block] = fold(block_text(block))
        text, pos = self.texts[block], self.done.get(block, 0)
        piece = IMAGE if isinstance(box, boxes.ReplacedBox) else fold(letters(box.text))
        if not piece:
            return pos
        if text.startswith(piece, pos):
            start, end = pos, pos + len(piece)
        elif piece[-1] in HYPHENS and text.startswith(piece[:-1], pos):
            start, end = pos, pos + len(piece) - 1  # the hyphen hyphenation added
        else:  # text the layout made (rarely: a transform): find where the piece goes on
            found = text.find(piece.rstrip(HYPHENS), pos)
            if found < 0:
                return pos
            start, end = found, found + len(piece.rstrip(HYPHENS))
        self.done[block] = end
        return start

    def _locate(self, block, offset: int) -> PageStart | None:
        path, element = [], block
        while _part_of(element) is None:
            parent = self.parents.get(element)
            if parent is None:
                return None
            path.append(_children(parent).index(element))
            element = parent
        part = _part_of(element)
        if part not in self.parts:  # the part begins on this page: mark its beginning
            self.parts.add(part)
            return PageStart(part)
        return PageStart(part, tuple(reversed(path)), offset)


def _leaves(box, block, repeated: set, headers: set) -> Iterator[tuple[object, object]]:
    """The main flow's text and image boxes, with the element of the block holding each;
    running heads, footnotes, generated text and repeated table headers are left out."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
        return
    if (box.element_tag or "").endswith(GENERATED):
        return
    element = box.element
    if element is not None and is_note(element):
        return
    if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
        if element in repeated:
            return
        headers.add(element)
    if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
        yield box, block
        return
    if isinstance(box, boxes.BlockContainerBox) and element is not None:
        block = element
    for child in getattr(box, "children", ()):
        yield from _leaves(child, block, repeated, headers)


def fill_blanks(starts: Sequence[PageStart | None]) -> tuple[PageStart | None, ...]:
    """A page without text (a blank verso) begins where the next page with text does
    (or, at the end, where the last one did): every page gets a marker."""
    filled = list(starts)
    for n in range(len(filled) - 2, -1, -1):
        filled[n] = filled[n] or filled[n + 1]
    for n in range(1, len(filled)):
        filled[n] = filled[n] or filled[n - 1]
    return tuple(filled)


def page_starts(pages: Iterable, root) -> tuple[PageStart | None, ...]:
    """Where each of a WeasyPrint document's pages begins; `root` is its element tree."""
    reader = LayoutReader(root)
    return tuple(reader.page_start(page._page_box) for page in pages)


# --- the EPUB side: the same parts as XHTML documents ---------------------------------------


def insert_markers(part, marks: list[tuple[PageStart, object]]) -> None:
    """Set each marker element (lxml) where its page begins inside `part`, the element
    of an EPUB document that `PageStart.part` names."""
    placed = [(_resolve(part, start.path), start, marker) for start, marker in marks]
    for block, start, marker in sorted(placed, key=lambda p: -p[1].offset):
        if not start.path and not start.offset:  # a page that begins with the part
            _insert_first(part, marker)
        else:
            _insert(block, start.offset, marker)


def _insert_first(part, marker) -> None:
    """Before the part's content, after the markers already there (a blank page's)."""
    at = 0
    while at < len(part) and part[at].get("role") == "doc-pagebreak":
        at += 1
    if at:
        marker.tail, part[at - 1].tail = part[at - 1].tail, None
    else:
        marker.tail, part.text = part.text, None
    part.insert(at, marker)


def _resolve(part, path: tuple[int, ...]):
    element = part
    for index in path:
        children = _children(element)
        if index >= len(children):
            break
        element = children[index]
    return element


def _insert(block, offset: int, marker) -> None:
    count = 0
    for holder, kind, text in list(slots(block)):
        if kind == "img":
            if count == offset:
                holder.addprevious(marker)
                return
            count += 1
            continue
        for i, char in enumerate(text or ""):
            if char.isspace() or char == "\u00ad":
                continue
            if count == offset:
                _split(holder, kind, text, _word_start(text, i), marker)
                return
            count += 1
    block.append(marker)


def _word_start(text: str, i: int) -> int:
    """A page that begins inside a word (hyphenated across pages) is marked before it."""
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _split(holder, kind: str, text: str, i: int, marker) -> None:
    marker.tail = text[i:]
    if kind == "text":
        holder.text = text[:i]
        holder.insert(0, marker)
    else:
        holder.tail = text[:i]
        holder.addnext(marker)
