"""Plain text articles: paragraphs separated by blank lines, never interpreted as markup."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import BuildError, Report
from .meta import Draft, merge


def read_text(path: Path, text: str, overrides: dict, defaults: dict, report: Report) -> Draft:
    meta, extra = merge(path, {}, {}, overrides, defaults, report)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise BuildError("the article is empty", path)
    body = etree.Element("div")
    for paragraph in paragraphs:
        etree.SubElement(body, "p").text = paragraph
    html = "".join(etree.tostring(p, encoding="unicode") for p in body)
    return Draft(path, meta, html, extra)
