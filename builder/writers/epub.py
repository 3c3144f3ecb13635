"""Package rendered documents into an EPUB 3 with ebooklib, byte for byte reproducible.

The navigation document (contents, landmarks, the print edition's pages) is a template;
the package's accessibility metadata says what the documents really hold, found by
reading them: images and their text, tables and their header cells, ARIA roles.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ebooklib import epub
from lxml import etree

from ..assets import FACE_RULE, STYLES, faces, house_file, look_of, style_files
from ..labels import labels
from ..models import Article, Edition, Resource
from ..pagebreaks import PageStart, fill_blanks, insert_markers
from ..render import Document, article_file, edition_title, environment
from . import subset

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XHTML = "application/xhtml+xml"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
LICENCE = "styles/fonts/OFL.txt"
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")  # "\2013" in a stylesheet: U+2013


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


def _parse(document: Document) -> etree._Element:
    return etree.fromstring(document.html.encode("utf-8"))


def _serialise(root: etree._Element) -> str:
    data = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    return data.decode("utf-8")


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
    return f"print edition (PDF, {edition.page_size})"


def _metadata(book: epub.EpubBook, edition: Edition, facts: Accessibility) -> None:
    book.set_identifier(edition.identifier)
    book.set_title(edition_title(edition))
    book.set_language(edition.language)
    if edition.dir == "rtl":  # pages turn from right to left
        book.set_direction("rtl")
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
    _accessibility_metadata(book, edition, facts)


def _accessibility_metadata(book: epub.EpubBook, edition: Edition,
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
        meta("pageBreakSource", f"{edition_title(edition)}, {source}")
    if not facts.failures:  # no certifier is named: nobody certified it, the build checked it
        meta("dcterms:conformsTo", CONFORMANCE)


def _sections(edition: Edition) -> list[tuple[str, list[tuple[str, str, Article]]]]:
    return [(s.title, [(article_file(a), a.title, a) for a in s.articles])
            for s in edition.sections if s.articles]


def _toc(edition: Edition) -> list:
    """For the EPUB 2 table of contents (toc.ncx), which ebooklib writes."""
    words = labels(edition.language)
    toc: list = [epub.Link("title.xhtml", edition_title(edition), "toc-title"),
                 epub.Link("contents.xhtml", words["contents"], "toc-contents")]
    for title, articles in _sections(edition):
        links = [epub.Link(href, text, f"toc-{href.removesuffix('.xhtml')}")
                 for href, text, _ in articles]
        toc.append((epub.Section(title, href=links[0].href), links))
    return toc


def _nav(edition: Edition, pages: list[tuple[str, str]]) -> bytes:
    words = labels(edition.language)
    first = edition.articles[0]
    landmarks = [("cover", "cover.xhtml", words["cover"]),
                 ("titlepage", "title.xhtml", words["title_page"]),
                 ("toc", "contents.xhtml", words["contents"]),
                 ("bodymatter", article_file(first), first.title)]
    html = environment(look_of(edition).house).get_template("epub/nav.xhtml").render(
        edition=edition, labels=words, title=edition_title(edition),
        sections=_sections(edition), landmarks=landmarks, pages=pages)
    return html.encode("utf-8")


def mark_pages(documents: tuple[Document, ...], roots: list[etree._Element],
               starts: Sequence[PageStart | None],
               house: Path | None = None) -> list[tuple[str, str]]:
    """Set a page-break marker where each page of the PDF begins (`starts[n]`: where
    page n + 1 does); the page list's entries, (href, label), in reading order."""
    marker = environment(house).get_template("epub/pagebreak.xhtml")
    wanted: dict[str, list[tuple[int, PageStart]]] = {}
    for number, start in enumerate(fill_blanks(starts), 1):
        if start is not None:
            wanted.setdefault(start.part, []).append((number, start))
    entries = []
    for document, root in zip(documents, roots, strict=True):
        for element in list(root.iterfind(".//*[@id]")):
            marks = wanted.pop(element.get("id"), None)
            if not marks:
                continue
            insert_markers(element, [(start, _marker(marker.render(number=n, label=str(n))))
                                     for n, start in marks])
            entries += [(n, f"{document.name}#page-{n}") for n, _ in marks]
    return [(href, str(n)) for n, href in sorted(entries)]


def _marker(markup: str) -> etree._Element:
    element = etree.fromstring(markup)
    element.text = ""  # <span></span>, which HTML parsers read as XML parsers do
    return element


def _style_files(fonts: bool, look, text: Iterable[str]) -> dict[str, tuple[str, bytes]]:
    """The EPUB's stylesheets, and its fonts with their licence, each font cut down to
    the characters of `text`; without the fonts, the stylesheets lose their @font-face
    rules (the reading system's fonts are used)."""
    files = {}
    styles = style_files("epub", look)
    used = _characters(text, (data for media_type, data in styles.values()
                              if media_type == "text/css")) if fonts else set()
    ours = {face.file for face in faces()}
    for name, (media_type, data) in styles.items():
        if media_type == "text/css":
            files[name] = (media_type, data if fonts else FACE_RULE.sub("", data.decode()).encode())
        elif fonts:
            # Ours are cut down; a house style's own fonts are kept as they are.
            own = Path(name).name in ours and \
                house_file(look.house, "styles", name.removeprefix("styles/")) is None
            files[name] = (media_type, subset.for_text(data, used) if own else data)
    if fonts:
        files[LICENCE] = ("text/plain", (STYLES / "fonts" / "OFL.txt").read_bytes())
    return files


def _characters(texts: Iterable[str], sheets: Iterable[bytes]) -> set[int]:
    """Every character the book may draw: its text in both cases (a stylesheet may set
    it in capitals), what its stylesheets write themselves (quotation marks, bullets,
    the generated text of `content`), and printable ASCII (numbers a reading system
    writes)."""
    found = set(range(0x20, 0x7F))
    written = (CSS_ESCAPE.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)),
                              sheet.decode("utf-8", "replace")) for sheet in sheets)
    for text in (*texts, *written):
        for ch in set(text):
            found.update(map(ord, ch + ch.upper() + ch.lower()))
    return found


class _Nav(epub.EpubItem):
    properties = ("nav",)


class _Writer(epub.EpubWriter):
    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)  # the package's language, for Ace and others
        super()._write_opf_file(root)


def build_epub(edition: Edition, documents: tuple[Document, ...], cover: Resource,
               modified: dt.datetime, starts: Sequence[PageStart | None] = (),
               fonts: bool = True) -> bytes:
    """`starts`: where each page of the PDF begins, when the PDF was typeset with the
    EPUB; they give the page list. `fonts`: embed the bundled fonts."""
    roots = [_parse(doc) for doc in documents]
    pages = mark_pages(documents, roots, starts, look_of(edition).house) if starts else []
    if pages:
        documents = tuple(replace(doc, html=_serialise(root))
                          if root.find(".//*[@role='doc-pagebreak']") is not None else doc
                          for doc, root in zip(documents, roots, strict=True))
    book = epub.EpubBook()
    _metadata(book, edition, assess(roots, bool(pages)))
    book.set_cover(cover.name, cover.data, create_page=False)
    items = {}
    for doc in documents:
        item = epub.EpubItem(uid=doc.name.removesuffix(".xhtml"), file_name=doc.name,
                             media_type=XHTML, content=doc.html.encode("utf-8"))
        book.add_item(item)
        items[doc.name] = item
    nav = _nav(edition, pages)
    styles = _style_files(fonts, look_of(edition),
                          (text for root in (*roots, etree.fromstring(nav))
                           for text in root.itertext()))
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
    book.add_item(_Nav(uid="nav", file_name="nav.xhtml", media_type=XHTML,
                       content=nav))
    book.spine = [items[doc.name] for doc in documents]
    raw = io.BytesIO()
    writer = _Writer(raw, book, {"epub3_pages": False, "mtime": modified})
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
