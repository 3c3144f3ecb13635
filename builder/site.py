"""`edition publish`: editions built into a static download site.

Each edition is built into `SITE/<stem>/` by the ordinary build (so its cache makes an
unchanged edition up to date at once); what the site shows of it — titles, contents,
cover — is kept beside the build cache in a small record, so an up-to-date edition is
not read again. The site's pages and feeds are rendered from those records by
`site_pages.py` and written only once every edition has been built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

from . import __version__
from .assemble import assemble
from .build import FORMATS, Output, build, modified_time
from .cache import FOLDER as CACHE_FOLDER
from .covers import KINDS, THUMBNAIL_WIDTH, Picture, cover_files
from .edition import load_edition
from .errors import BuildError, Report
from .models import Edition
from .output import write_atomic
from .published import Download, Listing, Part, Published, newest_first
from .site_pages import render_site

# A record from another builder, or of thumbnails of another size, is not used.
RECORD_VERSION = f"1|{__version__}|{THUMBNAIL_WIDTH}"
RESERVED = {"static"}  # folder names the site uses itself


def check_names(paths: list[Path]) -> None:
    """Every edition gets the folder named by its file's stem: they must differ."""
    seen: dict[str, Path] = {}
    for path in paths:
        key = path.stem.casefold()
        if key in RESERVED:
            raise BuildError(f"an edition file cannot be named '{path.stem}' (the site "
                             f"uses the folder '{path.stem}/' itself); rename it", path)
        if key in seen and seen[key].resolve() != path.resolve():
            raise BuildError(f"two editions would share the folder '{path.stem}/': "
                             f"{seen[key]} and {path}; rename one of them", path)
        seen.setdefault(key, path)


def check_site_folder(site: Path, paths: list[Path]) -> None:
    """Publishing writes and replaces files in `site/<stem>/`: that must not be inside
    the edition's own folder, where its articles and images are."""
    for path in paths:
        folder = path.resolve().parent
        target = (site / path.stem).resolve()
        if target == folder or folder in target.parents:
            raise BuildError(f"the site would write into this edition's own folder "
                             f"({site / path.stem}); publish into a folder outside it "
                             f"(e.g. --site public)", path)


def unique(paths: list[Path]) -> list[Path]:
    """The same file given twice (a glob and a name) is published once."""
    first: dict[Path, Path] = {}
    for path in paths:
        first.setdefault(path.resolve(), path)
    return list(first.values())


def describe(edition: Edition, stem: str, cover: Picture, thumbnail: Picture,
             downloads: tuple[Download, ...], fresh: bool) -> Published:
    sections = tuple(
        Part(s.title, tuple(Listing(a.title, a.authors, a.summary, a.lang) for a in s.articles))
        for s in edition.sections)
    return Published(
        stem=stem, title=edition.title, subtitle=edition.subtitle, issue=edition.issue,
        volume=edition.volume, date=edition.date, language=edition.language,
        identifier=edition.identifier, publisher=edition.publisher,
        updated=modified_time(edition), sections=sections, cover=cover,
        thumbnail=thumbnail, downloads=downloads, fresh=fresh)


def publish_edition(path: Path, site: Path, report: Report, strict: bool = False,
                    jobs: int = 1) -> Published:
    """Build one edition into `site/<stem>/` (unless it is up to date) and describe it."""
    folder = site / path.stem
    built: list[Edition] = []
    outputs = build(path, folder, FORMATS, report, strict=strict, jobs=jobs,
                    assembled=built.append)
    downloads = tuple(Download(o.format, o.path.name, o.size) for o in outputs)
    fresh = any(o.fresh for o in outputs)
    record = Record(folder, path.stem, outputs)
    if not built:
        kept = record.load()
        if kept:
            return replace(kept, downloads=downloads, fresh=fresh)
        # Built before, but not published from here: read the edition once more. Its
        # warnings were shown when it was built.
        built.append(assemble(load_edition(path), Report(quiet=True)))
    edition = built[0]
    pdf = next((o.path for o in outputs if o.format == "pdf"), None)
    cover, thumbnail = write_covers(edition, folder, pdf)
    published = describe(edition, path.stem, cover, thumbnail, downloads, fresh)
    record.save(published)
    return published


def previously_published(path: Path, site: Path) -> Published | None:
    """What the site showed of an edition whose build just failed: its files there are
    still the earlier ones (a failed build replaces nothing), and so is their record."""
    folder = site / path.stem
    outputs = [Output(fmt, file, file.stat().st_size, fresh=False)
               for fmt in FORMATS if (file := folder / f"{path.stem}.{fmt}").is_file()]
    kept = Record(folder, path.stem, outputs).load() if outputs else None
    downloads = tuple(Download(o.format, o.path.name, o.size) for o in outputs)
    return replace(kept, downloads=downloads, fresh=False) if kept else None


def _digest(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "missing"


class Record:
    """What the site shows of an edition, kept with its build cache and valid while the
    outputs and covers are the files it describes."""

    def __init__(self, folder: Path, stem: str, outputs: list[Output]) -> None:
        self.folder = folder
        self.path = folder / CACHE_FOLDER / f"site-{stem}.json"
        self.outputs = {o.format: _digest(o.path) for o in outputs}

    def _files(self, published: Published) -> dict[str, str]:
        names = (published.cover.name, published.thumbnail.name)
        return {name: _digest(self.folder / name) for name in names}

    def load(self) -> Published | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data["version"] != RECORD_VERSION or data["outputs"] != self.outputs:
                return None
            published = _from_json(data["edition"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return published if data["files"] == self._files(published) else None

    def save(self, published: Published) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": RECORD_VERSION, "outputs": self.outputs,
                "files": self._files(published), "edition": _to_json(published)}
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode())


def _to_json(published: Published) -> dict:
    data = asdict(published)
    data["date"] = published.date.isoformat()
    data["updated"] = published.updated.isoformat()
    for key in ("downloads", "fresh"):
        del data[key]
    return data


def _from_json(data: dict) -> Published:
    sections = tuple(Part(s["title"], tuple(Listing(a["title"], tuple(a["authors"]),
                                                    a["summary"], a["lang"])
                                            for a in s["articles"]))
                     for s in data["sections"])
    return Published(**{
        **data, "date": dt.date.fromisoformat(data["date"]),
        "updated": dt.datetime.fromisoformat(data["updated"]), "sections": sections,
        "cover": Picture(**data["cover"]), "thumbnail": Picture(**data["thumbnail"])})


def write_if_changed(path: Path, data: bytes) -> None:
    """Atomically, and not at all when the file already holds these bytes (so a second
    publish leaves the site's files, and their modification times, alone)."""
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def write_covers(edition: Edition, folder: Path,
                 pdf: Path | None = None) -> tuple[Picture, Picture]:
    files = cover_files(edition, pdf.read_bytes() if pdf else None)
    for picture, data in files.values():
        write_if_changed(folder / picture.name, data)
        # A cover that changed kind leaves no stale file of the other kind behind.
        stem, suffix = picture.name.rsplit(".", 1)
        for _, other in KINDS.values():
            if other != f".{suffix}":
                (folder / f"{stem}{other}").unlink(missing_ok=True)
    return files["cover"][0], files["thumbnail"][0]


def write_site(site: Path, editions: list[Published], base_url: str | None = None) -> Path:
    """The pages, feeds, stylesheet and fonts; the index last, so a reader never meets
    an index linking to pages not yet written."""
    files = render_site(newest_first(editions), base_url)
    for name in sorted(files, key=lambda n: n == "index.html"):
        write_if_changed(site / name, files[name])
    return site / "index.html"
