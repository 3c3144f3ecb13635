"""Article metadata: the known keys, their types and limits, wherever they are given
(front matter, header block, or the edition file's article table)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from .errors import BuildError
from .text import xml_safe

LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
ARTICLE_KEYS = ("title", "subtitle", "author", "date", "section", "summary", "tags", "lang",
                "image", "image_alt", "dateline", "dir")
DIRECTIONS = ("ltr", "rtl")


def check_lang(value: Any, describe: str, path: Path, line: int | None = None) -> str:
    if not isinstance(value, str) or not LANG_RE.match(value):
        raise BuildError(f"{describe} must be a BCP 47 language tag such as 'en' or 'pt-BR', "
                         f"not {value!r}", path, line)
    return value


# Longest value accepted per key, in characters: beyond this it is not a title but a mistake.
MAX_CHARS = {"title": 500, "subtitle": 500, "author": 200, "section": 200, "summary": 3000,
             "tags": 100, "lang": 35, "image": 1000, "image_alt": 1000, "dateline": 100, "dir": 3}
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
        elif key == "dir":
            if value not in DIRECTIONS:
                raise BuildError(f"'dir' must be 'ltr' or 'rtl', not {value!r}", path, line)
            meta["dir"] = value
        else:
            meta[key] = _text(value, key, path, line)
    return meta
