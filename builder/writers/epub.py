"""Package rendered documents into an EPUB 3 with ebooklib, byte for byte reproducible."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ebooklib import epub

from ..assets import look_of, style_files
from ..labels import labels
from ..models import Edition, Resource
from ..render import Document, article_file, edition_title

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XHTML = "application/xhtml+xml"


def _metadata(book: epub.EpubBook, edition: Edition) -> None:
    book.set_identifier(edition.identifier)
    book.set_title(edition_title(edition))
    book.set_language(edition.language)
    book.add_metadata("DC", "date", edition.date.isoformat())
    if edition.publisher:
        book.add_metadata("DC", "publisher", edition.publisher)
        book.add_author(edition.publisher)
    for tag in dict.fromkeys(t for a in edition.articles for t in a.tags):
        book.add_metadata("DC", "subject", tag)
    if edition.subtitle:
        book.add_metadata("DC", "description", edition.subtitle)
    for number, name in enumerate(edition.authors, 1):
        uid = f"contributor-{number}"
        book.add_metadata("DC", "contributor", name, {"id": uid})
        book.add_metadata(None, "meta", "aut",
                          {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
    book.add_metadata(None, "meta", edition.title,
                      {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series",
                      {"refines": "#series", "property": "collection-type"})
    if edition.issue is not None:
        book.add_metadata(None, "meta", str(edition.issue),
                          {"refines": "#series", "property": "group-position"})


def _toc(edition: Edition) -> list:
    words = labels(edition.language)
    toc: list = [epub.Link("title.xhtml", edition_title(edition), "toc-title"),
                 epub.Link("contents.xhtml", words["contents"], "toc-contents")]
    for section in edition.sections:
        links = [epub.Link(article_file(a), a.title, f"toc-{a.id}") for a in section.articles]
        if not links:
            continue
        toc.append((epub.Section(section.title, href=links[0].href), links))
    return toc


def build_epub(edition: Edition, documents: tuple[Document, ...], cover: Resource,
               modified: dt.datetime) -> bytes:
    book = epub.EpubBook()
    _metadata(book, edition)
    book.set_cover(cover.name, cover.data, create_page=False)
    items = {}
    for doc in documents:
        item = epub.EpubItem(uid=doc.name.removesuffix(".xhtml"), file_name=doc.name,
                             media_type=XHTML, content=doc.html.encode("utf-8"))
        book.add_item(item)
        items[doc.name] = item
    styles = style_files("epub", look_of(edition))
    for number, (name, (media_type, data)) in enumerate(styles.items(), 1):
        book.add_item(epub.EpubItem(uid=f"style-{number}", file_name=name,
                                    media_type=media_type, content=data))
    for number, resource in enumerate(edition.resources, 1):
        if resource.name == cover.name:
            continue
        book.add_item(epub.EpubItem(uid=f"image-{number}", file_name=resource.name,
                                    media_type=resource.media_type, content=resource.data))
    book.toc = _toc(edition)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [items[doc.name] for doc in documents]
    raw = io.BytesIO()
    epub.write_epub(raw, book, {"epub3_pages": False, "mtime": modified})
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
