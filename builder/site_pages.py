"""The site's files, rendered from the published editions with `templates/site/`.

Pages link to each other with relative URLs, so the site works from any folder, over
HTTP or straight from the disk. The feeds use absolute URLs when a base URL is given,
relative ones (which Atom and OPDS allow) otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from .assets import STYLES, TEMPLATES
from .labels import join_names, labels, long_date
from .published import Published
from .render.templates import jinja_environment
from .text import human_size, xml_safe

OPDS_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
GLIMPSE = 6  # article titles the index shows of each edition
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class Site:
    title: str
    publisher: str | None
    shared_title: bool  # every edition has the site's title
    updated: dt.datetime
    base_url: str | None
    feed_id: str
    opds_id: str



def rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_id(identifier: str) -> str:
    """Atom ids must be IRIs: an identifier such as 'weekly-47' or an ISBN is not one,
    so it stands for a UUID made from it (the same every time)."""
    if IRI.match(identifier):
        return identifier
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'edition-builder-id:{identifier}')}"


def _shared(values: list) -> object | None:
    return values[0] if values and all(v == values[0] for v in values) else None


def site_for(editions: list[Published], base_url: str | None) -> Site:
    title = _shared([e.title for e in editions])
    key = base_url or f"title:{title or 'Editions'}"

    def feed_id(name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'edition-builder-site:{key}|{name}')}"

    return Site(title=title or "Editions", publisher=_shared([e.publisher for e in editions]),
                shared_title=title is not None, updated=max(e.updated for e in editions),
                base_url=base_url, feed_id=feed_id("feed.xml"), opds_id=feed_id("opds.xml"))


def glimpse(edition: Published, limit: int = GLIMPSE) -> tuple[list[tuple[str, list[str]]], int]:
    """The first `limit` article titles by section, and how many articles are left."""
    shown, count = [], 0
    for section in edition.sections:
        titles = [a.title for a in section.articles[:max(0, limit - count)]]
        if titles:
            shown.append((section.title, titles))
            count += len(titles)
    return shown, len(edition.articles) - count


def _finalize(value: object) -> object:
    # Metadata is text: characters XML cannot hold are dropped, as in the books.
    if isinstance(value, str) and not isinstance(value, Markup):
        return xml_safe(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja_environment(jinja2.FileSystemLoader(str(TEMPLATES / "site")),
                            finalize=_finalize)
    env.filters.update(long_date=long_date, join_names=join_names, size=human_size,
                       rfc3339=rfc3339, atom_id=atom_id)
    env.globals.update(labels_for=labels, glimpse=glimpse, OPDS_TYPE=OPDS_TYPE)
    return env


def _page_url(page: str) -> Callable[[str], str]:
    """Relative URLs from the page `page` (both paths from the site's root)."""
    here = posixpath.dirname(page) or "."
    return lambda target: quote(posixpath.relpath(target, here))


def _feed_url(base_url: str | None) -> Callable[[str], str]:
    if base_url:
        return lambda target: base_url.rstrip("/") + "/" + quote(target)
    return quote


def static_files() -> dict[str, bytes]:
    """The stylesheet, and the fonts it names with their licence."""
    css = (STYLES / "site.css").read_bytes()
    fonts = sorted(set(re.findall(rb"url\(\"?fonts/([\w.-]+)\"?\)", css)))
    files = {"static/site.css": css,
             "static/fonts/OFL.txt": (STYLES / "fonts" / "OFL.txt").read_bytes()}
    for font in fonts:
        name = font.decode()
        files[f"static/fonts/{name}"] = (STYLES / "fonts" / name).read_bytes()
    return files


def render_site(editions: list[Published], base_url: str | None = None) -> dict[str, bytes]:
    """Site path -> bytes for every page, feed and static file; `editions` newest first."""
    env = environment()
    site = site_for(editions, base_url)
    common = {"site": site, "editions": editions}
    files = static_files()
    for edition in editions:
        page = f"{edition.stem}/index.html"
        files[page] = env.get_template("edition.html").render(
            common, edition=edition, url=_page_url(page), page=page).encode()
    files["index.html"] = env.get_template("index.html").render(
        common, url=_page_url("index.html"), page="index.html").encode()
    feed_url = _feed_url(base_url)
    for name in ("opds.xml", "feed.xml"):
        files[name] = env.get_template(name).render(common, url=feed_url).encode()
    return files
