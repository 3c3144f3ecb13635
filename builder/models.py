"""Plain data passed between the stages. Nothing here touches the disk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Resource:
    """A file packaged into the outputs, addressed by its path inside the book."""

    name: str  # e.g. "images/3f2a9c1e-map.png", relative to the book's documents
    media_type: str
    data: bytes = field(repr=False)
    source: Path | None = None  # the file it was read from, if any


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
    id: str  # unique in the edition: names the EPUB document and anchors the PDF
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


@dataclass(frozen=True)
class Section:
    title: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Edition:
    source: Path
    title: str
    date: dt.date
    language: str
    identifier: str
    sections: tuple[Section, ...]
    subtitle: str | None = None
    issue: int | None = None
    volume: int | None = None
    publisher: str | None = None
    cover: Image | None = None
    page_size: str = "A4"  # a CSS `size` value
    pdf_variant: str | None = None  # WeasyPrint's name: "pdf/x-4", "pdf/ua-1"…
    bleed: str | None = None  # e.g. "3mm"
    crop_marks: bool = False
    layout: str = "book"  # or "magazine": two columns
    theme: str = "classic"  # or "magazine"
    embed_fonts: bool = True  # in the EPUB
    scripts: tuple[str, ...] = ()  # the font groups beyond Latin the book needs
    machine_fonts: bool = False  # the machine's fonts may draw what ours lack
    dir: str = "ltr"  # or "rtl": the direction of its language

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
