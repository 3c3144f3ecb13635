"""Article metadata shared by every reader: known keys, types, and merging."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Report
from ..metadata import ARTICLE_KEYS, normalise


@dataclass(frozen=True)
class Draft:
    """What a reader gives: checked metadata and a body HTML fragment (unsanitised)."""

    path: Path
    meta: dict[str, Any]
    html: str
    extra: dict[str, str] = field(default_factory=dict)


def merge(path: Path, own: dict[str, Any], own_lines: dict[str, int], overrides: dict,
          defaults: dict, report: Report, author_split: str = r";") -> tuple[dict, dict]:
    """The file's metadata, overridden by the edition's (already checked); unknown keys
    are kept and warned about."""
    extra = {}
    for key, value in own.items():
        if key not in ARTICLE_KEYS:
            report.warn(f"unknown metadata key '{key}' (kept, not shown)", path,
                        own_lines.get(key), code="unknown-key")
            extra[key] = str(value)
    meta = {**defaults, **normalise(own, path, own_lines, author_split), **overrides}
    return meta, extra
