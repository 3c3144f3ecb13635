"""Typeset rendered print HTML into a PDF with WeasyPrint.

Every resource WeasyPrint asks for goes through `BookFetcher`, which serves only the
book's own files (stylesheets, fonts, checked images: the same files the EPUB packages)
and refuses everything else: WeasyPrint reads no file from disk by itself and makes no
network connection.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Report
from ..fonts import FONTCONFIG_FILE
from ..framestack import with_room
from ..models import PageInfo, Resource, Typeset
from .internals import install, page_starts, whole_font_files
from .prepress import CMYK_PROFILE

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://book.invalid/"


def _fetcher(files: dict[str, tuple[str, bytes]], refused: list[str]) -> URLFetcher:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BookFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            name = url.removeprefix(BASE_URL) if url.startswith(BASE_URL) else None
            if name in files:
                media_type, data = files[name]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    return BookFetcher(allowed_protocols=())


def typeset(html: str, styles: Mapping[str, tuple[str, bytes]],
            resources: tuple[Resource, ...], identifier: str, chunk: Path | None = None,
            variant: str | None = None, machine_fonts: bool = False,
            draw: bool = True) -> Typeset:
    """Lay out and draw one HTML document, with the `styles` (book path -> media type,
    bytes: its stylesheets and fonts) and `resources` (its images) it may fetch. A
    `chunk` of a larger book is written to that file, embeds whole font files (so the
    joined book can keep one copy of each) and leaves compression to the join. `variant`
    is WeasyPrint's `pdf_variant` ("pdf/x-4"…); `machine_fonts`: the machine's fonts may
    draw what the book's lack. Without `draw`, the pages are only laid out and measured:
    no PDF (half the cost)."""
    from weasyprint import HTML


    install()
    files = dict(styles)
    files.update({r.name: (r.media_type, r.data) for r in resources})
    if variant and variant.startswith("pdf/x"):
        files[CMYK_PROFILE] = ("application/vnd.iccprofile", _cmyk_profile())
    refused: list[str] = []
    fetcher = _fetcher(files, refused)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    source = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    # (WeasyPrint's layout and drawing recurse deep: see framestack.py)
    document = with_room(source.render, font_config=font_configuration(machine_fonts),
                     pdf_variant=variant)
    if not draw:
        return Typeset(b"", tuple(PageInfo((page.width, page.height), {}, [], [])
                                  for page in document.pages), refused)
    starts = with_room(page_starts, document.pages, source.etree_element)
    pages = tuple(
        PageInfo((page.width, page.height),
                 {name: (box[0], box[1]) for name, box in page.anchors.items()},
                 [(kind, target, tuple(rect)) for kind, target, rect, _ in page.links],
                 [(level, label, tuple(point)) for level, label, point, _ in page.bookmarks],
                 start)
        for page, start in zip(document.pages, starts, strict=True))
    with whole_font_files(bool(chunk)):
        pdf = with_room(document.write_pdf, chunk, attachments=[],
                    pdf_identifier=identifier.encode(), uncompressed_pdf=bool(chunk),
                    pdf_variant=variant) or b""
    return Typeset(pdf, pages, refused, chunk)


MACHINE_FONTCONFIG = os.environ.get("FONTCONFIG_FILE")  # the machine's, if it names one
# WeasyPrint warns, as it is imported, when the machine has no font at all: the book's
# own fonts are all a build needs.
warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)


_fontconfig_lock = threading.Lock()


def font_configuration(machine_fonts: bool) -> FontConfiguration:
    """A WeasyPrint font configuration (one per document) that sees the machine's fonts,
    or none of them: then only the book's own fonts draw text, the same on any machine.
    Fontconfig reads FONTCONFIG_FILE as the configuration is made: it is set for that
    moment only, one thread at a time."""
    from weasyprint.text.fonts import FontConfiguration

    wanted = MACHINE_FONTCONFIG if machine_fonts else str(FONTCONFIG_FILE)
    with _fontconfig_lock:
        before = os.environ.get("FONTCONFIG_FILE")
        _set_env("FONTCONFIG_FILE", wanted)
        try:
            return FontConfiguration()
        finally:
            _set_env("FONTCONFIG_FILE", before)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def warm_up(language: str) -> None:
    """Load WeasyPrint and what it loads on first use (its modules, by typesetting a
    line) and the hyphenation dictionary of `language`: worker processes forked after
    this start warm instead of each paying for it on its first chunk (about half a
    second of CPU each)."""
    import pyphen
    from weasyprint import HTML

    install()
    with whole_font_files(True):
        HTML(string="<p>Typesetting</p>").write_pdf(font_config=font_configuration(False))
    if lang := pyphen.language_fallback(language):
        pyphen.Pyphen(lang=lang)  # kept in pyphen's cache, which WeasyPrint reads


def _cmyk_profile() -> bytes:
    from .cmyk import generic_cmyk_profile

    return generic_cmyk_profile()


def report_refused(result: Typeset, report: Report) -> None:
    for url in dict.fromkeys(result.refused):
        report.warn(f"PDF: refused to fetch '{url}' (not a file of this book)",
                    code="refused-fetch")
