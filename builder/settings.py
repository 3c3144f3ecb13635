"""The edition file's keys, in one table: `Settings`, whose fields are the keys, each with
its TOML type, default, check and help. To add a key, add a field here: the edition
loader checks it, `edition check` reports it, the README's table lists the same help,
and the rest of the builder reads it as `edition.settings.<key>` (templates as
`edition.<key>`).

A check takes the value as TOML gave it (already of the right type) and returns it
normalised, or raises `Invalid` with a message saying what is allowed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import BuildError
from .metadata import check_lang

PAGE_SIZES = {"a4": "A4", "a5": "A5", "letter": "letter", "tabloid": "11in 17in"}
PDF_VARIANTS = ("pdf/x-4", "pdf/x-3", "pdf/a-3b", "pdf/ua-1")
LAYOUTS = ("book", "magazine")
THEMES = ("classic", "magazine")
PERIODS = ("weekly", "monthly")
BLEED_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
TYPE_NAMES = {str: "a string", int: "an integer", dt.date: "a date (YYYY-MM-DD)",
              list: "a list", dict: "a table", bool: "true or false", object: "a value"}


class Invalid(ValueError):
    """A value a key does not take. `at`: the key inside a table (of `furniture`, say)
    whose line the error points at, when not the key's own."""

    def __init__(self, message: str, at: str | None = None) -> None:
        super().__init__(message)
        self.message, self.at = message, at


def key(default: Any = dataclasses.MISSING, *, kind: type, help: str,
        check: Callable[[Any], Any] | None = None) -> Any:
    """A field of `Settings`: an edition key of TOML type `kind` (no `default`: the
    key is required)."""
    return field(default=default, metadata={"kind": kind, "help": help, "check": check})


@dataclass(frozen=True)
class Furniture:
    """Site furniture taken off the end of articles: whether, and by which extra
    patterns (regular expressions) beside the built-in rules."""

    remove: bool = True
    patterns: tuple[str, ...] = ()


FURNITURE_KEYS = {"remove": bool, "patterns": list}


def _furniture(table: dict) -> Furniture:
    for name, value in table.items():
        if name not in FURNITURE_KEYS:
            raise Invalid(f"unknown key '{name}' in [furniture]; known keys: "
                          f"{', '.join(FURNITURE_KEYS)}", name)
        if not isinstance(value, FURNITURE_KEYS[name]):
            raise Invalid(f"'{name}' in [furniture] must be "
                          f"{TYPE_NAMES[FURNITURE_KEYS[name]]}, not {value!r}", name)
    patterns = table.get("patterns", [])
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise Invalid(f"furniture pattern {pattern!r} is not a valid regular "
                          f"expression: {exc}", "patterns") from None
    return Furniture(table.get("remove", True), tuple(patterns))


def _language(value: str) -> str:
    try:
        return check_lang(value, "'language'", None, None)
    except BuildError as error:
        raise Invalid(error.message) from None


def page_size_css(value: str) -> str:
    """A4, A5, letter, tabloid, or "WIDTH HEIGHT" in millimetres, as a CSS `size`."""
    preset = PAGE_SIZES.get(value.strip().lower())
    if preset:
        return preset
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*(mm)?\s*", value)
    if match and 50 <= float(match[1]) <= 2000 and 50 <= float(match[2]) <= 2000:
        return f"{match[1]}mm {match[2]}mm"
    raise Invalid(f"page_size must be A4, A5, letter, tabloid or \"WIDTH HEIGHT\" in mm "
                  f"(50 to 2000), not {value!r}")


def suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def choose(value: str) -> str:
        chosen = value.strip().lower()
        if chosen not in choices:
            raise Invalid(f"{name} must be one of {', '.join(choices)}, not {value!r}"
                          f"{suggest(chosen, choices)}")
        return chosen
    return choose


def _bleed(value: str) -> str:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*", value)
    millimetres = float(match[1]) * BLEED_UNITS_MM[match[2]] if match else -1
    if not 0 <= millimetres <= 20:
        raise Invalid(f"bleed must be a length from 0 to 20 mm such as \"3mm\" or "
                      f"\"0.125in\", not {value!r}")
    return f"{round(millimetres, 3):g}mm"


def period(value: Any) -> str | int:
    """The series' period, normalised: "weekly", "monthly" or a number of days."""
    if isinstance(value, str) and value.strip().lower() in PERIODS:
        return value.strip().lower()
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3660:
        return value
    raise Invalid(f"period must be \"weekly\", \"monthly\" or a number of days "
                  f"(1 to 3660), not {value!r}")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """An edition file's keys (all but `sections`), checked and normalised."""

    title: str = key(kind=str, help="the publication's name")
    subtitle: str | None = key(None, kind=str, help="a line under the title")
    issue: int | None = key(None, kind=int, help="the issue's number")
    volume: int | None = key(None, kind=int, help="the volume's number")
    date: dt.date = key(kind=dt.date, help="the edition's date, YYYY-MM-DD")
    language: str = key(kind=str, check=_language,
                        help="the language of the edition, a BCP 47 tag such as en or pt-BR")
    publisher: str | None = key(None, kind=str, help="who publishes it")
    identifier: str | None = key(
        None, kind=str, help="the book's unique id; by default one made from the title, "
                             "issue and date, the same at every build")
    cover: str | None = key(None, kind=str,
                            help="a cover image, relative to the edition file")
    page_size: str = key("A4", kind=str, check=page_size_css,
                         help="A4, A5, letter, tabloid, or \"WIDTH HEIGHT\" in mm")
    furniture: Furniture = key(Furniture(), kind=dict, check=_furniture,
                               help="[furniture]: remove = false keeps site furniture; "
                                    "patterns = [...] adds regular expressions")
    remote_images: bool = key(False, kind=bool,
                              help="fetch the images articles link on the web "
                                   "(http or https; checked like local ones)")
    period: str | int | None = key(None, kind=object, check=period,
                                   help="weekly, monthly or a number of days, for "
                                        "`edition new`")
    pdf_variant: str | None = key(None, kind=str,
                                  check=one_of("pdf_variant", PDF_VARIANTS),
                                  help=f"one of {', '.join(PDF_VARIANTS)}")
    bleed: str | None = key(None, kind=str, check=_bleed,
                            help="bleed around the page for print, 0 to 20 mm, e.g. \"3mm\"")
    crop_marks: bool = key(False, kind=bool,
                             help="crop marks around the trimmed page (outside the bleed)")
    layout: str = key("book", kind=str, check=one_of("layout", LAYOUTS),
                      help="the PDF: book (one column) or magazine (two)")
    theme: str = key("classic", kind=str, check=one_of("theme", THEMES),
                     help="the look: classic or magazine")
    embed_fonts: bool = key(True, kind=bool, help="put our fonts in the EPUB")
    machine_fonts: bool = key(False, kind=bool,
                              help="let this machine's fonts draw characters ours lack "
                                   "(the output then depends on the machine)")


KEYS: tuple[dataclasses.Field, ...] = dataclasses.fields(Settings)
EDITION_KEYS: dict[str, type] = {}  # in the order the README lists them
for _field in KEYS:
    EDITION_KEYS[_field.name] = _field.metadata["kind"]
    if _field.name == "page_size":
        EDITION_KEYS["sections"] = list  # the articles: read by `edition`, not a setting
REQUIRED = tuple(f.name for f in KEYS if f.default is dataclasses.MISSING)
