"""Small text helpers shared by readers, cleaning and the commands."""

from __future__ import annotations

import re
import secrets

BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Marks the footnote list Python-Markdown writes, so that raw HTML in an article that
# imitates it (a `<div class="footnote">`) is kept as text, not taken for notes.
FOOTNOTE_TOKEN = f"edition-note-{secrets.token_hex(8)}"


def xml_safe(text: str) -> str:
    """Drop characters XML cannot hold (control characters other than tab and newlines)."""
    return BAD_XML_CHARS.sub("", text)


def human_size(size: int) -> str:
    """Decimal units, as file managers show them: 850 bytes, 312 KB, 1.2 MB."""
    if size < 1000:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.5 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 9.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")
