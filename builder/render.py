"""The one rendering step: the `Edition` model to HTML, with the shared templates.

EPUB gets one XHTML document per page (cover, title page, contents, each article);
print gets one HTML document holding them all. Both come from the same templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from .assets import LAYERS, TEMPLATES
from .labels import join_names, labels, long_date
from .models import Article, Edition, Resource


@dataclass(frozen=True)
class Document:
    """One EPUB content document."""

    name: str
    title: str
    lang: str
    kind: str  # cover, title-page, contents or article
    html: str


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["join_names"] = join_names
    env.globals["labels_for"] = labels
    return env


def edition_title(edition: Edition) -> str:
    words = labels(edition.language)
    if edition.issue is not None:
        return f"{edition.title}, {words['issue']} {edition.issue}"
    return f"{edition.title}, {long_date(edition.date, edition.language)}"


def article_file(article: Article) -> str:
    return f"{article.id}.xhtml"


def render_epub(edition: Edition, cover_image: Resource) -> tuple[Document, ...]:
    env = environment()
    page = env.get_template("epub/document.xhtml")
    sheets = [f"styles/{name}" for name in LAYERS["epub"]]
    words = labels(edition.language)
    common = {"edition": edition, "target": "epub", "labels": words, "stylesheets": sheets,
              "cover_image": cover_image, "href": article_file}

    def document(name: str, title: str, kind: str, content: str, lang: str, **extra) -> Document:
        html = page.render(common, title=title, kind=kind, content=content, lang=lang, **extra)
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
                                      "article.html", article.lang, article=article,
                                      section=section))
    return tuple(documents)


def render_print(edition: Edition, modified: dt.datetime) -> str:
    env = environment()
    href: Callable[[Article], str] = lambda article: f"#{article.id}"  # noqa: E731
    tags = dict.fromkeys(tag for a in edition.articles for tag in a.tags)
    description = "; ".join(a.title for a in edition.articles)
    return env.get_template("print/book.html").render(
        edition=edition, target="print", labels=labels(edition.language), href=href,
        stylesheets=[f"styles/{name}" for name in LAYERS["print"]],
        cover_image=edition.cover.resource if edition.cover else None,
        title=edition_title(edition), description=description, keywords=list(tags),
        modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
