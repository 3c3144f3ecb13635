"""Load and validate an edition file (TOML) into an `EditionSpec`.

Errors name the edition file and, where it can be found, the line of the key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import glob
import re
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BuildError
from .metadata import ARTICLE_KEYS, check_lang, normalise

PAGE_SIZES = {"a4": "A4", "a5": "A5", "letter": "letter", "tabloid": "11in 17in"}
PDF_VARIANTS = ("pdf/x-4", "pdf/x-3", "pdf/a-3b", "pdf/ua-1")
LAYOUTS = ("book", "magazine")
THEMES = ("classic", "magazine")
BLEED_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}

EDITION_KEYS = {
    "title": str, "subtitle": str, "issue": int, "volume": int, "date": dt.date,
    "language": str, "publisher": str, "identifier": str, "cover": str, "page_size": str,
    "sections": list, "furniture": dict, "remote_images": bool, "period": object,
    "pdf_variant": str, "bleed": str, "crop_marks": bool, "layout": str, "theme": str,
    "embed_fonts": bool, "machine_fonts": bool,
}
REQUIRED = ("title", "date", "language")
SECTION_KEYS = {"title": str, "articles": list}
ENTRY_KEYS = {"path": str, **dict.fromkeys(ARTICLE_KEYS, object)}
FEED_KEYS = {"feed": str, "limit": int, "lang": str}
FURNITURE_KEYS = {"remove": bool, "patterns": list}
TYPE_NAMES = {str: "a string", int: "an integer", dt.date: "a date (YYYY-MM-DD)",
              list: "a list", dict: "a table", bool: "true or false", object: "a value"}


@dataclass(frozen=True)
class Entry:
    """One article of a section: its file and the metadata the edition gives it
    (checked; an `image` given here is relative to the edition file). With `feed`,
    the file is an Atom or RSS feed whose entries (the newest `limit` of them, if
    given) become one article each."""

    path: Path
    overrides: tuple[tuple[str, Any], ...] = ()
    line: int | None = None
    feed: bool = False
    limit: int | None = None


@dataclass(frozen=True)
class SectionSpec:
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class FurnitureSpec:
    remove: bool = True
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class EditionSpec:
    path: Path
    root: Path  # the folder every article and image must live in
    title: str
    date: dt.date
    language: str
    identifier: str
    sections: tuple[SectionSpec, ...]
    subtitle: str | None = None
    issue: int | None = None
    volume: int | None = None
    publisher: str | None = None
    cover: Path | None = None
    page_size: str = "A4"
    furniture: FurnitureSpec = FurnitureSpec()
    remote_images: bool = False
    period: str | int | None = None  # "weekly", "monthly" or a number of days
    pdf_variant: str | None = None  # one of PDF_VARIANTS
    bleed: str | None = None  # a CSS length in mm, e.g. "3mm"
    crop_marks: bool = False
    layout: str = "book"
    theme: str = "classic"
    embed_fonts: bool = True  # in the EPUB
    machine_fonts: bool = False  # the machine's fonts may draw what ours lack


class _Source:
    """The edition file's text, for pointing errors at lines."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def line_of(self, pattern: str, start: int = 1) -> int | None:
        regex = re.compile(pattern)
        for number, line in enumerate(self.lines[start - 1:], start):
            if regex.search(line):
                return number
        return None

    def key_line(self, key: str, start: int = 1) -> int | None:
        return self.line_of(rf"^\s*{re.escape(key)}\s*=", start)

    def error(self, message: str, line: int | None = None) -> BuildError:
        return BuildError(message, self.path, line)


def _suggest(key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(src: _Source, table: dict, known: dict, where: str, start: int = 1,
                at: int | None = None) -> None:
    """`at`: the line of an inline table, where its keys are (TOML keeps one on a line)."""
    for key, value in table.items():
        on_at = at and re.search(rf"\b{re.escape(key)}\s*=", src.lines[at - 1])
        line = at if on_at else src.key_line(key, start)
        if key not in known:
            allowed = ", ".join(known)
            raise src.error(f"unknown key '{key}'{where}{_suggest(key, known)}; "
                            f"known keys: {allowed}", line)
        expected = known[key]
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is dt.date and isinstance(value, dt.datetime):
            ok = False
        if not ok:
            raise src.error(f"'{key}'{where} must be {TYPE_NAMES[expected]}, "
                            f"not {type(value).__name__} {value!r}", line)


def page_size_css(value: str, src: _Source) -> str:
    preset = PAGE_SIZES.get(value.strip().lower())
    if preset:
        return preset
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*(mm)?\s*", value)
    if match and 50 <= float(match[1]) <= 2000 and 50 <= float(match[2]) <= 2000:
        return f"{match[1]}mm {match[2]}mm"
    raise src.error(f"page_size must be A4, A5, letter, tabloid or \"WIDTH HEIGHT\" in mm "
                    f"(50 to 2000), not {value!r}", src.key_line("page_size"))


def _choice(top: dict, key: str, choices: tuple[str, ...], src: _Source) -> str | None:
    value = top.get(key)
    if value is None:
        return None
    if value.strip().lower() not in choices:
        raise src.error(f"{key} must be one of {', '.join(choices)}, not {value!r}"
                        f"{_suggest(value.strip().lower(), choices)}", src.key_line(key))
    return value.strip().lower()


def _bleed(value: str | None, src: _Source) -> str | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*", value)
    millimetres = float(match[1]) * BLEED_UNITS_MM[match[2]] if match else -1
    if not 0 <= millimetres <= 20:
        raise src.error(f"bleed must be a length from 0 to 20 mm such as \"3mm\" or "
                        f"\"0.125in\", not {value!r}", src.key_line("bleed"))
    return f"{round(millimetres, 3):g}mm"


PERIODS = ("weekly", "monthly")


def _period(value: Any, src: _Source) -> str | int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in PERIODS:
        return value.strip().lower()
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3660:
        return value
    raise src.error(f"period must be \"weekly\", \"monthly\" or a number of days "
                    f"(1 to 3660), not {value!r}", src.key_line("period"))


def default_identifier(title: str, issue: int | None, date: dt.date) -> str:
    """Stable across builds: the same title, issue and date give the same id."""
    name = f"edition-builder:{title}|{issue if issue is not None else ''}|{date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolve(src: _Source, root: Path, text: str, line: int | None,
             kind: str = "article") -> list[Path]:
    base = src.path.parent
    if Path(text).is_absolute():
        raise src.error(f"{kind} path '{text}' is absolute; give it relative to the "
                        f"edition file", line)
    if any(ch in text for ch in "*?["):
        found = sorted(glob.glob(text, root_dir=base))
        paths = [(base / p).resolve() for p in found if (base / p).is_file()]
        if not paths:
            raise src.error(f"no {kind} matches '{text}' (looked in {base})", line)
    else:
        paths = [(base / text).resolve()]
        if not paths[0].is_file():
            raise src.error(f"{kind} '{text}' not found (looked for {base / text})", line)
    for path in paths:
        if not inside(path, root):
            raise src.error(f"{kind} '{text}' is outside the edition's folder {root}", line)
    return paths


def _feed(src: _Source, root: Path, item: dict, section_line: int | None) -> list[Entry]:
    path = item["feed"]
    line = src.line_of(re.escape(path), section_line or 1) if isinstance(path, str) \
        else section_line
    if "path" in item:
        raise src.error("a table in 'articles' has either 'path' (an article) or 'feed' "
                        "(an Atom or RSS file), not both", line)
    _check_keys(src, item, FEED_KEYS, f" in the feed table for '{path}'", line or 1,
                at=line)
    limit = item.get("limit")
    if limit is not None and limit < 1:
        raise src.error(f"'limit' in the feed table for '{path}' must be 1 or more "
                        f"(the number of newest entries to keep), not {limit}", line)
    overrides = ()
    if "lang" in item:
        overrides = (("lang", check_lang(item["lang"], "'lang'", src.path, line)),)
    return [Entry(p, overrides, line, feed=True, limit=limit)
            for p in _resolve(src, root, path, line, kind="feed")]


def _entries(src: _Source, root: Path, items: list, section_line: int | None) -> list[Entry]:
    entries = []
    for item in items:
        if isinstance(item, str):
            line = src.line_of(re.escape(item), section_line or 1)
            entries += [Entry(p, (), line) for p in _resolve(src, root, item, line)]
        elif isinstance(item, dict) and "feed" in item:
            entries += _feed(src, root, item, section_line)
        elif isinstance(item, dict):
            path = item.get("path")
            line = src.line_of(re.escape(path), section_line or 1) if path else None
            if path is None:
                raise src.error("an article table needs a 'path' key", section_line)
            _check_keys(src, item, ENTRY_KEYS, f" in the article table for '{path}'",
                        line or 1, at=line)
            given = {k: v for k, v in item.items() if k != "path"}
            overrides = tuple(normalise(given, src.path, dict.fromkeys(given, line)).items())
            entries += [Entry(p, overrides, line) for p in _resolve(src, root, path, line)]
        else:
            raise src.error(f"an article must be a path, a glob, a table with 'path' or "
                            f"a table with 'feed', not {item!r}", section_line)
    return entries


def _sections(src: _Source, root: Path, raw: list) -> tuple[SectionSpec, ...]:
    sections, seen = [], {}
    search_from = 1
    for table in raw:
        line = src.line_of(r"^\s*\[\[\s*sections\s*\]\]", search_from)
        search_from = (line or search_from) + 1
        if not isinstance(table, dict):
            raise src.error("each [[sections]] entry must be a table", line)
        _check_keys(src, table, SECTION_KEYS, " in [[sections]]", line or 1)
        if "title" not in table:
            raise src.error("a [[sections]] table needs a 'title'", line)
        entries = _entries(src, root, table.get("articles", []), line)
        for entry in entries:
            if entry.path in seen:
                kind = "feed" if entry.feed else "article"
                raise src.error(f"{kind} {entry.path.relative_to(root)} is listed twice "
                                f"(lines {seen[entry.path]} and {entry.line}); "
                                f"list each article once", entry.line)
            seen[entry.path] = entry.line
        sections.append(SectionSpec(table["title"], tuple(entries)))
    if not seen:
        raise src.error("the edition lists no articles; add [[sections]] with 'articles'")
    return tuple(sections)


def _furniture(src: _Source, raw: dict) -> FurnitureSpec:
    start = src.line_of(r"^\s*\[\s*furniture\s*\]") or 1
    _check_keys(src, raw, FURNITURE_KEYS, " in [furniture]", start)
    patterns = raw.get("patterns", [])
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise src.error(f"furniture pattern {pattern!r} is not a valid regular "
                            f"expression: {exc}", src.key_line("patterns", start)) from None
    return FurnitureSpec(raw.get("remove", True), tuple(patterns))


def load_edition(path: Path) -> EditionSpec:
    path = Path(path)
    if path.exists() and not path.is_file():
        raise BuildError("the edition file is not a regular file", path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise BuildError("edition file not found", path) from None
    except OSError as exc:
        raise BuildError(f"cannot read the edition file: {exc.strerror}", path) from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"the edition file is not UTF-8 (bad byte at offset {exc.start}); "
                         f"save it as UTF-8", path) from None
    src = _Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        line = int(where[1]) if where else None
        if where:
            message = f"{message[:where.start()]} (column {where[2]})"
        raise src.error(f"TOML syntax error: {message}", line) from None

    top = {k: v for k, v in data.items()}
    _check_keys(src, top, EDITION_KEYS, "")
    for key in REQUIRED:
        if key not in top:
            raise src.error(f"missing required key '{key}'")
    root = path.resolve().parent
    language = check_lang(top["language"], "'language'", path, src.key_line("language"))
    cover = None
    if "cover" in top:
        cover = (root / top["cover"]).resolve()
        if not inside(cover, root):
            raise src.error(f"cover '{top['cover']}' is outside the edition's folder",
                            src.key_line("cover"))
    sections = top.get("sections")
    if not sections:
        raise src.error("the edition has no [[sections]]; add at least one with 'articles'")
    return EditionSpec(
        path=path,
        root=root,
        title=top["title"],
        subtitle=top.get("subtitle"),
        issue=top.get("issue"),
        volume=top.get("volume"),
        date=top["date"],
        language=language,
        publisher=top.get("publisher"),
        identifier=top.get("identifier")
        or default_identifier(top["title"], top.get("issue"), top["date"]),
        cover=cover,
        page_size=page_size_css(top.get("page_size", "A4"), src),
        sections=_sections(src, root, sections),
        furniture=_furniture(src, top.get("furniture", {})),
        remote_images=top.get("remote_images", False),
        period=_period(top.get("period"), src),
        pdf_variant=_choice(top, "pdf_variant", PDF_VARIANTS, src),
        bleed=_bleed(top.get("bleed"), src),
        crop_marks=top.get("crop_marks", False),
        layout=_choice(top, "layout", LAYOUTS, src) or "book",
        theme=_choice(top, "theme", THEMES, src) or "classic",
        embed_fonts=top.get("embed_fonts", True),
        machine_fonts=top.get("machine_fonts", False),
    )
