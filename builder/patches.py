"""The switch for every patch of library or interpreter internals: `EDITION_PATCHES`.

Unset, `1` or `all`: every patch on. `0`, `off` or `none`: every patch off (WeasyPrint
and CPython as they come; the tests check the outputs are the same). A comma list,
`EDITION_PATCHES=page-styles,frame-stack`: only those named. The patches are described
where they live: `writers/internals.py` (WeasyPrint) and `framestack.py` (CPython).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

SWITCH = "EDITION_PATCHES"
PATCHES = ("page-styles", "whole-fonts", "frame-stack")
_OFF = frozenset({"0", "off", "no", "false", "none"})
_ALL = frozenset({"", "1", "on", "yes", "true", "all"})


def wanted(name: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the switch lets the patch `name` run."""
    value = environ.get(SWITCH, "").strip().lower()
    if value in _OFF:
        return False
    return value in _ALL or name in {part.strip() for part in value.split(",")}
