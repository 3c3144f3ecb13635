"""Package rendered content (`render.epub`: documents, navigation, files) into an EPUB 3
with ebooklib, byte for byte reproducible.

The package's accessibility metadata says what the documents really hold, found by
reading them: images and their text, tables and their header cells, ARIA roles.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from ebooklib import epub
from lxml import etree

from ..models import Document, Edition, EpubContent
from .internals import EpubWriter

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XHTML = "application/xhtml+xml"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# Reading systems show the creators as the book's authors, joined in one line (Calibre:
# "A & B & C"); past this many, the first ones are the creators and the others stay in the
# package as contributors, with the same role.
MAX_CREATORS = 12
# The EPUB 2 guide's reference for each kind of document (render.epub's `Document.kind`):
# the first document of its kind, in reading order.
GUIDE = {"cover": "cover", "title-page": "title-page", "contents": "toc", "article": "text"}


@dataclass(frozen=True)
class Accessibility:
    """What the book's documents hold, as far as accessibility metadata is concerned."""

    images: int
    images_without_alt: int
    tables_without_headers: int
    aria: bool
    notes: bool
    pages: bool

    @property
    def failures(self) -> list[str]:
        found = []
        if self.images_without_alt:
            found.append(f"{self.images_without_alt} image(s) without a text description")
        if self.tables_without_headers:
            found.append(f"{self.tables_without_headers} table(s) without header cells")
        return found

    def features(self) -> list[str]:
        found = ["tableOfContents", "readingOrder", "structuralNavigation"]
        if self.pages:
            found += ["pageNavigation", "pageBreakMarkers"]
        if self.images and not self.images_without_alt:
            found.append("alternativeText")
        if self.aria:
            found.append("ARIA")
        return [*found, "displayTransformability", "unlocked"]

    def summary(self, print_source: str | None) -> str:
        parts = ["Articles are in reading order, with a table of contents and a heading "
                 "for each article."]
        if self.pages and print_source:
            parts.append(f"The page numbers of the {print_source} are marked in the "
                         f"text and listed for navigation.")
        if self.notes:
            parts.append("Footnotes link to their place in the text and back.")
        if self.images and not self.images_without_alt:
            parts.append("Every image has a text description.")
        parts.append("Text size, fonts and colours can be changed in the reading system.")
        if self.failures:
            parts.append("Known problems: " + "; ".join(self.failures) + ".")
        else:
            parts.append(f"No accessibility problem is known: the publication claims "
                         f"conformance to {CONFORMANCE}.")
        return " ".join(parts)


def assess(roots: Sequence[etree._Element], pages: bool) -> Accessibility:
    images = [img for root in roots for img in root.iterfind(".//x:img", NS)]
    tables = [t for root in roots for t in root.iterfind(".//x:table", NS)]
    return Accessibility(
        images=len(images),
        images_without_alt=sum(1 for img in images if not (img.get("alt") or "").strip()),
        tables_without_headers=sum(1 for t in tables if t.find(".//x:th", NS) is None),
        aria=any(root.find(".//*[@role]") is not None for root in roots),
        notes=any(root.find(".//x:aside[@epub:type='footnote']", NS) is not None
                  for root in roots),
        pages=pages)


def print_source(edition: Edition) -> str:
    return f"print edition (PDF, {edition.settings.page_size})"


def _metadata(book: epub.EpubBook, edition: Edition, title: str,
              facts: Accessibility) -> None:
    book.set_identifier(edition.identifier)
    book.set_title(title)
    book.set_language(edition.language)
    if edition.dir == "rtl":  # pages turn from right to left
        book.set_direction("rtl")
    book.add_metadata("DC", "date", edition.date.isoformat())
    if edition.publisher:
        book.add_metadata("DC", "publisher", edition.publisher)
    _creators(book, edition)
    for tag in dict.fromkeys(t for a in edition.articles for t in a.tags):
        book.add_metadata("DC", "subject", tag)
    if edition.subtitle:
        book.add_metadata("DC", "description", edition.subtitle)
    book.add_metadata(None, "meta", edition.title,
                      {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series",
                      {"refines": "#series", "property": "collection-type"})
    if edition.issue is not None:
        book.add_metadata(None, "meta", str(edition.issue),
                          {"refines": "#series", "property": "group-position"})
    _accessibility_metadata(book, edition, title, facts)


def _creators(book: epub.EpubBook, edition: Edition) -> None:
    """The article authors, each once in reading order, as the book's creators (what
    reading systems show as its authors), with the role of author; past `MAX_CREATORS`,
    the rest as contributors. With no author named anywhere, the publisher is the creator,
    as the body responsible for the text (a library's corporate author), with no role;
    with no publisher either, the book names no creator."""
    authors = edition.authors
    if not authors:
        if edition.publisher:
            book.add_metadata("DC", "creator", edition.publisher, {"id": "creator-1"})
        return
    for number, name in enumerate(authors, 1):
        element, uid = ("creator", f"creator-{number}") if number <= MAX_CREATORS else \
            ("contributor", f"contributor-{number - MAX_CREATORS}")
        book.add_metadata("DC", element, name, {"id": uid})
        book.add_metadata(None, "meta", "aut",
                          {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})


def _guide(documents: Sequence[Document]) -> list[dict[str, str]]:
    """The EPUB 2 guide (read by reading systems older than EPUB 3's landmarks, and by
    Calibre, which otherwise makes a cover page of its own before ours): the cover, title
    page, contents and start of the text, as the navigation document's landmarks."""
    found: dict[str, Document] = {}
    for doc in documents:
        if doc.kind in GUIDE:
            found.setdefault(GUIDE[doc.kind], doc)
    return [{"type": kind, "title": doc.title, "href": doc.name}
            for kind, doc in found.items()]


def _accessibility_metadata(book: epub.EpubBook, edition: Edition, title: str,
                            facts: Accessibility) -> None:
    def meta(name: str, value: str, **extra: str) -> None:
        book.add_metadata(None, "meta", value, {"property": name, **extra})

    modes = ["textual", "visual"] if facts.images else ["textual"]
    for mode in modes:
        meta("schema:accessMode", mode)
    if not facts.images_without_alt:
        meta("schema:accessModeSufficient", "textual")
    if facts.images:
        meta("schema:accessModeSufficient", "textual,visual")
    for feature in facts.features():
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    source = print_source(edition) if facts.pages else None
    meta("schema:accessibilitySummary", facts.summary(source),
         **({} if edition.language.split("-")[0] == "en" else {XML_LANG: "en"}))
    if source:
        meta("pageBreakSource", f"{title}, {source}")
    if not facts.failures:  # no certifier is named: nobody certified it, the build checked it
        meta("dcterms:conformsTo", CONFORMANCE)


class _Nav(epub.EpubItem):
    properties = ("nav",)


def build_epub(edition: Edition, content: EpubContent, modified: dt.datetime) -> bytes:
    """The EPUB of rendered `content`: its metadata from the edition and from what the
    documents hold; `modified`, the package's modification time."""
    roots = [etree.fromstring(doc.html.encode("utf-8")) for doc in content.documents]
    book = epub.EpubBook()
    _metadata(book, edition, content.title, assess(roots, content.pages))
    cover = content.cover
    book.set_cover(cover.name, cover.data, create_page=False)
    items = {}
    for doc in content.documents:
        item = epub.EpubItem(uid=doc.name.removesuffix(".xhtml"), file_name=doc.name,
                             media_type=XHTML, content=doc.html.encode("utf-8"))
        book.add_item(item)
        items[doc.name] = item
    for number, (name, (media_type, data)) in enumerate(content.files.items(), 1):
        book.add_item(epub.EpubItem(uid=f"style-{number}", file_name=name,
                                    media_type=media_type, content=data))
    for number, resource in enumerate(edition.resources, 1):
        if resource.name == cover.name:
            continue
        book.add_item(epub.EpubItem(uid=f"image-{number}", file_name=resource.name,
                                    media_type=resource.media_type, content=resource.data))
    book.toc = [epub.Link(href, text, f"toc-{href.removesuffix('.xhtml')}") if not under
                else (epub.Section(text, href=href),
                      [epub.Link(h, t, f"toc-{h.removesuffix('.xhtml')}") for h, t in under])
                for (href, text), under in content.toc]
    book.add_item(epub.EpubNcx())
    book.add_item(_Nav(uid="nav", file_name="nav.xhtml", media_type=XHTML,
                       content=content.nav))
    book.spine = [items[doc.name] for doc in content.documents]
    book.guide = _guide(content.documents)
    raw = io.BytesIO()
    writer = EpubWriter(raw, book, {"epub3_pages": False, "mtime": modified})
    writer.process()
    writer.write()
    return _reproducible_zip(raw.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """Same entries, in the same order, with fixed times: `mimetype` first and stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=None if stored else 9)
    return out.getvalue()
