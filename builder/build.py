"""Drive one build: edition file in, EPUB and/or PDF out."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import printing, workers
from .assemble import assemble
from .cache import FOLDER as CACHE_FOLDER
from .cache import BuildRecord, ChunkCache
from .edition import load_edition
from .errors import BuildError, Report
from .models import Edition, PrintLayout
from .output import prepare_folder, write_atomic
from .render import render_epub_book
from .writers.epub import build_epub
from .writers.pdf import warm_up

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

FORMATS = ("epub", "pdf")


@dataclass(frozen=True)
class Output:
    format: str
    path: Path
    size: int
    fresh: bool = True  # False: already up to date, not rewritten
    pages: int | None = None  # of a PDF


def modified_time(edition: Edition) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the edition's date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH must be a number of seconds, "
                             f"not {epoch!r}") from None
    return dt.datetime.combine(edition.date, dt.time())


# Articles typeset together by one worker in a parallel PDF build: enough groups to keep
# every worker busy, small enough that an edit re-typesets little and memory stays low.
MIN_CHUNK, MAX_CHUNK = 4, 8


def chunk_size(articles: int, jobs: int) -> int:
    return min(MAX_CHUNK, max(MIN_CHUNK, -(-articles // (jobs * 4))))


def chunked(articles: int, jobs: int) -> bool:
    return jobs > 1 and articles > MIN_CHUNK


def chunked_pdf(edition: Edition, jobs: int) -> bool:
    """Whether workers typeset the edition's PDF in chunks. A tagged PDF (PDF/UA) has
    one structure tree, which chunks cannot share: it is typeset in one piece."""
    return chunked(len(edition.articles), jobs) and edition.settings.pdf_variant != "pdf/ua-1"


def render_outputs(edition: Edition, formats: tuple[str, ...], report: Report,
                   jobs: int = 1, cache: ChunkCache | None = None, pool: Pool | None = None,
                   ) -> tuple[dict[str, bytes], int | None]:
    """The outputs' bytes, and the PDF's number of pages. The PDF first: the EPUB
    follows its layout (its page list marks where the PDF's pages begin) and, without a
    cover image of the edition's own, shows its cover. With a `pool` of `jobs` worker
    processes, the PDF is typeset in parts, and a worker makes the EPUB as soon as
    every page is known, while this process joins the PDF."""
    modified = modified_time(edition)
    results: dict[str, bytes] = {}
    layout: PrintLayout | None = None
    packing = None
    if "pdf" in formats and pool is not None and chunked_pdf(edition, jobs):
        run = printing.Parallel(edition, modified, report, pool, jobs,
                                cache or ChunkCache(None))
        with printing.laid_out(run, chunk_size(len(edition.articles), jobs)) as laid:
            layout = laid.layout(cover="epub" in formats and not edition.cover)
            if "epub" in formats:
                packing = pool.apply_async(make_epub, (edition, modified, layout))
            results["pdf"] = printing.join_book(laid, report)
    elif "pdf" in formats:
        results["pdf"], layout = printing.one_piece(edition, modified, report)
    if "epub" in formats:
        results["epub"] = packing.get() if packing else make_epub(edition, modified, layout)
        report.note(f"EPUB packaged ({len(results['epub']) / 1024:.0f} KB)")
    return results, layout.pages if layout else None


def make_epub(edition: Edition, modified: dt.datetime, layout: PrintLayout | None) -> bytes:
    """With the print edition's `layout`, the EPUB gets its page list and, unless the
    edition brings a cover image, the PDF's cover page as its cover image. An EPUB
    built alone has no page list and a drawn cover: typesetting the book for them would
    cost as much as the PDF."""
    return build_epub(edition, render_epub_book(edition, layout), modified)


def build(edition_path: Path, out_dir: Path, formats: tuple[str, ...], report: Report,
          strict: bool = False, jobs: int = 1, use_cache: bool = True,
          assembled: Callable[[Edition], None] | None = None) -> list[Output]:
    """`assembled`, if given, receives the Edition of a build that did the work (an
    up-to-date build assembles none)."""
    spec = load_edition(edition_path)
    prepare_folder(out_dir)
    cache_dir = out_dir / CACHE_FOLDER if use_cache else None
    entries = [e.path for s in spec.sections for e in s.entries]
    options = {"formats": sorted(formats), "strict": strict,
               "chunk": chunk_size(len(entries), jobs) if chunked(len(entries), jobs) else 0,
               "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
               "entries": [str(p) for p in entries]}
    # Remote images can change without any file here changing: never skip those builds.
    record = BuildRecord(None if spec.settings.remote_images else cache_dir, edition_path)
    targets = {fmt: out_dir / f"{edition_path.stem}.{fmt}" for fmt in FORMATS if fmt in formats}
    kept = record.up_to_date(lambda files: BuildRecord.inputs(files, options), targets)
    if kept:
        return [Output(fmt, path, path.stat().st_size, fresh=False,
                       pages=kept.get("pages") if fmt == "pdf" else None)
                for fmt, path in targets.items()]
    sources = [spec.path.resolve(), *entries]
    before = BuildRecord.inputs(sources, options)
    chunks = ChunkCache(cache_dir)
    with contextlib.ExitStack() as stack:
        # Worker processes read the articles; then others typeset the PDF's chunks and
        # package the EPUB beside the join. Those are forked once WeasyPrint is loaded
        # here (beside the reading), so that they start warm.
        feeds = any(e.feed for s in spec.sections for e in s.entries)  # many articles each
        parallel = chunked(len(entries), jobs) or (jobs > 1 and feeds)
        pool = stack.enter_context(workers.pool(jobs)) if parallel else None
        warming = workers.beside(warm_up, spec.settings.language) if pool and "pdf" in formats \
            else None
        edition = assemble(spec, report, pool)
        if warming is not None:
            warming.join()
            stack.close()  # the reading workers end
            pool = stack.enter_context(workers.pool(jobs)) \
                if chunked_pdf(edition, jobs) else None
        data, pages = render_outputs(edition, formats, report, jobs, chunks, pool)
    if strict and report.warnings:
        raise BuildError(f"{len(report.warnings)} warning(s) above, and --strict turns "
                         f"warnings into errors; no output was written", edition_path)
    outputs = []
    # All outputs are complete in memory before the first is replaced.
    for fmt, target in targets.items():
        write_atomic(target, data[fmt])
        outputs.append(Output(fmt, target, len(data[fmt]),
                              pages=pages if fmt == "pdf" else None))
    chunks.prune()
    read = [*sources, *sorted({r.source for r in edition.resources if r.source})]
    # A file edited while the build ran may not be in these outputs: then no record, so
    # the next build does the work again instead of calling them up to date.
    if BuildRecord.inputs(sources, options) == before:
        record.save(read, BuildRecord.inputs(read, options), data, pages)
    if assembled:
        assembled(edition)
    return outputs
