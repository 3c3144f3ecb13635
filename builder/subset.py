"""Fonts cut down to what a book uses, with HarfBuzz's subsetter (through uharfbuzz).

- `for_pdf`: the glyphs a PDF draws, kept at their ids (its text names glyphs by id),
  without the tables only shaping reads: shaping is done. As WeasyPrint subsets the
  fonts of a book typeset in one piece; the join does it for a book typeset in chunks.
- `for_text`: the characters a text uses, with every glyph shaping can reach from them
  (ligatures, Arabic joining forms, Indic conjuncts): for the EPUB, whose reading
  system shapes the text itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uharfbuzz as hb

# The tables WeasyPrint leaves out of the fonts it embeds.
SHAPING_ONLY = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH",
                "PCLT", "SVG ")
# Features the stylesheets may ask for (figures, small capitals), beside those of shaping.
STYLED = ("lnum", "onum", "pnum", "tnum", "smcp", "c2sc", "case", "frac", "sups", "subs",
          "ordn", "zero")


def for_pdf(data: bytes, glyphs: Iterable[int]) -> bytes:
    import uharfbuzz as hb

    plan = hb.SubsetInput()
    plan.glyph_set.update({0, *glyphs})
    plan.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                  | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    plan.drop_table_tag_set.update(_tag(tag) for tag in SHAPING_ONLY)
    return _run(data, plan)


def for_text(data: bytes, characters: Iterable[int]) -> bytes:
    import uharfbuzz as hb

    plan = hb.SubsetInput()
    plan.unicode_set.update(characters)
    # HarfBuzz keeps the features shaping needs; the stylesheets ask for these too.
    plan.layout_feature_tag_set.update(_tag(tag) for tag in STYLED)
    plan.flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
    return _run(data, plan)


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def _run(data: bytes, plan: hb.SubsetInput) -> bytes:
    import uharfbuzz as hb

    try:
        return hb.subset(hb.Face(data), plan).blob.data
    except RuntimeError:  # HarfBuzz could not (a WOFF file, say): the font as it was is right
        return data
