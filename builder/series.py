"""Continue a series: find the latest edition file, work out the next issue and date, and
make the next edition file from it.

Edition files are read here as TOML only, never loaded as editions: an older issue's
articles may have moved. The next file is the previous one edited with tomlkit, which
keeps the publisher's comments, key order and layout and changes only the values we set;
when tomlkit cannot follow the file it is written afresh from the parsed values.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import tomlkit
from tomlkit.exceptions import TOMLKitError

from .edition import SECTION_KEYS, Source, check_keys, check_period, read_edition_toml
from .errors import BuildError
from .settings import EDITION_KEYS, REQUIRED


@dataclass(frozen=True)
class EditionFile:
    path: Path
    source: Source  # the text, for tomlkit and for pointing errors at lines
    data: dict  # as tomllib reads it: plain values, checked only as far as we need


@dataclass(frozen=True)
class NextEdition:
    text: str
    issue: int | None
    date: dt.date
    sections: tuple[tuple[str, str], ...]  # (title, suggested folder relative to the file)
    note: str | None = None  # set when the previous file's layout could not be kept


# -- reading ---------------------------------------------------------------------------

def read_edition_file(path: Path) -> EditionFile:
    """The file's text and its TOML, read as `edition build` reads them, with its errors."""
    source, data = read_edition_toml(path)
    return EditionFile(path, source, data)


def is_edition(data: dict) -> bool:
    return all(key in data for key in REQUIRED)


def editions_in(folder: Path, strict: bool = True, exclude: Path | None = None,
                ) -> list[EditionFile]:
    """The edition files among the folder's `.toml` files. A file that cannot be read is
    an error when `strict` (it might be the latest issue), else it is passed over."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        if path.name.startswith(".") or not path.is_file():
            continue
        if exclude is not None and path.resolve() == exclude.resolve():
            continue
        try:
            edition = read_edition_file(path)
            if is_edition(edition.data):
                _check_order_keys(edition)
                found.append(edition)
        except BuildError:
            if strict:
                raise
    return found


def _check_order_keys(edition: EditionFile) -> None:
    """`date` and `issue` decide which edition is the latest, so they must be right."""
    keys = {k: edition.data[k] for k in ("date", "issue") if k in edition.data}
    check_keys(edition.source, keys, EDITION_KEYS, "")


def latest(editions: list[EditionFile]) -> EditionFile:
    def order(edition: EditionFile) -> tuple[dt.date, int, str]:
        return edition.data["date"], edition.data.get("issue", -1), edition.path.name
    return max(editions, key=order)


def check_previous(edition: EditionFile) -> str | int:
    """Validate what the next edition is made from; return the series' period."""
    src, data = edition.source, edition.data
    check_keys(src, data, EDITION_KEYS, "")
    for key in REQUIRED:
        if key not in data:
            raise src.error(f"missing required key '{key}'")
    if not data.get("sections"):
        raise src.error("the edition has no [[sections]] to carry over to the next one")
    start = 1
    for table in data["sections"]:
        line = src.line_of(r"^\s*\[\[\s*sections\s*\]\]", start)
        start = (line or start) + 1
        if not isinstance(table, dict) or "title" not in table:
            raise src.error("each [[sections]] entry must be a table with a 'title'", line)
        check_keys(src, table, SECTION_KEYS, " in [[sections]]", line or 1)
    period = check_period(data.get("period"), src)
    if period is None:
        raise src.error("the edition has no 'period', so the next date is unknown; add "
                        "period = \"weekly\" (or \"monthly\", or a number of days such as "
                        "14) to it")
    return period


# -- dates -----------------------------------------------------------------------------

def _on_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_after(date: dt.date) -> tuple[int, int]:
    return (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)


def _month_before(date: dt.date) -> tuple[int, int]:
    return (date.year - 1, 12) if date.month == 1 else (date.year, date.month - 1)


def next_date(date: dt.date, period: str | int, day: int | None = None) -> dt.date:
    """The date after `date`: a week, a number of days, or a month later on `day` (default:
    the same day), moved back to the month's last day when the month is shorter."""
    if period == "weekly":
        return date + dt.timedelta(days=7)
    if isinstance(period, int):
        return date + dt.timedelta(days=period)
    return _on_day(*_month_after(date), day or date.day)


def series_day(previous: EditionFile, others: list[EditionFile]) -> int:
    """The day of the month a monthly series comes out on.

    A date on the last day of a short month may have been moved back from a later day
    (31 January -> 28 February); the issue before it, when it is in the same folder, says
    which day to return to (-> 31 March). Without it the day is the previous one's."""
    date = previous.data["date"]
    if date.day != calendar.monthrange(date.year, date.month)[1]:
        return date.day
    before = _month_before(date)
    earlier = [e.data["date"] for e in others
               if e.data.get("title") == previous.data.get("title")
               and (e.data["date"].year, e.data["date"].month) == before]
    for candidate in sorted(earlier, reverse=True):
        if _on_day(date.year, date.month, candidate.day) == date:
            return max(candidate.day, date.day)
    return date.day


# -- the next edition ------------------------------------------------------------------

def carried_over(data: dict, issue: int | None, date: dt.date) -> dict:
    """What the next edition file must parse to: everything but the identifier (each
    edition gets its own), with the new issue and date and every article list empty."""
    result = {key: value for key, value in data.items() if key != "identifier"}
    if issue is not None:
        result["issue"] = issue
    result["date"] = date
    result["sections"] = [{**s, "articles": []} if "articles" in s else dict(s)
                          for s in data["sections"]]
    return result


def next_edition(previous: EditionFile, others: list[EditionFile]) -> NextEdition:
    period = check_previous(previous)
    data = previous.data
    issue = data["issue"] + 1 if "issue" in data else None
    day = series_day(previous, others) if period == "monthly" else None
    try:
        date = next_date(data["date"], period, day)
    except OverflowError:
        raise BuildError("the next date would be after the year 9999", previous.path) from None
    expected = carried_over(data, issue, date)
    text, note = edited_text(previous.source.text, issue, date), None
    if text is None or _parses_to(text) != expected:
        text = tomlkit.dumps(expected)
        note = (f"{previous.path.name} has a layout `edition new` cannot edit in place, so "
                f"the new file was written afresh from its values: its comments and layout "
                f"were not kept")
        if _parses_to(text) != expected:  # a bug in tomlkit, not the user's doing
            raise BuildError("could not write the next edition file; please report this",
                             previous.path)
    folders = tuple((s["title"], section_folder(s.get("articles", []), data, issue, date))
                    for s in data["sections"])
    return NextEdition(text, issue, date, folders, note)


def edited_text(text: str, issue: int | None, date: dt.date) -> str | None:
    """The previous file's text with the new issue and date, no identifier and every
    section's article list emptied; None if tomlkit cannot follow it.

    tomllib has read the same text, so a failure here is tomlkit's, and the caller checks
    what comes out against tomllib's values anyway."""
    try:
        document = tomlkit.parse(text)
        if issue is not None:
            document["issue"] = issue
        document["date"] = date
        document.pop("identifier", None)
        for section in document["sections"]:
            if "articles" in section:
                section["articles"] = tomlkit.array()  # articles as [[sections.articles]] too
        return tomlkit.dumps(document)
    except TOMLKitError:
        return None


def _parses_to(text: str) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def section_folder(articles: list, data: dict, issue: int | None, date: dt.date) -> str:
    """Where a section's articles probably go: the folder its previous articles shared,
    with the previous issue number and date in its name replaced by the new ones."""
    folders = []
    for item in articles:
        path = item.get("path") if isinstance(item, dict) else item
        if not isinstance(path, str):
            continue
        parts = PurePosixPath(path.replace("\\", "/")).parent.parts
        cut = next((i for i, p in enumerate(parts) if any(c in p for c in "*?[")), len(parts))
        folders.append(parts[:cut])
    if not folders:
        return ""
    common = os.path.commonprefix(folders)  # element by element: whole folder names
    old_date = re.escape(data["date"].isoformat())
    if issue is None:
        return re.sub(old_date, date.isoformat(), "/".join(common))
    # one pass, so that a number inside the new date is not taken for the issue
    return re.sub(rf"{old_date}|(?<![0-9])0*{issue - 1}(?![0-9])",
                  lambda m: date.isoformat() if "-" in m[0]
                  else str(issue).zfill(len(m[0])), "/".join(common))
