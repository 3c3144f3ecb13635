"""Readers turn one source file into a `Draft`: metadata plus a body HTML fragment.

Readers are chosen by file extension; adding a source format is adding a `Kind` to
`KINDS`. A reader is given the file's bytes (text formats decode them with `decoded`),
the metadata the edition gives the article, the defaults, the report for warnings and
the entry's reader options (`extract` for web pages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError, Report
from .docx import read_docx
from .markdown import read_markdown
from .meta import Draft, decoded
from .odt import read_odt
from .office import LIMIT as OFFICE_LIMIT
from .text import read_text
from .web import WEB_LIMIT, read_web

Reader = Callable[..., Draft]  # (path, data: bytes, overrides, defaults, report, **options)

TEXT_LIMIT = 2 * 1024 * 1024  # about 300,000 words: far beyond any article


@dataclass(frozen=True)
class Kind:
    """A kind of article file: its reader, the largest file it takes, the reader options
    an edition's article table may give it."""

    read: Reader
    limit: int = TEXT_LIMIT
    options: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    ".md": Kind(decoded(read_markdown)),
    ".markdown": Kind(decoded(read_markdown)),
    ".txt": Kind(decoded(read_text)),
    ".docx": Kind(read_docx, OFFICE_LIMIT),
    ".odt": Kind(read_odt, OFFICE_LIMIT),
    **dict.fromkeys((".html", ".htm"), Kind(read_web, WEB_LIMIT, frozenset({"extract"}))),
}
FEED_SUFFIXES = (".xml", ".atom", ".rss")
HINTS = {
    ".doc": "a Word 97-2003 file: open it in Word or LibreOffice and save it as .docx",
    ".rtf": "rich text: open it in Word or LibreOffice and save it as .docx",
    ".pages": "a Pages file: export it from Pages as Word (.docx)",
    ".pdf": "a PDF's text cannot be taken back reliably; ask for the .docx or the text",
}


def kind_of(path: Path) -> Kind:
    """The kind of an article file, by its extension; an unknown one is a clear error."""
    suffix = path.suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        kinds = ", ".join(sorted(KINDS))
        hint = ""
        if suffix in FEED_SUFFIXES:
            hint = f" (for an Atom or RSS feed, list it as {{ feed = \"{path.name}\" }})"
        elif suffix in HINTS:
            hint = f" ({HINTS[suffix]})"
        raise BuildError(f"unknown article type '{path.suffix}'; use one of {kinds}{hint}",
                         path)
    return kind


def read_article(path: Path, data: bytes, overrides: dict, default_lang: str,
                 report: Report, options: dict | None = None) -> Draft:
    return kind_of(path).read(path, data, overrides, {"lang": default_lang}, report,
                              **(options or {}))


__all__ = ["Draft", "KINDS", "Kind", "kind_of", "read_article"]
