"""Atom and RSS feeds: one `Draft` per entry, in feed order.

feedparser only parses here. Its own sanitiser and relative-URI resolution are off: an
entry's HTML goes through `clean.clean_body` like every other article's, so the same
rules (and the same image policy, relative to the feed file) apply. It is handed a
stream of bytes we read ourselves, never a URL nor bare bytes: bare bytes that happen to
name a file are opened as that file. Nothing resolves an external entity or fetches a
DTD (feedparser strips the DOCTYPE and its SAX parser has external entities off; our
well-formedness check loads neither): the tests check it with XXE payloads.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from ..clean import sanitise, squash_spaces
from ..errors import BuildError, Report, line_of
from ..metadata import MAX_CHARS, check_lang, normalise
from ..text import xml_safe
from .meta import Draft

if TYPE_CHECKING:
    from feedparser import FeedParserDict

MAX_ENTRY_BYTES = 2 * 1024 * 1024  # as for an article file
TITLE_WORDS = 8  # an untitled entry is called by its opening words
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Item:
    """One feed entry, ready to become an article."""

    label: str  # "entry 3 'Title'", naming it in messages
    draft: Draft


@dataclass(frozen=True)
class _Read:
    item: Item
    number: int
    when: float | None  # seconds since the epoch, for `limit`


def parse(path: Path, data: bytes) -> Any:
    """The feedparser result, or a BuildError if the file is not a well-formed feed."""
    import feedparser

    if not data.strip():
        raise BuildError("the feed file is empty", path)
    _check_well_formed(path, data)
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False,
                              resolve_relative_uris=False)
    if parsed.get("bozo"):
        # Rare after the check above: feedparser drops the DOCTYPE, so an entity it
        # declared is undefined here. Its line numbers are off (it rewrites the prolog).
        problem = parsed.get("bozo_exception")
        reason = getattr(problem, "getMessage", lambda: str(problem))()
        hint = "; entities from a DOCTYPE or another file are not read" \
            if "entity" in reason else ""
        raise BuildError(f"the feed cannot be read: {reason}{hint}", path)
    if not parsed.get("version"):
        raise BuildError("the file is not an Atom or RSS feed (no <feed>, <rss> or "
                         "<rdf:RDF> element)", path)
    return parsed


def _check_well_formed(path: Path, data: bytes) -> None:
    """Find the first XML error and its line in the file as written. The parser here
    loads no DTD, expands no entity and has no network."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = exc.msg or str(exc)
        where = re.search(r", line \d+, column (\d+)$", message)
        if where:
            message = f"{message[:where.start()]} (column {where[1]})"
        raise BuildError(f"the feed is not well-formed XML: {message}", path,
                         exc.lineno) from None


def read_feed(path: Path, data: bytes, overrides: dict, default_lang: str,
              limit: int | None, report: Report) -> list[Item]:
    """The feed's entries that have content, in feed order (only the newest `limit`
    of them when given). Entries without content are skipped with a warning."""
    parsed = parse(path, data)
    langs = _Languages(path, report)
    feed_lang = None if "lang" in overrides else \
        langs.check(parsed.feed.get("language"), "the feed's language")
    feed_authors = _names(parsed.feed.get("authors"))
    found = []
    for number, entry in enumerate(parsed.entries, 1):
        title = _title(entry)
        label = f"entry {number}" + (f" '{_short(title)}'" if title else "")
        try:
            item = _item(entry, number, title, label, path, overrides, langs,
                         feed_lang or default_lang, feed_authors, report)
        except BuildError as exc:
            raise BuildError(f"{label}: {exc.message}", exc.path, exc.line) from None
        if item:
            found.append(_Read(item, number, _timestamp(entry)))
    if limit is not None and len(found) > limit:
        # Newest first; undated entries after dated ones; ties keep feed order.
        newest = sorted(found, key=lambda r: (r.when is None, -(r.when or 0), r.number))
        kept = {r.number for r in newest[:limit]}
        found = [r for r in found if r.number in kept]
    return [r.item for r in found]


def _item(entry: FeedParserDict, number: int, title: str | None, label: str, path: Path,
          overrides: dict, langs: _Languages, fallback_lang: str, feed_authors: list[str],
          report: Report) -> Item | None:
    body, summary = _body(entry)
    size = len(body.encode()) if body else 0
    if size > MAX_ENTRY_BYTES:
        raise BuildError(f"the entry is {size / 2**20:.1f} MB; the limit is "
                         f"{MAX_ENTRY_BYTES // 2**20} MB per article", path)
    text = plain_text(body) if body else ""
    if not text and not (body and "<img" in sanitise(body)):
        report.warn(f"{label} has no content (no content, summary or description); "
                    f"skipped", path, code="feed-entry-empty")
        return None
    own: dict[str, Any] = {
        "title": title or _opening_words(text) or f"Untitled (entry {number})",
        "author": _names(entry.get("authors")) or feed_authors or None,
        "date": _date(entry, label, path, report),
        "summary": _summary(plain_text(summary)) if summary else None,
    }
    meta = {"lang": fallback_lang, **normalise(own, path)}
    if "lang" not in overrides:
        meta["lang"] = langs.check(_entry_lang(entry), f"{label}: its language") \
            or fallback_lang
    return Item(label, Draft(path, {**meta, **overrides}, body))


def plain_text(html: str) -> str:
    """The text of an HTML fragment, through the same sanitiser as article bodies
    (so what a script or style element holds is dropped, not shown)."""
    clean = sanitise(html)
    if not clean.strip():
        return ""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    root = lxml.html.fragment_fromstring(f"<div>{clean}</div>".encode(), parser=parser)
    return " ".join(root.text_content().split())


def _title(entry: FeedParserDict) -> str | None:
    detail = entry.get("title_detail")
    if not detail or not (detail.get("value") or "").strip():
        return None
    value = detail["value"]
    text = plain_text(value) if detail.get("type") in HTML_TYPES else " ".join(value.split())
    return text or None


def _body(entry: FeedParserDict) -> tuple[str | None, str | None]:
    """(body HTML, summary HTML): the full content if any, else the summary or
    description as the body (and then no separate summary)."""
    contents = [c for c in entry.get("content") or () if (c.get("value") or "").strip()]
    # feedparser copies a lone content into `summary` and leaves `summary_detail` unset
    summary = entry.get("summary_detail")
    if summary is not None and not (summary.get("value") or "").strip():
        summary = None
    if not contents:
        return (_html(summary), None) if summary else (None, None)
    content = sorted(contents, key=lambda c: c.get("type") not in HTML_TYPES)[0]
    if summary is None or summary["value"].strip() == content["value"].strip():
        return _html(content), None
    return _html(content), _html(summary)


def _html(detail: FeedParserDict) -> str:
    value = detail["value"]
    if detail.get("type") in HTML_TYPES:
        return value
    paragraphs = [squash_spaces(p) for p in re.split(r"\n\s*\n", value)]
    html = []
    for paragraph in filter(str.strip, paragraphs):
        p = etree.Element("p")
        p.text = xml_safe(paragraph)
        html.append(etree.tostring(p, encoding="unicode"))
    return "".join(html)


def _summary(text: str) -> str | None:
    limit = MAX_CHARS["summary"]
    if len(text) > limit:
        text = text[:limit - 1].rsplit(" ", 1)[0] + "…"
    return text or None


def _short(title: str) -> str:
    return title if len(title) <= 40 else title[:39] + "…"


def _opening_words(text: str) -> str:
    words = text.split()
    title = " ".join(words[:TITLE_WORDS])
    return title + ("…" if len(words) > TITLE_WORDS else "")


def _names(people: list[FeedParserDict] | None) -> list[str]:
    return [p["name"].strip() for p in people or () if (p.get("name") or "").strip()]


def _date(entry: FeedParserDict, label: str, path: Path, report: Report) -> dt.date | None:
    """The date as the feed writes it (in its own time zone), else feedparser's."""
    for key in ("published", "updated"):
        raw = (_own(entry, key) or "").strip()
        if not raw:
            continue
        for read in (email.utils.parsedate_to_datetime, dt.datetime.fromisoformat):
            try:
                return read(raw).date()
            except (TypeError, ValueError, IndexError, OverflowError):
                pass
        if not _possible(_written(raw)):  # (feedparser rolls 2026-13-01 on to 2027-01-01)
            raise BuildError(f"{key} date {raw[:40]!r} does not exist; correct it in the "
                             f"feed", path, line_of(path, raw[:40]))
        parsed = _own(entry, f"{key}_parsed")
        if parsed:
            return dt.date(*parsed[:3])
        report.warn(f"{label}: {key} date {raw[:40]!r} not understood; the article has "
                    f"no date", path, code="feed-date", near=raw[:40])
    return None


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
RFC_DAY = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})\b")


def _written(raw: str) -> tuple[int, int, int] | None:
    """Year, month and day as a date is written (ISO 8601 or RFC 822), possible or not."""
    if match := ISO_DAY.match(raw):
        return int(match[1]), int(match[2]), int(match[3])
    match = RFC_DAY.search(raw)
    if match and match[2].lower() in MONTHS:
        return int(match[3]), MONTHS.index(match[2].lower()) + 1, int(match[1])
    return None


def _possible(written: tuple[int, int, int] | None) -> bool:
    """Whether a date written so exists (one not written in a form known is given the
    benefit of the doubt: feedparser reads more forms)."""
    if written is None:
        return True
    try:
        dt.date(*written)
    except ValueError:
        return False
    return True


def _timestamp(entry: FeedParserDict) -> float | None:
    parsed = _own(entry, "published_parsed") or _own(entry, "updated_parsed")
    return float(calendar.timegm(parsed)) if parsed else None


def _own(entry: FeedParserDict, key: str) -> Any:
    """The value the entry really has: feedparser answers a missing `updated` with
    `published` (a deprecated fallback), which would report one bad date twice."""
    return dict.get(entry, key)


def _entry_lang(entry: FeedParserDict) -> str | None:
    for detail in (*(entry.get("content") or ()), entry.get("summary_detail"),
                   entry.get("title_detail")):
        if detail and detail.get("language"):
            return detail["language"]
    return None


class _Languages:
    """Checks language tags from the feed; a bad one is reported once and ignored
    (the feed is someone else's file: the edition can set `lang` in its feed table)."""

    def __init__(self, path: Path, report: Report) -> None:
        self.path, self.report, self.bad = path, report, set()

    def check(self, value: str | None, describe: str) -> str | None:
        if not value or not value.strip():
            return None
        try:
            return check_lang(value.strip(), describe, self.path)
        except BuildError as exc:
            if value not in self.bad:
                self.bad.add(value)
                self.report.warn(f"{exc.message}; ignored (set 'lang' in the edition's "
                                 f"feed table to choose one)", self.path,
                                 code="feed-lang")
        return None
