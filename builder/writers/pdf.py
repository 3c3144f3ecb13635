"""Typeset rendered print HTML into a PDF with WeasyPrint.

Every resource WeasyPrint asks for goes through `BookFetcher`, which serves only the
book's own files (stylesheets, fonts, checked images: the same files the EPUB packages)
and refuses everything else: WeasyPrint reads no file from disk by itself and makes no
network connection.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..assets import PLAIN, Look, look_of, style_files
from ..errors import Report
from ..fonts import FONTCONFIG_FILE
from ..models import Edition, Resource
from ..pagebreaks import PageStart, page_starts
from .prepress import CMYK_PROFILE, finish_bytes, press_of

BASE_URL = "https://book.invalid/"

Point = tuple[float, float]  # CSS px from the top left of the page


@dataclass(frozen=True)
class PageInfo:
    """What a chunked build needs to know of a typeset page to join it to others."""

    size: Point
    anchors: dict[str, Point]
    links: list[tuple[str, str, tuple[float, float, float, float]]]  # kind, target, x1 y1 x2 y2
    bookmarks: list[tuple[int, str, Point]]
    start: PageStart | None = None  # where the page's text begins, for the EPUB's page list


@dataclass(frozen=True)
class Typeset:
    pdf: bytes  # empty when the PDF was written to `path` instead
    pages: tuple[PageInfo, ...]
    refused: list[str] = field(default_factory=list)
    path: Path | None = None


def _fetcher(files: dict[str, tuple[str, bytes]], refused: list[str]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BookFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            name = url.removeprefix(BASE_URL) if url.startswith(BASE_URL) else None
            if name in files:
                media_type, data = files[name]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    return BookFetcher(allowed_protocols=())


def typeset(html: str, layer: str, resources: tuple[Resource, ...], identifier: str,
            chunk: Path | None = None, variant: str | None = None,
            look: Look = PLAIN, draw: bool = True) -> Typeset:
    """Lay out and draw one HTML document. A `chunk` of a larger book is written to that
    file, embeds whole font files (so the joined book can keep one copy of each) and
    leaves compression to the join. `variant` is WeasyPrint's `pdf_variant` ("pdf/x-4"…).
    Without `draw`, the pages are only laid out and measured: no PDF (half the cost)."""
    from weasyprint import HTML

    from ..callstack import roomy
    from .speedups import install

    install()
    files = dict(style_files(layer, look))
    files.update({r.name: (r.media_type, r.data) for r in resources})
    if variant and variant.startswith("pdf/x"):
        files[CMYK_PROFILE] = ("application/vnd.iccprofile", _cmyk_profile())
    refused: list[str] = []
    fetcher = _fetcher(files, refused)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    source = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    # (WeasyPrint's layout and drawing recurse deep: see callstack.py)
    document = roomy(source.render, font_config=font_configuration(look.machine_fonts),
                     pdf_variant=variant)
    if not draw:
        return Typeset(b"", tuple(PageInfo((page.width, page.height), {}, [], [])
                                  for page in document.pages), refused)
    starts = roomy(page_starts, document.pages, source.etree_element)
    pages = tuple(
        PageInfo((page.width, page.height),
                 {name: (box[0], box[1]) for name, box in page.anchors.items()},
                 [(kind, target, tuple(rect)) for kind, target, rect, _ in page.links],
                 [(level, label, tuple(point)) for level, label, point, _ in page.bookmarks],
                 start)
        for page, start in zip(document.pages, starts, strict=True))
    with whole_font_files(bool(chunk)):
        pdf = roomy(document.write_pdf, chunk, attachments=[],
                    pdf_identifier=identifier.encode(), uncompressed_pdf=bool(chunk),
                    pdf_variant=variant) or b""
    return Typeset(pdf, pages, refused, chunk)


MACHINE_FONTCONFIG = os.environ.get("FONTCONFIG_FILE")  # the machine's, if it names one
# WeasyPrint warns, as it is imported, when the machine has no font at all: the book's
# own fonts are all a build needs.
warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)


_fontconfig_lock = threading.Lock()


def font_configuration(machine_fonts: bool):
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


_font_files = threading.local()  # .whole: True while this thread writes a chunk


@contextlib.contextmanager
def whole_font_files(whole: bool):
    """While a chunk is written, WeasyPrint embeds each font's whole file rather than a
    subset of the glyphs this chunk draws: every chunk then embeds the same files, and
    the join keeps one copy of each. The font dictionaries (widths, the map from glyphs
    to text) still list the glyphs drawn only, as in a book typeset in one piece.

    (WeasyPrint's own `full_fonts` option also embeds whole files, but lists all the
    thousands of glyphs of each font in every chunk: 5 to 9 % more instructions per
    chunk, measured with Callgrind.) With a WeasyPrint that subsets fonts elsewhere,
    chunks embed subsets: a valid book that holds one copy of each font per chunk."""
    _keep_files()
    before = getattr(_font_files, "whole", False)
    _font_files.whole = whole
    try:
        yield
    finally:
        _font_files.whole = before


def _keep_files() -> None:
    from weasyprint.pdf import fonts

    font = getattr(fonts, "Font", None)
    subset = getattr(font, "subset", None)
    if subset is None or getattr(subset, "keeps_whole_files", False):
        return

    def subset_unless_whole(self, to_unicode, hinting):
        if not getattr(_font_files, "whole", False):
            subset(self, to_unicode, hinting)

    subset_unless_whole.keeps_whole_files = True
    font.subset = subset_unless_whole


def warm_up(language: str) -> None:
    """Load WeasyPrint and what it loads on first use (its modules, by typesetting a
    line) and the hyphenation dictionary of `language`: worker processes forked after
    this start warm instead of each paying for it on its first chunk (about half a
    second of CPU each)."""
    import pyphen
    from weasyprint import HTML

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


def typeset_book(edition: Edition, html: str, report: Report) -> Typeset:
    """The whole book in one piece: its PDF, and its pages for the EPUB's page list."""
    press = press_of(edition)
    result = typeset(html, "print", edition.resources, edition.identifier,
                     variant=press.variant, look=look_of(edition))
    report_refused(result, report)
    return replace(result, pdf=finish_bytes(result.pdf, press)) if press.needed else result


def build_pdf(edition: Edition, html: str, report: Report) -> bytes:
    return typeset_book(edition, html, report).pdf
