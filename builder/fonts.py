"""Which characters the bundled fonts can draw.

Text outside them is still typeset, with whatever fonts the building machine has,
which makes the output depend on that machine: the build says so.
"""

from __future__ import annotations

import functools
import unicodedata

from .assets import FONT_TYPES, STYLES
from .errors import Report


@functools.cache
def covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    found: set[int] = set()
    for path in (STYLES / "fonts").iterdir():
        if path.suffix.lower() in FONT_TYPES:
            with TTFont(path, lazy=True) as font:
                found.update(font.getBestCmap())
    return frozenset(found)


def check_coverage(text: str, source, report: Report) -> None:
    have = covered()
    missing = sorted({ch for ch in set(text) if ord(ch) not in have and not ch.isspace()
                      and unicodedata.category(ch)[0] not in "CZ"})
    if missing:
        shown = " ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
        report.warn(f"{len(missing)} character(s) that the bundled fonts lack ({shown}); "
                    f"they are drawn with this machine's fonts, if it has any", source,
                    code="font-coverage", near=missing[0])
