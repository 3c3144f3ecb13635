"""Typeset the rendered print HTML into a PDF with WeasyPrint.

Every resource WeasyPrint asks for goes through `BookFetcher`, which serves only the
book's own files (stylesheets, fonts, checked images) and refuses everything else:
no file is read from disk by WeasyPrint and no network connection is made.
"""

from __future__ import annotations

import logging

from ..assets import style_files
from ..errors import Report
from ..models import Edition

BASE_URL = "https://book.invalid/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BookFetcher(URLFetcher):
        def __init__(self, files: dict[str, tuple[str, bytes]], report: Report):
            super().__init__(allowed_protocols=())
            self.files, self.report = files, report

        def fetch(self, url, headers=None):
            name = url.removeprefix(BASE_URL) if url.startswith(BASE_URL) else None
            if name in self.files:
                media_type, data = self.files[name]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            self.report.warn(f"PDF: refused to fetch '{url}' (not a file of this book)")
            raise ValueError(f"refused: {url}")

    return BookFetcher


def build_pdf(edition: Edition, html: str, report: Report) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    files = dict(style_files("print"))
    files.update({r.name: (r.media_type, r.data) for r in edition.resources})
    fetcher = _fetcher_class()(files, report)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(font_config=FontConfiguration(), url_fetcher=fetcher,
                              attachments=[], pdf_identifier=edition.identifier.encode())
