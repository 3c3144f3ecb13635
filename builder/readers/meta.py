"""Article metadata shared by every reader: known keys, types, and merging."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..edition import ARTICLE_KEYS, check_lang
from ..errors import BuildError, Report
from ..text import xml_safe


@dataclass(frozen=True)
class Draft:
    """What a reader gives: checked metadata and a body HTML fragment (unsanitised)."""

    path: Path
    meta: dict[str, Any]
    html: str
    extra: dict[str, str] = field(default_factory=dict)


# Longest value accepted per key, in characters: beyond this it is not a title but a mistake.
MAX_CHARS = {"title": 500, "subtitle": 500, "author": 200, "section": 200, "summary": 3000,
             "tags": 100, "lang": 35, "image": 1000}
MAX_ITEMS = 100


def _text(value: Any, key: str, path: Path, line: int | None) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(xml_safe(str(value)).split())
        if len(text) > MAX_CHARS[key]:
            raise BuildError(f"'{key}' is {len(text)} characters long; the limit is "
                             f"{MAX_CHARS[key]}", path, line)
        return text
    raise BuildError(f"'{key}' must be text, not {type(value).__name__}", path, line)


def _list(value: Any, key: str, path: Path, line: int | None, split: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items = re.split(split, value)
    elif isinstance(value, list):
        items = [_text(v, key, path, line) for v in value]
    else:
        raise BuildError(f"'{key}' must be text or a list of text, not "
                         f"{type(value).__name__}", path, line)
    if len(items) > MAX_ITEMS:
        raise BuildError(f"'{key}' lists {len(items)} entries; the limit is {MAX_ITEMS}",
                         path, line)
    items = [_text(i, key, path, line) for i in items]
    return tuple(i for i in items if i)


def _date(value: Any, path: Path, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise BuildError(f"'date' must be a date like 2026-11-21, not {value!r}", path, line)


def normalise(raw: dict[str, Any], path: Path, lines: dict[str, int] | None = None,
              author_split: str = r";") -> dict[str, Any]:
    """Check and convert known keys; unknown keys are the caller's business."""
    lines = lines or {}
    meta: dict[str, Any] = {}
    for key, value in raw.items():
        line = lines.get(key)
        if value is None or key not in ARTICLE_KEYS:
            continue
        if key == "author":
            meta["authors"] = _list(value, key, path, line, author_split)
        elif key == "tags":
            meta["tags"] = _list(value, key, path, line, r",")
        elif key == "date":
            meta["date"] = _date(value, path, line)
        elif key == "lang":
            meta["lang"] = check_lang(value, "'lang'", path, line)
        else:
            meta[key] = _text(value, key, path, line)
    return meta


def merge(path: Path, own: dict[str, Any], own_lines: dict[str, int], overrides: dict,
          defaults: dict, report: Report, author_split: str = r";") -> tuple[dict, dict]:
    """The file's metadata, overridden by the edition's; unknown keys warned about."""
    extra = {}
    for key, value in own.items():
        if key not in ARTICLE_KEYS:
            report.warn(f"unknown metadata key '{key}' (kept, not shown)", path,
                        own_lines.get(key))
            extra[key] = str(value)
    meta = {**defaults, **normalise(own, path, own_lines, author_split),
            **normalise(overrides, path)}
    return meta, extra
