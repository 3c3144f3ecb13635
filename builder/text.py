"""Small text helpers shared by readers and cleaning."""

from __future__ import annotations

import re

BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop characters XML cannot hold (control characters other than tab and newlines)."""
    return BAD_XML_CHARS.sub("", text)
