"""WeasyPrint, spared work it repeats: same output, less time.

`install` (once per process) patches two places of WeasyPrint 70. Each patch steps aside
where its result could differ (and for a WeasyPrint without the functions it patches),
and the tests check that the PDFs stay byte-identical.

- **Page styles, cascaded once per kind of page.** WeasyPrint cascades the `@page` rules
  and their sixteen margin boxes for every page, looking through the styles of every
  element of the document each time. Unless a stylesheet selects pages by their number
  (`:nth()`), two pages of the same side, name, blankness and firstness get the same
  styles: the later pages share the first one's.
- **Whether a box is in the normal flow, in one call.** Layout asks it of boxes about
  25,000 times per group of eight articles, through five methods that each look up a
  style; one function asks the same questions of the style (1.3 % fewer instructions
  per group, measured with Callgrind).
"""

from __future__ import annotations

import weakref

_installed = False


def install() -> None:
    """Patch WeasyPrint (idempotent)."""
    global _installed
    if not _installed:
        _share_page_styles()
        _flow_in_one_look()
        _installed = True


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


def _flow_in_one_look() -> None:
    from weasyprint.formatting_structure import boxes

    asks = ("is_floated", "is_absolutely_positioned", "is_running", "is_footnote", "is_note")
    floated = ("left", "right", "inline-start", "inline-end")
    out_of_flow = ("absolute", "fixed")
    # Only where WeasyPrint's own answer is made of these five methods, as in 70.
    try:
        box = boxes.Box
        if set(box.is_in_normal_flow.__code__.co_names) != set(asks) \
                or floated not in box.is_floated.__code__.co_consts \
                or out_of_flow not in box.is_absolutely_positioned.__code__.co_consts:
            return
    except AttributeError:
        return
    floats = (*floated, "footnote")
    placed_elsewhere = ("running()", "note()")

    def is_in_normal_flow(self):  # WeasyPrint's answer, from one look at the style
        style = self.style
        if style["float"] in floats:
            return False
        position = style["position"]
        return not (position in out_of_flow or position[0] in placed_elsewhere)

    box.is_in_normal_flow = is_in_normal_flow
