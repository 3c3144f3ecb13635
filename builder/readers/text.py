"""Plain text articles: paragraphs separated by blank lines, never interpreted as markup."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..clean import squash_spaces
from ..errors import BuildError, Report
from .meta import Draft, merge


def read_text(path: Path, text: str, overrides: dict, defaults: dict, report: Report) -> Draft:
    meta, extra = merge(path, {}, {}, overrides, defaults, report)
    # Line breaks and runs of spaces become one space; a no-break, thin or ideographic
    # space is the author's (before French punctuation, opening a Japanese paragraph),
    # kept as the Markdown reader keeps it. A line of nothing but spaces still
    # separates paragraphs.
    paragraphs = [squash_spaces(p) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p.strip()]
    if not paragraphs:
        raise BuildError("the article is empty", path)
    body = etree.Element("div")
    for paragraph in paragraphs:
        etree.SubElement(body, "p").text = paragraph
    html = "".join(etree.tostring(p, encoding="unicode") for p in body)
    return Draft(path, meta, html, extra)
