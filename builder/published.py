"""An edition as the download site shows it: plain data, kept in a record beside the
build cache (`site`) and rendered into the site's pages and feeds (`site_pages`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .covers import Picture
from .labels import labels, long_date

MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Listing:
    """An article as the site lists it."""

    title: str
    authors: tuple[str, ...]
    summary: str | None
    lang: str


@dataclass(frozen=True)
class Part:
    title: str
    articles: tuple[Listing, ...]


@dataclass(frozen=True)
class Download:
    format: str  # "epub" or "pdf"
    name: str  # file name inside the edition's folder
    size: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True)
class Published:
    """One edition on the site: what its pages and feed entries show."""

    stem: str  # the edition file's stem, which names its folder
    title: str
    date: dt.date
    language: str
    identifier: str
    updated: dt.datetime  # naive UTC, as the EPUB's modification date
    sections: tuple[Part, ...]
    cover: Picture
    thumbnail: Picture
    downloads: tuple[Download, ...] = ()
    subtitle: str | None = None
    issue: int | None = None
    volume: int | None = None
    publisher: str | None = None
    fresh: bool = True  # False: the build was up to date

    @property
    def articles(self) -> tuple[Listing, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def authors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for a in self.articles for name in a.authors))

    @property
    def long_title(self) -> str:
        """"The Harbour Weekly, Issue 47", or with the date when there is no issue."""
        if self.issue is not None:
            return f"{self.title}, {labels(self.language)['issue']} {self.issue}"
        return f"{self.title}, {long_date(self.date, self.language)}"

    @property
    def short_title(self) -> str:
        """"Issue 47", or the date: enough where the title is already shown."""
        if self.issue is not None:
            return f"{labels(self.language)['issue']} {self.issue}"
        return long_date(self.date, self.language)


def newest_first(editions: list[Published]) -> list[Published]:
    return sorted(editions, key=lambda e: (e.date, e.issue if e.issue is not None else -1,
                                           e.stem), reverse=True)
