"""Article metadata shared by every reader: known keys, types, and merging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any

from ..errors import BuildError, Report
from ..metadata import ARTICLE_KEYS, normalise
from ..text import xml_safe

# What a file that is not text starts with, and what to tell its owner.
NOT_TEXT = (
    (b"PK\x03\x04", "a zip file (a Word .docx or OpenDocument .odt?), not text; "
                     "give it its own extension (.docx, .odt)"),
    (b"\xd0\xcf\x11\xe0", "a Word 97-2003 (.doc) file, not text; open it in Word or "
                           "LibreOffice and save it as .docx"),
    (b"{\\rtf", "rich text (RTF), not plain text; save it as .docx"),
    (b"%PDF", "a PDF, not text; ask for the .docx or the text"),
)


@dataclass(frozen=True)
class Draft:
    """What a reader gives: checked metadata and a body HTML fragment (unsanitised);
    `attachments`: files that came inside the article's file (a Word file's images), by
    the address its HTML gives them (checked like any image when the body is cleaned)."""

    path: Path
    meta: dict[str, Any]
    html: str
    extra: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, bytes] = field(default_factory=dict)


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


def decode(path: Path, data: bytes) -> str:
    """The text of a UTF-8 file (a byte-order mark and Windows or old Mac line ends
    taken off); a file that is not UTF-8 text is a clear error saying what it is."""
    for magic, what in NOT_TEXT:
        if data.startswith(magic):
            raise BuildError(f"the file is {what}", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BuildError(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start}); save it as UTF-8 text", path, line) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BuildError("the article is empty", path)
    return xml_safe(text)


def decoded(read: Callable[..., Draft]) -> Callable[..., Draft]:
    """A reader of text made a reader of bytes."""
    @wraps(read)
    def read_bytes(path: Path, data: bytes, *args: Any, **options: Any) -> Draft:
        return read(path, decode(path, data), *args, **options)
    return read_bytes
