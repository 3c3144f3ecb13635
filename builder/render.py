"""The one rendering step: the `Edition` model to HTML, with the shared templates.

EPUB gets one XHTML document per page (cover, title page, contents, each article);
print gets one HTML document holding them all. Both come from the same templates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import traceback
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe

from .assets import TEMPLATES, Look, house_file, look_of, stylesheets
from .errors import BuildError
from .labels import join_names, labels, long_date
from .models import Article, Edition, Resource, Section

# A body's opening letter (after an opening quotation mark, if any), as our cleaning
# writes it: `<p>` then text.
OPENING_LETTER = re.compile("^<p>([\"'\u00ab\u201a\u201c\u201e\u2018\u2039]?\\w)")
JOINING = re.compile("[\u0600-\u08ff]")  # Arabic, Syriac, Thaana, N'Ko…: letters that join


def initial(html: str) -> markupsafe.Markup:
    """The first letter of a body that opens with a paragraph of text, in
    `<span class="initial">`, for a drop cap: an element, because WeasyPrint draws a
    floated `::first-letter` over the line it starts. Not where a letter cannot stand
    alone: one that joins the next (Arabic, Syriac…), or one followed by a mark shaped
    with it (a Devanagari vowel sign, a Thai tone mark)."""
    match = OPENING_LETTER.match(html)
    if match is None or JOINING.match(match.group(1)[-1]) \
            or unicodedata.category(html[match.end():match.end() + 1] or " ")[0] == "M":
        return markupsafe.Markup(html)
    return markupsafe.Markup(OPENING_LETTER.sub(r'<p><span class="initial">\1</span>', html,
                                                count=1))


@dataclass(frozen=True)
class Document:
    """One EPUB content document."""

    name: str
    title: str
    lang: str
    kind: str  # cover, title-page, contents or article
    html: str


class HouseLoader(jinja2.BaseLoader):
    """The edition's own `templates/` first (inside its folder only), then ours."""

    def __init__(self, house: Path | None):
        self.house = house
        self.ours = jinja2.FileSystemLoader(str(TEMPLATES))

    def get_source(self, environment, template):
        path = house_file(self.house, "templates", template)
        if path is None:
            source, filename, ours_fresh = self.ours.get_source(environment, template)

            def fresh() -> bool:  # an override added since replaces ours
                return ours_fresh() and house_file(self.house, "templates", template) is None
            return source, filename, fresh
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BuildError(f"cannot read the template: {exc}", path) from None
        mtime = path.stat().st_mtime_ns
        return source, str(path), lambda: house_file(self.house, "templates", template) \
            == path and path.stat().st_mtime_ns == mtime


@functools.cache
def environment(house: Path | None = None) -> jinja2.Environment:
    """One environment per process and house style: a chunked build renders the
    templates many times, and each new environment would compile them again."""
    env = jinja2.Environment(
        loader=HouseLoader(house),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["join_names"] = join_names
    env.filters["initial"] = initial
    env.globals["labels_for"] = labels
    return env


def edition_title(edition: Edition) -> str:
    words = labels(edition.language)
    if edition.issue is not None:
        return f"{edition.title}, {words['issue']} {edition.issue}"
    return f"{edition.title}, {long_date(edition.date, edition.language)}"


def article_file(article: Article) -> str:
    return f"{article.id}.xhtml"


def _sheets(layer: str, look: Look) -> list[str]:
    return [f"styles/{name}" for name in stylesheets(layer, look)]


def _render(env: jinja2.Environment, name: str, context: dict) -> str:
    """Render one template; a mistake in a template (a house style's, most likely) is
    a `BuildError` naming the template file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(f"template error: {error.message}", error.filename or name,
                         error.lineno) from None
    except jinja2.TemplateNotFound as error:
        raise BuildError(f"template error: no template named '{error.name}' (looked in "
                         f"the edition's templates/ and in {TEMPLATES})", name) from None
    except (jinja2.TemplateError, TypeError, AttributeError, ValueError) as error:
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename.endswith((".html", ".xhtml", ".xml"))]
        where = (frames[-1].filename, frames[-1].lineno) if frames else (name, None)
        raise BuildError(f"template error: {error}", *where) from None


def render_epub(edition: Edition, cover_image: Resource,
                layer: str = "epub") -> tuple[Document, ...]:
    """The EPUB's documents; `edition preview` shows the same ones with its `screen`
    style layer."""
    look = look_of(edition)
    env = environment(look.house)
    words = labels(edition.language)
    common = {"edition": edition, "target": "epub", "labels": words,
              "stylesheets": _sheets(layer, look), "cover_image": cover_image,
              "href": article_file, "page_of": lambda a: None}

    def document(name: str, title: str, kind: str, content: str, lang: str,
                 dir: str = edition.dir, **extra) -> Document:
        html = _render(env, "epub/document.xhtml",
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
    return _render(environment(look.house), "print/book.html", dict(
        edition=edition, target="print", labels=labels(edition.language),
        href=lambda article: f"#{article.id}",
        page_of=lambda article: (page_numbers or {}).get(article.id),
        stylesheets=_sheets(layer, look),
        cover_image=edition.cover.resource if edition.cover else None,
        title=edition_title(edition), description=edition.subtitle or edition.title,
        keywords=list(tags), modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        front=front, parts=whole(edition) if parts is None else parts,
    ))


def render_overlay(edition: Edition, pages: list[tuple[str, str | None]], first: int) -> str:
    """Running heads and page numbers for pages `first`, `first` + 1, … of a chunked
    build; `pages` holds each page's kind (cover, front, article) and section."""
    look = look_of(edition)
    return _render(environment(look.house), "print/overlay.html", dict(
        edition=edition, pages=pages, first=first,
        stylesheets=_sheets("print-overlay", look)))
