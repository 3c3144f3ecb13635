"""WeasyPrint, spared work it repeats: same output, less time.

Two places where WeasyPrint 70 does again, for every document or every page, work whose
result it already has. `install` patches both, once per process; each patch steps
aside where its result could differ (and for a WeasyPrint without the functions it
patches), and the tests check that the PDFs stay byte-identical.

- **Whole fonts, read once per process.** A chunk of a parallel PDF build embeds whole
  fonts (so that the join keeps one copy of each). For a whole font, WeasyPrint reads
  every glyph's width and the character map with fontTools in every document it writes:
  about a tenth of a second of each chunk, for the same few files. The opened font file
  is kept, keyed by its digest. fontTools objects are only read in that part of
  WeasyPrint; fonts it rewrites before embedding them (variable fonts made static,
  colour fonts emptied of their pictures) are opened afresh.
- **Page styles, cascaded once per kind of page.** WeasyPrint cascades the `@page` rules
  and their sixteen margin boxes for every page, looking through the styles of every
  element of the document each time. Unless a stylesheet selects pages by their number
  (`:nth()`), two pages of the same side, name, blankness and firstness get the same
  styles: the later pages share the first one's.
"""

from __future__ import annotations

import hashlib
import threading
import weakref

_fonts: dict[tuple[bytes, int], object] = {}
_writing = threading.local()  # .whole: True while this thread reads a document's whole fonts
_kept_fonts_in_use = threading.Lock()  # fontTools objects are not made for threads
_installed = False


def install() -> None:
    """Patch WeasyPrint (idempotent)."""
    global _installed
    if not _installed:
        _keep_whole_fonts()
        _share_page_styles()
        _installed = True


def _keep_whole_fonts() -> None:
    from weasyprint import pdf
    from weasyprint.pdf import fonts

    build = getattr(fonts, "build_fonts_dictionary", None)
    opener = getattr(fonts, "TTFont", None)
    if build is None or opener is None or getattr(pdf, "build_fonts_dictionary", None) \
            is not build:
        return

    def opened(file, fontNumber=-1, **options):  # noqa: N803 (fontTools' name)
        if not getattr(_writing, "whole", False):
            return opener(file, fontNumber=fontNumber, **options)
        key = (hashlib.md5(file.getvalue(), usedforsecurity=False).digest(), fontNumber)
        if key not in _fonts:
            _fonts[key] = opener(file, fontNumber=fontNumber, **options)
        return _fonts[key]

    def build_fonts_dictionary(pdf_, document_fonts, compress, subset, options):
        rewritten = any("fvar" in font.tables or font.png or font.svg
                        or getattr(font, "colr", False) for font in document_fonts.values())
        if subset or rewritten:
            return build(pdf_, document_fonts, compress, subset, options)
        with _kept_fonts_in_use:
            _writing.whole = True
            try:
                return build(pdf_, document_fonts, compress, subset, options)
            finally:
                _writing.whole = False

    # WeasyPrint's PDF writer calls the function by the name it imported.
    pdf.build_fonts_dictionary = fonts.build_fonts_dictionary = build_fonts_dictionary
    fonts.TTFont = opened


def _share_page_styles() -> None:
    from weasyprint.layout import page as layout

    cascade = getattr(layout, "set_page_type_computed_styles", None)
    if cascade is None:
        return
    # StyleFor (one per document) -> page kind -> (first page type, its pseudo-elements),
    # or None when pages are selected by number.
    kinds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def set_page_type_computed_styles(page_type, html, style_for):
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


def _numbers_pages(style_for) -> bool:
    """Whether a stylesheet selects pages by number (`@page :nth(…)`); in doubt, yes."""
    sheets = getattr(style_for, "_sheets", None)
    if sheets is None:
        return True
    return any(selector[2].index is not None
               for sheet, _origin, _specificity in sheets
               for _rule, selectors, _declarations in sheet.page_rules
               for selector in selectors)


def fonts_kept() -> int:
    """How many font files this process has read and kept (for tests)."""
    return len(_fonts)
