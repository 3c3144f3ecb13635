"""Every place where the builder reaches past the public API of WeasyPrint or ebooklib,
in one module, each checked against the versions it was written for.

- **Patches of WeasyPrint**, for speed or for smaller books; each steps aside where its
  result could differ, and the tests check that a book is byte-identical with and
  without them:
  - `page-styles`: page styles cascaded once per kind of page. WeasyPrint 70 makes new
    styles for every page (the page and its sixteen margin boxes, its footnote and note
    areas) and walks the styles of every page laid out before it, so the work grows with
    the square of the number of pages; unless a stylesheet selects pages by number
    (`:nth()`), two pages of the same side, name, blankness and firstness get the same
    styles, so the later pages share the first one's (`bench/patches.py` measures it;
    `docs/weasyprint-page-styles.md` proposes it to WeasyPrint).
  - `whole-fonts`: while a chunk of a parallel build is written, each font's whole file
    is embedded instead of a subset, so that the join keeps one copy of each (see
    `whole_font_files`).
  - `frame-stack` (in `builder/framestack.py`, a CPython matter): deep layout
    recursion run with room on Python's frame stack.
- **The structure tree of a tagged PDF** (`pdf/ua-1`), in `tagging.py`: WeasyPrint's
  tagging reworked (one tree across pages, running heads as artifacts, links in `Link`
  elements that say where they go). Not a patch under the switch: PDF/UA needs it; it
  is installed for WeasyPrint 70 only, and changes nothing in an untagged PDF.
- **Reads of WeasyPrint's laid-out boxes** (`page_starts`): where each page's text
  begins, for the EPUB's page list. Not a patch: nothing is changed.
- **ebooklib's package document** (`EpubWriter`): the `xml:lang` of the package.

`EDITION_PATCHES=0` (or `off`) in the environment turns every patch off; a comma list
(`EDITION_PATCHES=page-styles,whole-fonts`) turns on only those named (`builder.patches`).
It is read when a process first typesets, and is part of the build cache's key. With a
WeasyPrint other than the version below, the patches stay off, and the reads step aside
where the structures they read are missing; ebooklib is pinned to the version the
writer's override was written for (pyproject.toml).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from typing import TYPE_CHECKING

from ebooklib import epub

from .. import framestack
from ..models import PageStart
from ..pagebreaks import (
    GENERATED,
    HYPHENS,
    IMAGE,
    block_text,
    children,
    fold,
    is_note,
    letters,
    part_of,
)
from ..patches import wanted
from . import tagging

if TYPE_CHECKING:
    from xml.etree import ElementTree

    from lxml import etree
    from weasyprint import HTML
    from weasyprint.css import StyleFor
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.layout.page import PageType
    from weasyprint.pdf.fonts import Font

# The releases each patch was written for and tested with (a version prefix).
WRITTEN_FOR = {"weasyprint": "70."}


def patched(name: str) -> bool:
    """Whether the patch `name` is on: by the switch, and for the versions it knows."""
    if name == "frame-stack":
        return framestack.active()
    return wanted(name) and written_for("weasyprint")


def written_for(package: str) -> bool:
    return version(package).startswith(WRITTEN_FOR[package])


# --- WeasyPrint: page styles, cascaded once per kind of page ------------------------------

_installed = False


def install() -> None:
    """Apply the patches that are on to WeasyPrint (once per process)."""
    global _installed
    if not _installed:
        if patched("page-styles"):
            _share_page_styles()
        if patched("whole-fonts"):
            _keep_files()
        if written_for("weasyprint"):  # not a patch: what PDF/UA asks (tagging.py)
            tagging.install()
        _installed = True


def _share_page_styles() -> None:
    from weasyprint.layout import page as layout

    cascade = getattr(layout, "set_page_type_computed_styles", None)
    if cascade is None:
        return
    # StyleFor (one per document) -> page kind -> (first page type, its pseudo-elements),
    # or None when pages are selected by number.
    kinds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def set_page_type_computed_styles(page_type: PageType, html: HTML,
                                      style_for: StyleFor) -> None:
        if style_for not in kinds:
            kinds[style_for] = None if _numbers_pages(style_for) else {}
        seen = kinds[style_for]
        if seen is None:
            return cascade(page_type, html, style_for)
        kind = (page_type.side, page_type.blank, page_type.index == 0, page_type.name)
        cascaded = style_for.get_cascaded_styles()
        computed = style_for.get_computed_styles()
        if kind not in seen:
            cascade(page_type, html, style_for)
            seen[kind] = (page_type, [pseudo for element, pseudo in cascaded
                                      if pseudo and element == page_type])
            return None
        first, pseudos = seen[kind]
        for pseudo in (None, *pseudos):
            if (first, pseudo) in cascaded:
                cascaded[page_type, pseudo] = cascaded[first, pseudo]
            computed[page_type, pseudo] = computed[first, pseudo]
        return None

    layout.set_page_type_computed_styles = set_page_type_computed_styles


def _numbers_pages(style_for: StyleFor) -> bool:
    """Whether a stylesheet selects pages by number (`@page :nth(…)`); in doubt, yes."""
    sheets = getattr(style_for, "_sheets", None)
    if sheets is None:
        return True
    return any(selector[2].index is not None
               for sheet, _origin, _specificity in sheets
               for _rule, selectors, _declarations in sheet.page_rules
               for selector in selectors)


# --- WeasyPrint: whole font files in the chunks of a parallel build -------------------

_font_files = threading.local()  # .whole: True while this thread writes a chunk


@contextlib.contextmanager
def whole_font_files(whole: bool) -> Iterator[None]:
    """While a chunk is written, WeasyPrint embeds each font's whole file rather than a
    subset of the glyphs this chunk draws: every chunk then embeds the same files, and
    the join keeps one copy of each. The font dictionaries (widths, the map from glyphs
    to text) still list the glyphs drawn only, as in a book typeset in one piece.

    (WeasyPrint's own `full_fonts` option also embeds whole files, but lists all the
    thousands of glyphs of each font in every chunk: 5 to 9 % more instructions per
    chunk, measured with Callgrind.) With a WeasyPrint that subsets fonts elsewhere,
    chunks embed subsets: a valid book that holds one copy of each font per chunk."""
    before = getattr(_font_files, "whole", False)
    _font_files.whole = whole
    try:
        yield
    finally:
        _font_files.whole = before


def _keep_files() -> None:
    from weasyprint.pdf import fonts

    font = getattr(fonts, "Font", None)
    subset = getattr(font, "subset", None)
    if subset is None or getattr(subset, "keeps_whole_files", False):
        return

    def subset_unless_whole(self: Font, to_unicode: dict[int, str], hinting: bool) -> None:
        if not getattr(_font_files, "whole", False):
            subset(self, to_unicode, hinting)

    subset_unless_whole.keeps_whole_files = True
    font.subset = subset_unless_whole


# --- WeasyPrint: where each laid-out page begins -----------------------------------------


class LayoutReader:
    """Reads laid-out pages in order, remembering how far each block's text has got."""

    def __init__(self, root: ElementTree.Element) -> None:
        self.parents = {child: parent for parent in root.iter() for child in parent}
        self.done: dict[object, int] = {}  # block element -> letters laid out so far
        self.texts: dict[object, str] = {}
        self.headers: set[object] = set()  # table header rows already set on a page
        self.parts: set[str] = set()

    def page_start(self, page_box: PageBox) -> PageStart | None:
        start = None
        repeated = set(self.headers)
        for box, block in _leaves(page_box, None, repeated, self.headers):
            at = self._consume(box, block)
            if start is None and block is not None:
                start = self._locate(block, at)
        return start

    def _consume(self, box: Box, block: ElementTree.Element | None) -> int:
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

    def _locate(self, block: ElementTree.Element, offset: int) -> PageStart | None:
        path, element = [], block
        while part_of(element) is None:
            parent = self.parents.get(element)
            if parent is None:
                return None
            path.append(children(parent).index(element))
            element = parent
        part = part_of(element)
        if part not in self.parts:  # the part begins on this page: mark its beginning
            self.parts.add(part)
            return PageStart(part)
        return PageStart(part, tuple(reversed(path)), offset)


def _leaves(box: Box | AbsolutePlaceholder, block: ElementTree.Element | None, repeated: set,
            headers: set) -> Iterator[tuple[Box, ElementTree.Element | None]]:
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


def page_starts(pages: Iterable, root: ElementTree.Element) -> tuple[PageStart | None, ...]:
    """Where each of a WeasyPrint document's pages begins; `root` is its element tree.
    (A WeasyPrint whose pages keep their boxes elsewhere: no page is known to begin
    anywhere, and the EPUB has no page list.)"""
    pages = list(pages)
    if not all(hasattr(page, "_page_box") for page in pages):
        return (None,) * len(pages)
    reader = LayoutReader(root)
    return tuple(reader.page_start(page._page_box) for page in pages)


# --- ebooklib: the package document ----------------------------------------------------


class EpubWriter(epub.EpubWriter):
    """ebooklib's writer, with the package's language on the package element (Ace and
    other checkers read it there); `_write_opf_file` is ebooklib's own step."""

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)
