"""Readers turn one source file into a `Draft`: metadata plus a body HTML fragment.

Readers are chosen by file extension; adding a source format is adding a reader.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import BuildError, Report
from .markdown import read_markdown
from .meta import Draft
from .text import read_text

Reader = Callable[[Path, str, dict, dict, Report], Draft]

READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
}
FEED_SUFFIXES = (".xml", ".atom", ".rss")


def read_article(path: Path, text: str, overrides: dict, default_lang: str,
                 report: Report) -> Draft:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        hint = ""
        if path.suffix.lower() in FEED_SUFFIXES:
            hint = f" (for an Atom or RSS feed, list it as {{ feed = \"{path.name}\" }})"
        raise BuildError(f"unknown article type '{path.suffix}'; use one of {kinds}{hint}",
                         path)
    return reader(path, text, overrides, {"lang": default_lang}, report)


__all__ = ["Draft", "READERS", "read_article"]
