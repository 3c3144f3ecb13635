"""Load and validate an edition file (TOML) into an `EditionSpec`: its settings (the
keys of `settings.Settings`) and its sections' entries.

Every problem found in the file is reported at once; each names the edition file and,
where it can be found, the line of the key.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
import tomllib
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import BuildError, Diagnostic
from .metadata import ARTICLE_KEYS, check_lang, normalise
from .settings import (
    EDITION_KEYS,
    KEYS,
    REQUIRED,
    TYPE_NAMES,
    Invalid,
    Settings,
    period,
    suggest,
)

SECTION_KEYS = {"title": str, "articles": list}
READER_OPTIONS = {"extract": bool}
ENTRY_KEYS = {"path": str, **READER_OPTIONS, **dict.fromkeys(ARTICLE_KEYS, object)}
FEED_KEYS = {"feed": str, "limit": int, "lang": str}


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
    options: tuple[tuple[str, Any], ...] = ()  # for the reader: `extract` (web pages)
    globbed: bool = False  # found by a glob, not named


@dataclass(frozen=True)
class SectionSpec:
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class EditionSpec:
    """An edition file, checked: its settings (every key but `sections`) and its
    sections' entries, with every path resolved inside the edition's folder."""

    path: Path
    root: Path  # the folder every article and image must live in
    settings: Settings
    sections: tuple[SectionSpec, ...]
    cover: Path | None = None  # settings.cover, resolved


class Source:
    """The edition file's text, for pointing errors at lines."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.lines = path, text, text.splitlines()

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

    def problem(self, message: str, line: int | None = None) -> Diagnostic:
        return Diagnostic("invalid-input", "error", message, self.path, line)


def key_problems(src: Source, table: dict, known: dict, where: str, start: int = 1,
                 at: int | None = None) -> list[Diagnostic]:
    """Every unknown key of `table` and every value of the wrong type. `at`: the line of
    an inline table, where its keys are (TOML keeps one on a line)."""
    problems = []
    for key, value in table.items():
        on_at = at and re.search(rf"\b{re.escape(key)}\s*=", src.lines[at - 1])
        line = at if on_at else src.key_line(key, start)
        if key not in known:
            allowed = ", ".join(known)
            problems.append(src.problem(f"unknown key '{key}'{where}{suggest(key, known)}; "
                                        f"known keys: {allowed}", line))
            continue
        if not of_type(value, known[key]):
            problems.append(src.problem(f"'{key}'{where} must be {TYPE_NAMES[known[key]]}, "
                                        f"not {type(value).__name__} {value!r}", line))
    return problems


def of_type(value: Any, expected: type) -> bool:
    """As TOML types go: a boolean is no integer, a date and time no date."""
    if expected is int and isinstance(value, bool):
        return False
    if expected is dt.date and isinstance(value, dt.datetime):
        return False
    return isinstance(value, expected)


def check_keys(src: Source, table: dict, known: dict, where: str, start: int = 1,
               at: int | None = None) -> None:
    """`key_problems`, raised together."""
    if problems := key_problems(src, table, known, where, start, at):
        raise BuildError.of(problems)


def read_settings(src: Source, top: dict) -> tuple[Settings, list[Diagnostic]]:
    """The settings of an edition file's top-level table, and every problem with them:
    unknown keys, values of the wrong type or out of range, required keys missing (a
    key with a problem takes its default, so the rest can still be checked)."""
    problems = key_problems(src, top, EDITION_KEYS, "")
    wrong = {k for k, v in top.items() if k not in EDITION_KEYS or not of_type(v, EDITION_KEYS[k])}
    values = {}
    for key in KEYS:
        if key.name not in top or key.name in wrong:
            if key.name in REQUIRED and key.name not in top:
                problems.append(src.problem(f"missing required key '{key.name}'"))
            continue
        value, check = top[key.name], key.metadata["check"]
        if check is not None:
            try:
                value = check(value)
            except Invalid as invalid:
                start = src.line_of(rf"^\s*\[\s*{key.name}\s*\]") or 1
                line = src.key_line(invalid.at, start) if invalid.at else None
                problems.append(src.problem(invalid.message, line or src.key_line(key.name)))
                continue
        values[key.name] = value
    if problems:
        return Settings(**_stand_ins()), problems
    settings = Settings(**values)
    if not settings.identifier:  # absent, or empty: made from title, issue and date
        settings = replace(settings, identifier=default_identifier(
            settings.title, settings.issue, settings.date))
    return settings, problems


def _stand_ins() -> dict:
    """Values of the required keys for settings that only let the rest be checked."""
    return {"title": "", "date": dt.date(2000, 1, 1), "language": "en"}


def check_period(value: Any, src: Source) -> str | int | None:
    """The series' period, normalised: "weekly", "monthly" or a number of days."""
    if value is None:
        return None
    try:
        return period(value)
    except Invalid as invalid:
        raise src.error(invalid.message, src.key_line("period")) from None


def default_identifier(title: str, issue: int | None, date: dt.date) -> str:
    """Stable across builds: the same title, issue and date give the same id."""
    name = f"edition-builder:{title}|{issue if issue is not None else ''}|{date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolve(src: Source, root: Path, text: str, line: int | None,
             kind: str = "article") -> list[Path]:
    base = src.path.parent
    if Path(text).is_absolute():
        raise src.error(f"{kind} path '{text}' is absolute; give it relative to the "
                        f"edition file", line)
    if _is_glob(text):
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


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _feed(src: Source, root: Path, item: dict, section_line: int | None) -> list[Entry]:
    path = item["feed"]
    line = src.line_of(re.escape(path), section_line or 1) if isinstance(path, str) \
        else section_line
    if "path" in item:
        raise src.error("a table in 'articles' has either 'path' (an article) or 'feed' "
                        "(an Atom or RSS file), not both", line)
    check_keys(src, item, FEED_KEYS, f" in the feed table for '{path}'", line or 1,
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


def _entries(src: Source, root: Path, item: object, section_line: int | None) -> list[Entry]:
    """The entries one item of a section's `articles` gives: a path, a glob (its files),
    an article table or a feed table."""
    if isinstance(item, str):
        line = src.line_of(re.escape(item), section_line or 1)
        return [Entry(p, (), line, globbed=_is_glob(item))
                for p in _resolve(src, root, item, line)]
    if isinstance(item, dict) and "feed" in item:
        return _feed(src, root, item, section_line)
    if not isinstance(item, dict):
        raise src.error(f"an article must be a path, a glob, a table with 'path' or "
                        f"a table with 'feed', not {item!r}", section_line)
    path = item.get("path")
    if not isinstance(path, str) or not path:
        raise src.error(f"an article table needs a 'path' key, a file's path as "
                        f"text{'' if path is None else f', not {path!r}'}", section_line)
    line = src.line_of(re.escape(path), section_line or 1)
    check_keys(src, item, ENTRY_KEYS, f" in the article table for '{path}'", line or 1,
               at=line)
    given = {k: v for k, v in item.items() if k != "path" and k not in READER_OPTIONS}
    options = tuple((k, v) for k, v in item.items() if k in READER_OPTIONS)
    overrides = tuple(normalise(given, src.path, dict.fromkeys(given, line)).items())
    return [Entry(p, overrides, line, options=options, globbed=_is_glob(path))
            for p in _resolve(src, root, path, line)]


def _sections(src: Source, root: Path, raw: list,
              problems: list[Diagnostic]) -> tuple[SectionSpec, ...]:
    """The sections and their entries; a problem with one entry is added to `problems`
    and the rest are read on, so that all are reported at once."""
    tables: list[tuple[str | None, list[Entry]]] = []
    search_from = 1
    for table in raw:
        line = src.line_of(r"^\s*\[\[\s*sections\s*\]\]", search_from)
        search_from = (line or search_from) + 1
        if not isinstance(table, dict):
            problems.append(src.problem("each [[sections]] entry must be a table", line))
            continue
        found = key_problems(src, table, SECTION_KEYS, " in [[sections]]", line or 1)
        if "title" not in table:
            found.append(src.problem("a [[sections]] table needs a 'title'", line))
        problems += found  # and its articles are read on, for their problems too
        articles = table.get("articles", [])  # (not a list: a problem found above)
        entries = []
        for item in articles if isinstance(articles, list) else []:
            try:
                entries += _entries(src, root, item, line)
            except BuildError as error:
                problems += error.diagnostics
        tables.append((None if found else table["title"], entries))
    kept = _once(src, root, [entry for _, entries in tables for entry in entries], problems)
    if not kept and not problems:
        problems.append(src.problem("the edition lists no articles; add [[sections]] with "
                                    "'articles'"))
    return tuple(SectionSpec(title, tuple(e for e in entries if id(e) in kept))
                 for title, entries in tables if title is not None)


def _once(src: Source, root: Path, entries: list[Entry], problems: list[Diagnostic]
          ) -> set[int]:
    """The entries to read (by `id`): a file named twice is a problem; a file a glob
    also finds is read once, where it is named (or where a glob first found it)."""
    by_path: dict[Path, list[Entry]] = {}
    for entry in entries:
        by_path.setdefault(entry.path, []).append(entry)
    kept = set()
    for path, listed in by_path.items():
        named = [entry for entry in listed if not entry.globbed]
        for first, again in zip(named, named[1:], strict=False):
            kind = "feed" if again.feed else "article"
            problems.append(src.problem(
                f"{kind} {path.relative_to(root)} is listed twice (lines {first.line} and "
                f"{again.line}); list each article once", again.line))
        kept.add(id((named or listed)[0]))
    return kept


def read_edition_toml(path: Path) -> tuple[Source, dict]:
    """The edition file's text and its TOML, not yet checked; errors name the file and
    the line. `edition new` reads past issues with it too: their articles may be gone."""
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
    src = Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        line = int(where[1]) if where else None
        if where:
            message = f"{message[:where.start()]} (column {where[2]})"
        raise src.error(f"TOML syntax error: {message}", line) from None
    return src, data


def load_edition(path: Path) -> EditionSpec:
    """The edition file, checked: every problem found in it is in the one `BuildError`
    raised (a file that is not TOML stops at its syntax error)."""
    path = Path(path)
    src, top = read_edition_toml(path)
    root = path.resolve().parent
    settings, problems = read_settings(src, top)
    cover = None
    if settings.cover is not None:
        cover = (root / settings.cover).resolve()
        if not inside(cover, root):
            problems.append(src.problem(f"cover '{settings.cover}' is outside the edition's "
                                        f"folder", src.key_line("cover")))
    raw = top.get("sections")
    sections: tuple[SectionSpec, ...] = ()
    if isinstance(raw, list) and raw:
        sections = _sections(src, root, raw, problems)
    elif raw is None or raw == []:
        problems.append(src.problem("the edition has no [[sections]]; add at least one "
                                    "with 'articles'"))
    if problems:
        raise BuildError.of(sorted(problems, key=lambda p: p.line or 0))
    return EditionSpec(path=path, root=root, settings=settings, sections=sections,
                       cover=cover)

