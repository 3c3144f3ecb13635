"""The print edition's HTML: the whole book in one document, or, for a parallel build,
its front matter, groups of articles, and the running heads of its pages."""

from __future__ import annotations

import datetime as dt

from ..assets import look_of
from ..labels import labels
from ..models import Article, Edition, Section
from .templates import edition_title, environment, render, sheets

Part = tuple[Section, tuple[Article, ...], bool]  # articles of a section; starts it?


def whole(edition: Edition) -> tuple[Part, ...]:
    return tuple((s, s.articles, True) for s in edition.sections)


def render_print(edition: Edition, modified: dt.datetime, *, front: bool = True,
                 parts: tuple[Part, ...] | None = None,
                 page_numbers: dict[str, int] | None = None, layer: str = "print") -> str:
    """The print HTML: by default the whole book in one document. A chunked build asks
    for the front matter (with the contents' page numbers given) and groups of
    articles separately, with the `print-chunk` layer."""
    look = look_of(edition)
    tags = dict.fromkeys(tag for a in edition.articles for tag in a.tags)
    return render(environment(look.house), "print/book.html", dict(
        edition=edition, target="print", labels=labels(edition.language),
        href=lambda article: f"#{article.id}",
        page_of=lambda article: (page_numbers or {}).get(article.id),
        stylesheets=sheets(layer, look),
        cover_image=edition.cover.resource if edition.cover else None,
        title=edition_title(edition), description=edition.subtitle or edition.title,
        keywords=list(tags), modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        front=front, parts=whole(edition) if parts is None else parts,
    ))


def render_overlay(edition: Edition, pages: list[tuple[str, str | None]], first: int) -> str:
    """Running heads and page numbers for pages `first`, `first` + 1, … of a chunked
    build; `pages` holds each page's kind (cover, front, article) and section."""
    look = look_of(edition)
    return render(environment(look.house), "print/overlay.html", dict(
        edition=edition, pages=pages, first=first,
        stylesheets=sheets("print-overlay", look)))
