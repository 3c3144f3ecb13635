"""The print edition's pages, as both outputs count them, and marked in the EPUB.

Where a page begins is named in terms both outputs share: the part of the book it is
in (an article's id, or `cover`, `title-page`, `contents`), the path of element
indexes from that part's element down to the block holding the page's first line, and
how many letters of that block's text come before the line. Only letters count: not
white space (which layout collapses), soft hyphens, the hyphens hyphenation adds, nor
footnotes (print sets their text at the foot of the page, the EPUB after the article);
an image counts as one letter, so a page can begin at one.

The PDF side, which reads WeasyPrint's laid-out boxes, is `writers.internals.page_starts`;
this module holds what both sides share and the EPUB side (markers set in the XHTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .models import PageStart

if TYPE_CHECKING:
    from xml.etree import ElementTree

    from lxml import etree

    # The EPUB's documents are lxml's trees; WeasyPrint's is the standard library's.
    AnyElement = etree._Element | ElementTree.Element

FRONT = ("cover", "title-page", "contents")
IMAGE = "\ufffc"
HYPHENS = "\u2010-"
GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")
_NOT_LETTERS = re.compile(r"[\s\u00ad]+")


def letters(text: str) -> str:
    return _NOT_LETTERS.sub("", text)


def fold(text: str) -> str:
    """Lower case, letter for letter (text-transform changes case in print)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def is_note(element: AnyElement) -> bool:
    """A footnote (print: its text at the call) or a call to one (EPUB, and print's
    second calls): neither counts as the text of the block it is in."""
    classes = (element.get("class") or "").split()
    return local(element.tag) in ("a", "span") and ("footnote" in classes
                                                    or "noteref" in classes)


def part_of(element: AnyElement) -> str | None:
    ident = element.get("id")
    if ident in FRONT or (ident and local(element.tag) == "article"):
        return ident
    return None


def children(element: AnyElement) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def block_text(block: AnyElement) -> str:
    """The block's letters, as `PageStart.offset` counts them."""
    return "".join(IMAGE if kind == "img" else letters(text or "")
                   for _, kind, text in slots(block))


def slots(element: AnyElement) -> Iterator[tuple[object, str, str | None]]:
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


def fill_blanks(starts: Sequence[PageStart | None]) -> tuple[PageStart | None, ...]:
    """A page without text (a blank verso) begins where the next page with text does
    (or, at the end, where the last one did): every page gets a marker."""
    filled = list(starts)
    for n in range(len(filled) - 2, -1, -1):
        filled[n] = filled[n] or filled[n + 1]
    for n in range(1, len(filled)):
        filled[n] = filled[n] or filled[n - 1]
    return tuple(filled)


# --- the EPUB side: the same parts as XHTML documents ---------------------------------------


def insert_markers(part: etree._Element, marks: list[tuple[PageStart, etree._Element]]) -> None:
    """Set each marker element (lxml) where its page begins inside `part`, the element
    of an EPUB document that `PageStart.part` names."""
    placed = [(_resolve(part, start.path), start, marker) for start, marker in marks]
    for block, start, marker in sorted(placed, key=lambda p: -p[1].offset):
        if not start.path and not start.offset:  # a page that begins with the part
            _insert_first(part, marker)
        else:
            _insert(block, start.offset, marker)


def _insert_first(part: etree._Element, marker: etree._Element) -> None:
    """Before the part's content, after the markers already there (a blank page's)."""
    at = 0
    while at < len(part) and part[at].get("role") == "doc-pagebreak":
        at += 1
    if at:
        marker.tail, part[at - 1].tail = part[at - 1].tail, None
    else:
        marker.tail, part.text = part.text, None
    part.insert(at, marker)


def _resolve(part: etree._Element, path: tuple[int, ...]) -> etree._Element:
    element = part
    for index in path:
        below = children(element)
        if index >= len(below):
            break
        element = below[index]
    return element


def _insert(block: etree._Element, offset: int, marker: etree._Element) -> None:
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


def _split(holder: etree._Element, kind: str, text: str, i: int, marker: etree._Element) -> None:
    marker.tail = text[i:]
    if kind == "text":
        holder.text = text[:i]
        holder.insert(0, marker)
    else:
        holder.tail = text[:i]
        holder.addnext(marker)
