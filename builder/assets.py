"""Where the shared templates and styles live, which style files each output uses, and
an edition's own overrides of them (its house style).

An edition's folder (the folder of its edition file) may hold `templates/` and
`styles/`: a file there replaces ours of the same name, `styles/house.css` is laid
over everything else, and fonts in `styles/fonts/` join ours. Those files are the
publisher's own, trusted like the edition file, but must stay inside that folder.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .cssvars import without_variables
from .errors import BuildError

if TYPE_CHECKING:
    from .models import Edition

PACKAGE = Path(__file__).resolve().parent
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
              ".woff2": "font/woff2"}
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"wOFF", b"wOF2")


def _data_dir(name: str) -> Path:
    installed = PACKAGE / "_data" / name  # inside a wheel
    return installed if installed.is_dir() else PACKAGE.parent / name


TEMPLATES = _data_dir("templates")
STYLES = _data_dir("styles")
EDITIONS = _data_dir("editions")
HOUSE_DIRS = ("templates", "styles")
HOUSE_SHEET = "house.css"  # an edition's own last word, when it has one
FONT_SHEET = "fonts.css"  # every font we ship, served as far as an edition needs

# The sheets of each output; a layer is an output plus sheets laid over the look's.
OUTPUTS = {"epub": ("fonts.css", "base.css", "epub.css"),
           "print": ("fonts.css", "base.css", "print.css")}
LAYERS = {
    "epub": ("epub", ()),
    "screen": ("epub", ("screen.css",)),  # `edition preview`
    "print": ("print", ()),
    "print-chunk": ("print", ("print-chunk.css",)),
    "print-overlay": ("print", ("print-overlay.css",)),
}


LATIN = ("Serif", "Sans", "Mono")  # our first faces: always served
# The other groups, in the order the stacks of base.css try them.
SCRIPTS = ("Arabic", "Hebrew", "Devanagari", "Bengali", "Tamil", "Thai", "SC", "TC", "JP",
           "KR", "Symbols", "Symbols 2", "Emoji")
FACE_RULE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
FAMILY = re.compile(r'font-family:\s*"([^"]+)"')
SOURCE = re.compile(r'url\("fonts/([^"]+)"\)')


@dataclass(frozen=True)
class Face:
    family: str  # as in the stylesheets, e.g. "Edition Serif JP"
    file: str  # in styles/fonts/
    rule: str  # its @font-face rule

    @property
    def group(self) -> str:
        """"Serif", "Sans" or "Mono" for the Latin faces, else the script: "JP"."""
        name = self.family.removeprefix("Edition ")
        return name if name in LATIN else name.removeprefix("Serif ").removeprefix("Sans ")


def read_faces(css: str) -> tuple[Face, ...]:
    faces = []
    for match in FACE_RULE.finditer(css):
        family, source = FAMILY.search(match.group()), SOURCE.search(match.group())
        if family and source:
            faces.append(Face(family.group(1), source.group(1), match.group()))
    return tuple(faces)


@functools.cache
def faces() -> tuple[Face, ...]:
    return read_faces((STYLES / "fonts.css").read_text(encoding="utf-8"))


def serve(css: bytes, groups: Iterable[str]) -> bytes:
    """fonts.css with the rules of the Latin faces and of these groups only."""
    wanted = {*LATIN, *groups}
    rules = {face.rule: face.group in wanted for face in faces()}
    return FACE_RULE.sub(lambda m: m.group() if rules.get(m.group(), True) else "",
                         css.decode("utf-8")).encode("utf-8")


def files_of(groups: Iterable[str]) -> list[str]:
    """The font files of the Latin faces and of these groups."""
    wanted = {*LATIN, *groups}
    return [face.file for face in faces() if face.group in wanted]


@dataclass(frozen=True)
class Look:
    """How an edition looks: its theme, its print layout, and the folder whose
    `templates/` and `styles/` override ours (None: ours alone)."""

    theme: str = "classic"
    layout: str = "book"
    house: Path | None = None
    scripts: tuple[str, ...] = ()  # the groups of fonts.css beyond Latin that it needs
    machine_fonts: bool = False  # WeasyPrint may use the machine's fonts too


PLAIN = Look()  # ours alone: the default theme and layout, no house style


def look_of(edition: Edition) -> Look:
    settings = edition.settings
    return Look(settings.theme, settings.layout, Path(edition.source).resolve().parent,
                edition.scripts, settings.machine_fonts)


def house_file(house: Path | None, kind: str, name: str) -> Path | None:
    """The edition's own `kind/name` (kind: templates or styles), if it has one. An
    override that leads outside the edition's folder, or is not a file, is an error."""
    if house is None:
        return None
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("", ".", "..") for p in parts) or "\\" in name:
        return None
    candidate = house.joinpath(kind, *parts)
    if not os.path.lexists(candidate):
        return None
    resolved = candidate.resolve()
    if resolved != house and house not in resolved.parents:
        raise BuildError(f"the house style's {kind}/{name} leads outside the edition's "
                         f"folder ({resolved}); keep the file inside {house}", candidate)
    if not resolved.is_file():
        raise BuildError(f"the house style's {kind}/{name} is not a regular file", candidate)
    return resolved


def stylesheets(layer: str, look: Look = PLAIN) -> tuple[str, ...]:
    """The style sheets of one layer, in the order they apply: the output's, the theme,
    the print layout, the edition's house.css, then the layer's own."""
    output, last = LAYERS[layer]
    sheets = [*OUTPUTS[output], f"themes/{look.theme}.css"]
    if output == "print" and look.layout != "book":
        sheets.append(f"layout-{look.layout}.css")
    if house_file(look.house, "styles", HOUSE_SHEET):
        sheets.append(HOUSE_SHEET)
    return (*sheets, *last)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read the style file: {exc.strerror}", path) from None


def _fonts(look: Look) -> dict[str, Path]:
    found = {name: STYLES / "fonts" / name for name in sorted(files_of(look.scripts))}
    own = look.house / "styles" / "fonts" if look.house else None
    if own is not None and own.is_dir():
        for font in sorted(own.iterdir()):
            if font.suffix.lower() in FONT_TYPES:
                found[font.name] = house_file(look.house, "styles", f"fonts/{font.name}")
    return found


def style_files(target: str, look: Look = PLAIN) -> dict[str, tuple[str, bytes]]:
    """Book path -> (media type, bytes) of the stylesheets and fonts for one output."""
    files = {}
    names = stylesheets(target, look)
    sheets = [_read(house_file(look.house, "styles", name) or STYLES / name) for name in names]
    if LAYERS[target][0] == "epub":  # for reading systems that know no custom properties
        sheets = without_variables(sheets)
    for name, data in zip(names, sheets, strict=True):
        files[f"styles/{name}"] = ("text/css",
                                   serve(data, look.scripts) if name == FONT_SHEET else data)
    for name, path in _fonts(look).items():
        data = _read(path)
        if data[:4] not in FONT_MAGIC:
            raise BuildError("this is not a TrueType, OpenType or WOFF font file", path)
        files[f"styles/fonts/{name}"] = (FONT_TYPES[path.suffix.lower()], data)
    return files


class StyleFiles(Mapping):
    """`style_files(layer, look)` as a mapping read when first used, in the process that
    uses it: a job sent to a worker process carries the names, not megabytes of fonts."""

    def __init__(self, layer: str, look: Look = PLAIN) -> None:
        self.layer, self.look = layer, look
        self._read: dict[str, tuple[str, bytes]] | None = None

    def __reduce__(self) -> tuple[type[StyleFiles], tuple[str, Look]]:
        return StyleFiles, (self.layer, self.look)

    def _files(self) -> dict[str, tuple[str, bytes]]:
        if self._read is None:
            self._read = style_files(self.layer, self.look)
        return self._read

    def __getitem__(self, name: str) -> tuple[str, bytes]:
        return self._files()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files())

    def __len__(self) -> int:
        return len(self._files())


def house_digest(house: Path | None) -> str:
    """A hash of every file in an edition's `templates/` and `styles/` (names and
    contents), so that adding, changing or removing one is noticed."""
    h = hashlib.sha256()
    for kind in HOUSE_DIRS if house else ():
        top = house / kind
        seen: set[str] = set()
        # Linked sub-folders are followed, as `house_file` follows them (once each).
        for folder, folders, files in os.walk(top, followlinks=True):
            real = os.path.realpath(folder)
            if real in seen:  # a link back up: do not go round
                folders.clear()
                continue
            seen.add(real)
            folders.sort()  # walked in a fixed order
            for name in sorted(files):
                path = Path(folder) / name
                h.update(f"{path.relative_to(house)}\0".encode())
                resolved = path.resolve()
                try:
                    if house not in resolved.parents or not resolved.is_file():
                        raise OSError
                    h.update(hashlib.sha256(resolved.read_bytes()).digest())
                except OSError:
                    h.update(b"outside, unreadable or not a file")
    return h.hexdigest()
