"""Continue a series: find the latest edition file, work out the next issue and date, and
make the next edition file from it.

Edition files are read here as TOML only, never loaded as editions: an older issue's
articles may have moved. The next file is the previous one's text with a few values
edited, so the publisher's comments and layout survive; when that cannot be done safely
it is written afresh from the parsed values.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .edition import EDITION_KEYS, REQUIRED, SECTION_KEYS, _check_keys, _period, _Source
from .errors import BuildError


@dataclass(frozen=True)
class EditionFile:
    path: Path
    text: str
    data: dict


@dataclass(frozen=True)
class NextEdition:
    text: str
    issue: int | None
    date: dt.date
    sections: tuple[tuple[str, str], ...]  # (title, suggested folder relative to the file)
    note: str | None = None  # set when the previous file's layout could not be kept


# -- reading ---------------------------------------------------------------------------

def read_edition_file(path: Path) -> EditionFile:
    """The file's text and its TOML; errors name the file and the line."""
    if path.exists() and not path.is_file():
        raise BuildError("the edition file is not a regular file", path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise BuildError("edition file not found", path) from None
    except OSError as exc:
        raise BuildError(f"cannot read the edition file: {exc.strerror}", path) from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"the edition file is not UTF-8 (bad byte at offset {exc.start}); "
                         f"save it as UTF-8", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        if where:
            message = f"{message[:where.start()]} (column {where[2]})"
        raise BuildError(f"TOML syntax error: {message}", path,
                         int(where[1]) if where else None) from None
    return EditionFile(path, text, data)


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
    _check_keys(_Source(edition.path, edition.text), keys, EDITION_KEYS, "")


def latest(editions: list[EditionFile]) -> EditionFile:
    def order(edition: EditionFile):
        return edition.data["date"], edition.data.get("issue", -1), edition.path.name
    return max(editions, key=order)


def check_previous(edition: EditionFile) -> str | int:
    """Validate what the next edition is made from; return the series' period."""
    src, data = _Source(edition.path, edition.text), edition.data
    _check_keys(src, data, EDITION_KEYS, "")
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
        _check_keys(src, table, SECTION_KEYS, " in [[sections]]", line or 1)
    period = _period(data.get("period"), src)
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
    text, note = edited_text(previous.text, issue, date), None
    if text is None or _parses_to(text) != expected:
        text = toml_text(expected)
        note = (f"{previous.path.name} {_layout_reason(previous.text)}, so the new file was "
                f"written afresh from its values: its comments and layout were not kept")
        if _parses_to(text) != expected:  # a bug in toml_text, not the user's doing
            raise BuildError("could not write the next edition file; please report this",
                             previous.path)
    folders = tuple((s["title"], section_folder(s.get("articles", []), data, issue, date))
                    for s in data["sections"])
    return NextEdition(text, issue, date, folders, note)


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


# -- editing the previous file's text --------------------------------------------------

@dataclass(frozen=True)
class _KeyValue:
    table: str  # the header it is under, spaces removed: "" (top level), "[[sections]]" …
    key: str
    line_start: int
    value_start: int
    value_end: int


def _end_of_line(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _string_end(text: str, i: int) -> int:
    quote = text[i]
    escapes = quote == '"'
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            if escapes and text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                k = j + 3
                while k < len(text) and text[k] == quote and k - j < 5:
                    k += 1  # up to two quotes may end the content: """a""""
                return k
            else:
                j += 1
    j = i + 1
    while text[j] != quote:
        j += 2 if escapes and text[j] == "\\" else 1
    return j + 1


def _value_end(text: str, i: int) -> int:
    if text[i] in "\"'":
        return _string_end(text, i)
    if text[i] in "[{":
        depth, j = 0, i
        while True:
            char = text[j]
            if char in "\"'":
                j = _string_end(text, j)
                continue
            if char == "#":
                j = _end_of_line(text, j)
                continue
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
    scalar = re.compile(r"[^#\r\n]*").match(text, i)[0]
    return i + len(scalar.rstrip())


def _key_values(text: str) -> tuple[list[_KeyValue], list[str]]:
    """Every `key = value` of the document with where its value is, and its headers."""
    found, headers, table, i = [], [], "", 0
    while i < len(text):
        line_start = i
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            break
        if text[i] in "\r\n":
            i += 1
        elif text[i] == "#":
            i = _end_of_line(text, i)
        elif text[i] == "[":
            close = text.index("]", i)
            table = re.sub(r"\s+", "", text[i:close + 2 if text[i + 1] == "[" else close + 1])
            headers.append(table)
            i = _end_of_line(text, close)
        else:
            j = i
            while text[j] != "=":
                j = _string_end(text, j) if text[j] in "\"'" else j + 1
            value_start = j + 1
            while text[value_start] in " \t":
                value_start += 1
            value_end = _value_end(text, value_start)
            found.append(_KeyValue(table, text[i:j].strip(), line_start, value_start,
                                   value_end))
            i = _end_of_line(text, value_end)
    return found, headers


def edited_text(text: str, issue: int | None, date: dt.date) -> str | None:
    """The previous file's text with the new issue and date, no identifier and every
    section's article list emptied; None if the text could not be followed."""
    try:
        entries, _ = _key_values(text)
    except (IndexError, ValueError):
        return None
    edits = []
    for entry in entries:
        span = (entry.value_start, entry.value_end)
        if entry.table == "" and entry.key == "issue" and issue is not None:
            edits.append((*span, str(issue)))
        elif entry.table == "" and entry.key == "date":
            edits.append((*span, date.isoformat()))
        elif entry.table == "" and entry.key == "identifier":
            edits.append((entry.line_start, _end_of_line(text, entry.value_end), ""))
        elif entry.table == "[[sections]]" and entry.key == "articles":
            edits.append((*span, "[]"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _layout_reason(text: str) -> str:
    try:
        entries, headers = _key_values(text)
    except (IndexError, ValueError):
        return "has a layout `edition new` cannot edit in place"
    unusual = sorted({h for h in headers if h not in ("[[sections]]", "[furniture]")}
                     | {e.key for e in entries if "." in e.key or e.key[:1] in "\"'"})
    if unusual:
        return f"uses {', '.join(unusual)}, which `edition new` does not edit in place"
    return "has a layout `edition new` cannot edit in place"


# -- writing TOML afresh ---------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _string(text: str) -> str:
    def escape(char: str) -> str:
        if char in _ESCAPES:
            return _ESCAPES[char]
        return f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char
    return '"' + "".join(escape(c) for c in text) + '"'


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (dt.date, dt.time)):  # dt.datetime is a dt.date
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_text(data: dict) -> str:
    """`data` as TOML: keys first, then tables and arrays of tables (one level deep,
    deeper tables inline), which is all an edition file has."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items()
             if not isinstance(v, dict) and not _is_table_array(v)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        elif _is_table_array(value):
            for table in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
