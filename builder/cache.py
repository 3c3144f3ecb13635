"""The build cache, in `OUT/.edition-cache/`: safe to delete at any time.

Two things are kept there:

- typeset PDF chunks, addressed by the hash of everything that shapes them (their
  HTML, which the templates and the edition made; the stylesheets and fonts; their
  images; the versions of this builder and of WeasyPrint), so an edited article costs
  the re-typesetting of its own chunk only;
- per edition file, a record of the inputs of the last build and the outputs it wrote,
  so a build with nothing changed does no work at all.

Entries are plain files (PDF bytes and JSON); nothing in the cache is executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from pathlib import Path

from . import __version__
from .assets import PLAIN, STYLES, TEMPLATES, Look, house_digest, style_files
from .models import PageInfo, PageStart, Resource, Typeset

FOLDER = ".edition-cache"
# Raised when typeset chunks change form, so that chunks cached before are not joined to
# new ones (2: each chunk's fonts map only the glyphs it draws to their text).
CHUNK_FORM = 2


def _salt() -> str:
    from importlib.metadata import version

    return f"edition-builder {__version__}|chunks {CHUNK_FORM}|" \
           f"weasyprint {version('weasyprint')}|pikepdf {version('pikepdf')}|" \
           f"patches {os.environ.get('EDITION_PATCHES', '')}"  # they may change the bytes


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class ChunkCache:
    """Typeset chunks by content hash. A disabled cache (folder None) keeps nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "chunks" if folder else None
        self.used: set[str] = set()
        self.discarded: list[str] = []  # entries found damaged (truncated, corrupt)
        self._styles: dict[tuple[str, Look], str] = {}
        self._salt = _salt() if folder else ""

    def key(self, html: str, layer: str, resources: Iterable[Resource], identifier: str,
            look: Look = PLAIN, drawn: bool = True) -> str:
        """The styles count by content (the theme's, the layout's and the edition's own
        overrides included), not by where the edition lives. A document only laid out
        (not `drawn`: its pages counted) has a key of its own."""
        if (layer, look) not in self._styles:
            files = style_files(layer, look)
            self._styles[layer, look] = digest(*(f"{n}:{digest(d)}"
                                                 for n, (_, d) in files.items()))
        images = [f"{r.name}:{r.media_type}:{digest(r.data)}" for r in resources]
        return digest(self._salt, html, layer, identifier, self._styles[layer, look], *images,
                      *(() if drawn else ("laid out only",)),
                      *(("machine fonts",) if look.machine_fonts else ()))

    def get(self, key: str) -> Typeset | None:
        if not self.folder:
            return None
        pdf, record = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        if not record.is_file():
            return None  # (none, or another build is writing it: its record comes last)
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            if digest(pdf.read_bytes()) != meta["digest"]:
                raise ValueError("the typeset part is not the one recorded")
            result = Typeset(b"", tuple(_page(p) for p in meta["pages"]), meta["refused"],
                             path=pdf)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            # A damaged entry (cut short by a full disk, edited, half deleted) is typeset
            # again, never used and never the reason a build fails.
            self.discarded.append(key)
            pdf.unlink(missing_ok=True)
            record.unlink(missing_ok=True)
            return None
        self.used.add(key)
        return result

    def put(self, key: str, result: Typeset) -> Typeset:
        """Keep `result`; the chunk's PDF file moves into the cache."""
        if not self.folder:
            return result
        self.used.add(key)
        pdf = self.folder / f"{key}.pdf"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            typeset = result.path.read_bytes() if result.path else result.pdf
            meta = {"pages": [asdict(p) for p in result.pages], "refused": result.refused,
                    "digest": digest(typeset)}
            if result.path:
                shutil.move(result.path, pdf)
            else:
                _write(pdf, result.pdf)
            _write(self.folder / f"{key}.json", json.dumps(meta).encode())
        except OSError:
            return result  # a cache that cannot be written only makes the next build slower
        return replace(result, path=pdf) if result.path else result

    def prune(self) -> None:
        """Drop chunks this build did not use, so the cache does not grow without end
        (after a build that typeset in chunks; an EPUB-only build leaves them be)."""
        if not self.folder or not self.used or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _page(data: dict) -> PageInfo:
    start = data["start"]  # an entry from before page starts were kept is not used
    return PageInfo(tuple(data["size"]),
                    {name: tuple(point) for name, point in data["anchors"].items()},
                    [(kind, target, tuple(rect)) for kind, target, rect in data["links"]],
                    [(level, label, tuple(point)) for level, label, point in data["bookmarks"]],
                    PageStart(start["part"], tuple(start["path"]), start["offset"])
                    if start else None)


def _write(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _not_in_outputs(path: Path) -> bool:
    """The download site's and the preview's own files, which no EPUB or PDF uses."""
    return path.is_relative_to(TEMPLATES / "site") or path.is_relative_to(
        TEMPLATES / "preview") or path in (STYLES / "site.css", STYLES / "screen.css")


class BuildRecord:
    """What the last build of an edition read and wrote, to skip a build that would
    write the same bytes again."""

    def __init__(self, folder: Path | None, edition: Path) -> None:
        self.path = folder / f"build-{edition.stem}.json" if folder else None
        self.house = edition.resolve().parent  # its templates/ and styles/ override ours

    @staticmethod
    def inputs(files: list[Path], options: dict) -> str:
        own = sorted(p for d in (TEMPLATES, STYLES) for p in d.rglob("*")
                     if p.is_file() and not _not_in_outputs(p))
        parts = [_salt(), json.dumps(options, sort_keys=True)]
        for path in [*files, *own]:
            try:
                parts.append(f"{path}:{digest(path.read_bytes())}")
            except OSError:
                parts.append(f"{path}:missing")
        return digest(*parts)

    def up_to_date(self, key_of: Callable[[list[Path]], str],
                   outputs: dict[str, Path]) -> dict | None:
        """The record, when the outputs are still what it says for the same inputs, else
        None. `key_of(files)` recomputes the input key from the files it lists."""
        if not self.path:
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            if key_of([Path(p) for p in record["files"]]) != record["key"] \
                    or record.get("house") != house_digest(self.house):
                return None
            same = all(digest(path.read_bytes()) == record["outputs"].get(fmt)
                       for fmt, path in outputs.items())
            return record if same else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, files: list[Path], key: str, outputs: dict[str, bytes],
             pages: int | None = None) -> None:
        """`pages`: the PDF's, shown again when the next build finds it up to date."""
        if not self.path:
            return
        record = {"files": [str(p) for p in files], "key": key,
                  "house": house_digest(self.house), "pages": pages,
                  "outputs": {fmt: digest(data) for fmt, data in outputs.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write(self.path, json.dumps(record, indent=1).encode())
        except OSError:
            pass
