"""The EPUB's content: one XHTML document per page of the book (cover, title page,
contents, each article), its navigation document, and the files its documents use
(stylesheets, and fonts cut down to the book's characters), all ready to package.

With the print edition's layout (`PrintLayout`), the documents also carry a marker
where each printed page begins, the navigation lists those pages, and, without a cover
image of the edition's own, the cover is the printed first page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import jinja2
from lxml import etree

from .. import subset
from ..assets import FACE_RULE, STYLES, Look, faces, house_file, look_of, style_files
from ..cover import generated_cover, printed_cover
from ..errors import BuildError
from ..labels import labels
from ..models import Article, Document, Edition, EpubContent, Link, PageStart, PrintLayout, Resource
from ..pagebreaks import fill_blanks, insert_markers
from .templates import article_file, edition_title, environment, render, sheets

LICENCE = "styles/fonts/OFL.txt"
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")  # "\2013" in a stylesheet: U+2013

def render_epub(edition: Edition, cover_image: Resource,
                layer: str = "epub") -> tuple[Document, ...]:
    """The EPUB's documents; `edition preview` shows the same ones with its `screen`
    style layer."""
    look = look_of(edition)
    env = environment(look.house)
    words = labels(edition.language)
    common = {"edition": edition, "target": "epub", "labels": words,
              "stylesheets": sheets(layer, look), "cover_image": cover_image,
              "href": article_file, "page_of": lambda a: None}

    def document(name: str, title: str, kind: str, content: str, lang: str,
                 dir: str = edition.dir, **extra: object) -> Document:
        html = render(env, "epub/document.xhtml",
                      {**common, "title": title, "kind": kind, "content": content,
                       "lang": lang, "dir": dir, **extra})
        return Document(name, title, lang, kind, html)

    documents = [
        document("cover.xhtml", words["cover"], "cover", "cover.html", edition.language),
        document("title.xhtml", edition_title(edition), "title-page", "masthead.html",
                 edition.language),
        document("contents.xhtml", words["contents"], "contents", "contents.html",
                 edition.language),
    ]
    for section in edition.sections:
        for article in section.articles:
            documents.append(document(article_file(article), article.title, "article",
                                      "article.html", article.lang, article.dir,
                                      article=article,
                                      section=section))
    return tuple(documents)


def epub_cover(edition: Edition, layout: PrintLayout | None) -> Resource:
    """The edition's cover image, else the print edition's first page, else one drawn."""
    if edition.cover:
        return edition.cover.resource
    return printed_cover(layout.cover_page) if layout else generated_cover(edition)


def render_epub_book(edition: Edition, layout: PrintLayout | None) -> EpubContent:
    """The whole EPUB's content; with the print edition's `layout`, its page list."""
    cover = epub_cover(edition, layout)
    documents = render_epub(edition, cover)
    roots = [etree.fromstring(doc.html.encode("utf-8")) for doc in documents]
    look = look_of(edition)
    pages = mark_pages(documents, roots, layout.starts, layout.labels, look.house) \
        if layout else []
    if pages:
        documents = tuple(replace(doc, html=_serialise(root))
                          if root.find(".//*[@role='doc-pagebreak']") is not None else doc
                          for doc, root in zip(documents, roots, strict=True))
    nav = _nav(edition, pages)
    files = _style_files(edition.settings.embed_fonts, look,
                         (text for root in (*roots, etree.fromstring(nav))
                          for text in root.itertext()))
    return EpubContent(edition_title(edition), cover, documents, nav, _toc(edition),
                       files, bool(pages))


def _serialise(root: etree._Element) -> str:
    data = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    return data.decode("utf-8")


def _sections(edition: Edition) -> list[tuple[str, list[tuple[str, str, Article]]]]:
    return [(s.title, [(article_file(a), a.title, a) for a in s.articles])
            for s in edition.sections if s.articles]


def _toc(edition: Edition) -> tuple[tuple[Link, tuple[Link, ...]], ...]:
    """For the EPUB 2 table of contents (toc.ncx)."""
    words = labels(edition.language)
    toc: list[tuple[Link, tuple[Link, ...]]] = [
        (("title.xhtml", edition_title(edition)), ()),
        (("contents.xhtml", words["contents"]), ())]
    for title, articles in _sections(edition):
        links = tuple((href, text) for href, text, _ in articles)
        toc.append(((links[0][0], title), links))
    return tuple(toc)


def _nav(edition: Edition, pages: list[tuple[str, str]]) -> bytes:
    words = labels(edition.language)
    first = edition.articles[0]
    landmarks = [("cover", "cover.xhtml", words["cover"]),
                 ("titlepage", "title.xhtml", words["title_page"]),
                 ("toc", "contents.xhtml", words["contents"]),
                 ("bodymatter", article_file(first), first.title)]
    html = render(environment(look_of(edition).house), "epub/nav.xhtml", dict(
        edition=edition, labels=words, title=edition_title(edition),
        sections=_sections(edition), landmarks=landmarks, pages=pages))
    return html.encode("utf-8")


def check_templates(edition: Edition) -> None:
    """Render what only a whole EPUB renders (its navigation, a page marker), so that a
    mistake in a house style's templates is found without a build (`edition check`)."""
    _nav(edition, [("contents.xhtml#page-1", "1")])
    page_marker(environment(look_of(edition).house), 1, "1")


def mark_pages(documents: tuple[Document, ...], roots: list[etree._Element],
               starts: Sequence[PageStart | None], page_labels: Sequence[str],
               house: Path | None = None) -> list[tuple[str, str]]:
    """Set a page-break marker where each page of the PDF begins (`starts[n]`: where
    page n + 1 does, labelled `page_labels[n]`); the page list's entries, (href, label),
    in reading order."""
    env = environment(house)
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
            insert_markers(element, [
                (start, page_marker(env, n, page_labels[n - 1]))
                for n, start in marks])
            entries += [(n, f"{document.name}#page-{n}") for n, _ in marks]
    return [(href, page_labels[n - 1]) for n, href in sorted(entries)]


def page_marker(env: jinja2.Environment, number: int, label: str) -> etree._Element:
    """The marker of page `number`, from the `epub/pagebreak.xhtml` template."""
    markup = render(env, "epub/pagebreak.xhtml", {"number": number, "label": label})
    try:
        element = etree.fromstring(markup)
    except etree.XMLSyntaxError as error:
        raise BuildError(f"template error: the page marker is not one XHTML element "
                         f"({error})", "epub/pagebreak.xhtml") from None
    element.text = ""  # <span></span>, which HTML parsers read as XML parsers do
    return element


def _style_files(fonts: bool, look: Look, text: Iterable[str]) -> dict[str, tuple[str, bytes]]:
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
