"""Plain data passed between the stages. Nothing here touches the disk."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NewType

from .settings import Settings

ArticleId = NewType("ArticleId", str)
_ARTICLE_ID = re.compile(r"a[0-9]{3,}")


def article_id(number: int) -> ArticleId:
    """The id of the edition's `number`th article (from 1): it names the article's EPUB
    document and its anchor in the PDF."""
    return ArticleId(f"a{number:03d}")


def is_article_id(name: str) -> bool:
    return _ARTICLE_ID.fullmatch(name) is not None


@dataclass(frozen=True)
class Resource:
    """A file packaged into the outputs, addressed by its path inside the book."""

    name: str  # e.g. "images/3f2a9c1e-map.png", relative to the book's documents
    media_type: str
    data: bytes = field(repr=False)
    source: Path | None = None  # the file it was read from, if any
    scaled_from: tuple[int, int] | None = None  # a large photo's own size, scaled down


@dataclass(frozen=True)
class Image:
    resource: Resource
    alt: str


@dataclass(frozen=True)
class Note:
    """A footnote. `blocks` is XHTML for a note at the end of a document;
    `inline` is the same text as inline XHTML, for a note set at its call."""

    number: int
    id: str
    ref_id: str
    blocks: str
    inline: str


@dataclass(frozen=True)
class NoteRef:
    """Where a footnote is called from inside an article body."""

    note: Note
    id: str
    first: bool  # the first call carries the note in print


BodyPart = str | NoteRef


@dataclass(frozen=True)
class Removed:
    """A block of site furniture taken off the end of an article."""

    text: str
    rule: str


@dataclass(frozen=True)
class Article:
    id: ArticleId  # unique in the edition (`article_id`)
    source: Path
    title: str
    lang: str
    body: tuple[BodyPart, ...]
    notes: tuple[Note, ...] = ()
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    section: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: Image | None = None
    resources: tuple[Resource, ...] = ()
    removed: tuple[Removed, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    dateline: str | None = None  # where the story was filed, e.g. "ROTTERDAM"
    scripts: tuple[str, ...] = ()  # the font groups beyond Latin its text needs
    dir: str = "ltr"  # or "rtl": the direction its language is written in
    initial: int = 0  # characters that open its body a drop cap may take (0: none)


@dataclass(frozen=True)
class Section:
    title: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Edition:
    """An edition, read: its settings (the edition file's keys), its sections of
    articles, its cover image, and what its text needs (fonts, direction). The keys read
    as attributes too, as templates have them: `edition.title` is
    `edition.settings.title`."""

    source: Path
    settings: Settings
    sections: tuple[Section, ...]
    cover: Image | None = None
    scripts: tuple[str, ...] = ()  # the font groups beyond Latin the book needs
    dir: str = "ltr"  # or "rtl": the direction of its language

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "settings":
            raise AttributeError(name)
        return getattr(self.settings, name)

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def authors(self) -> tuple[str, ...]:
        """Every article author once, in reading order."""
        return tuple(dict.fromkeys(name for a in self.articles for name in a.authors))

    @property
    def resources(self) -> tuple[Resource, ...]:
        found = {r.name: r for a in self.articles for r in a.resources}
        if self.cover:
            found[self.cover.resource.name] = self.cover.resource
        return tuple(found[name] for name in sorted(found))


# --- the print edition's layout, as the PDF stage found it --------------------------------


@dataclass(frozen=True)
class PageStart:
    """Where a page of the print edition begins, in terms both outputs share: the part
    of the book (an article's id, or `cover`, `title-page`, `contents`), the path of
    element indexes from that part's element down to the block holding the page's first
    line, and how many letters of that block's text come before the line (see
    `pagebreaks`)."""

    part: str
    path: tuple[int, ...] = ()
    offset: int = 0


Point = tuple[float, float]  # CSS px from the top left of the page


@dataclass(frozen=True)
class PageInfo:
    """What the join of a parallel build needs to know of a typeset page."""

    size: Point
    anchors: dict[str, Point]
    links: list[tuple[str, str, tuple[float, float, float, float]]]  # kind, target, x1 y1 x2 y2
    bookmarks: list[tuple[int, str, Point]]
    start: PageStart | None = None  # where the page's text begins, for the EPUB's page list


@dataclass(frozen=True)
class Typeset:
    """One typeset document: its PDF (in memory, or in the file `path`) and its pages."""

    pdf: bytes  # empty when the PDF was written to `path` instead
    pages: tuple[PageInfo, ...]
    refused: list[str] = field(default_factory=list)
    path: Path | None = None


@dataclass(frozen=True)
class PrintLayout:
    """The print edition as the EPUB follows it: where each of its pages begins (None:
    a page without text), the label each page carries, and its cover page (a PDF whose
    first page is the book's first page, as printed)."""

    starts: tuple[PageStart | None, ...]
    labels: tuple[str, ...]
    cover_page: bytes = field(repr=False)

    @property
    def pages(self) -> int:
        return len(self.starts)


# --- rendered documents, as writers receive them -----------------------------------------


Link = tuple[str, str]  # href, text


@dataclass(frozen=True)
class Document:
    """One EPUB content document."""

    name: str
    title: str
    lang: str
    kind: str  # cover, title-page, contents or article
    html: str


@dataclass(frozen=True)
class EpubContent:
    """Everything the EPUB writer packages, rendered."""

    title: str  # the edition's, as the book names itself
    cover: Resource
    documents: tuple[Document, ...]  # in reading order
    nav: bytes  # the navigation document
    toc: tuple[tuple[Link, tuple[Link, ...]], ...]  # entries, each with the ones under it
    files: dict[str, tuple[str, bytes]]  # book path -> (media type, bytes)
    pages: bool  # whether the documents mark the print edition's pages
