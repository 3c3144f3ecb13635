"""The templates' environment, shared by every output: our templates under an
edition's own, the filters they use, and one error for a mistake in any of them."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from ..assets import TEMPLATES, Look, house_file, stylesheets
from ..errors import BuildError
from ..labels import join_names, labels, long_date
from ..models import Article, Edition


def initial(html: str, count: int) -> markupsafe.Markup:
    """A body's opening `count` characters (cleaning found them: `Article.initial`) in
    `<span class="initial">`, for a drop cap: an element, because WeasyPrint draws a
    floated `::first-letter` over the line it starts."""
    if not count or not html.startswith("<p>"):
        return markupsafe.Markup(html)
    opening = html[3:3 + count]
    return markupsafe.Markup(f'<p><span class="initial">{opening}</span>{html[3 + count:]}')


class HouseLoader(jinja2.BaseLoader):
    """The edition's own `templates/` first (inside its folder only), then ours."""

    def __init__(self, house: Path | None) -> None:
        self.house = house
        self.ours = jinja2.FileSystemLoader(str(TEMPLATES))

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
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


def jinja_environment(loader: jinja2.BaseLoader, **options: Any) -> jinja2.Environment:
    """A Jinja environment as every template of ours expects one (the books', the
    download site's, the preview's): escaped by default, an unknown name an error,
    block tags taking their lines with them."""
    return jinja2.Environment(loader=loader, **{
        "autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True,
        "lstrip_blocks": True, "keep_trailing_newline": True, **options})


@functools.cache
def environment(house: Path | None = None) -> jinja2.Environment:
    """One environment per process and house style: a chunked build renders the
    templates many times, and each new environment would compile them again."""
    env = jinja_environment(HouseLoader(house),
                            autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]))
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


def sheets(layer: str, look: Look) -> list[str]:
    return [f"styles/{name}" for name in stylesheets(layer, look)]


def render(env: jinja2.Environment, name: str, context: dict) -> str:
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
