"""The print edition: its HTML rendered and typeset into a PDF, in one piece or, with
worker processes, in parts joined into one book, and its layout (`PrintLayout`), which
the EPUB follows.

WeasyPrint lays out a document in one process. Since every article starts a new page,
groups of articles can be typeset separately without changing a single line break:
each chunk is rendered without running heads and page numbers (they depend on the
pages before it), the front matter is rendered once the article pages are known (its
contents page needs their numbers), and the heads and numbers are then rendered as
pages of their own, laid over the content by the join (`writers.chunked`).

The work goes to the build's worker processes in this order: the chunks, longest first,
with a first front beside them (its contents show the widest page numbers; it is laid
out, not drawn, to learn its length); then the front with the real numbers beside the
running heads; then, once every page is known (`laid_out`), the caller can start more
work (the EPUB, from `LaidOut.layout()`) while this process joins the book.

In an edition for print, each section opens on a right-hand (odd) page. A chunk never
spans two sections, so where a section's first chunk would land on an even page, the
join puts a blank page before it (unnumbered, without heads), as `break-before: recto`
does in one piece.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .assets import PLAIN, Look, StyleFiles, look_of
from .cache import ChunkCache
from .errors import Report
from .models import Edition, PageInfo, PrintLayout, Resource, Typeset, is_article_id
from .render import Part, render_overlay, render_print
from .writers.chunked import cover_page, join
from .writers.pdf import report_refused, typeset
from .writers.prepress import Press, finish_bytes, press_of


def one_piece(edition: Edition, modified: dt.datetime, report: Report) -> tuple[bytes, PrintLayout]:
    """The whole book typeset in one piece, in this process: its PDF and its layout."""
    press = press_of(edition)
    look = look_of(edition)
    report.advance("typesetting PDF", 0, 1)
    result = typeset(render_print(edition, modified), StyleFiles("print", look),
                     edition.resources, edition.identifier, variant=press.variant,
                     machine_fonts=look.machine_fonts)
    report_refused(result, report)
    pdf = finish_bytes(result.pdf, press) if press.needed else result.pdf
    report.advance("typesetting PDF", 1, 1)
    return pdf, print_layout(result.pages, pdf)


def print_layout(pages: Sequence[PageInfo], cover: bytes) -> PrintLayout:
    """Pages are labelled with their numbers, counted from the cover."""
    return PrintLayout(tuple(page.start for page in pages),
                       tuple(str(n) for n in range(1, len(pages) + 1)), cover)


@dataclass(frozen=True)
class Job:
    html: str
    layer: str
    resources: tuple[Resource, ...]
    identifier: str
    target: Path  # where the worker writes the chunk's PDF
    variant: str | None = None  # WeasyPrint's pdf_variant
    look: Look = PLAIN  # theme, layout and house style: which style files to serve
    draw: bool = True  # False: only lay out and count the pages (no PDF)


def _run(job: Job) -> Typeset:
    """In a worker. WeasyPrint makes millions of objects, which Python's cycle collector
    scans again and again (about a tenth of a build's CPU): it is held off while one
    chunk is typeset, and run once after, so memory still grows with the chunk only."""
    gc.disable()
    try:
        return typeset(job.html, StyleFiles(job.layer, job.look), job.resources,
                       job.identifier, chunk=job.target, variant=job.variant,
                       machine_fonts=job.look.machine_fonts, draw=job.draw)
    finally:
        gc.enable()
        gc.collect()


def group(edition: Edition, size: int) -> list[tuple[Part, ...]]:
    """Consecutive articles of one section, `size` at a time (a group never spans two
    sections, so the join can start each section on a right-hand page)."""
    return [((section, section.articles[start:start + size], start == 0),)
            for section in edition.sections
            for start in range(0, len(section.articles), size)]


def blanks_before(front_pages: int, chunks: list[Typeset],
                  groups: list[tuple[Part, ...]], recto: bool) -> list[bool]:
    """For each chunk, whether a blank page goes before it: in an edition for print
    (`recto`), when it opens a section and would otherwise start on an even page."""
    blanks, page = [], front_pages + 1
    for chunk, parts in zip(chunks, groups, strict=True):
        blank = recto and parts[0][2] and page % 2 == 0
        blanks.append(blank)
        page += blank + len(chunk.pages)
    return blanks


def _resources(parts: Iterable[Part], edition: Edition) -> tuple[Resource, ...]:
    names = {r.name for _, articles, _ in parts for a in articles for r in a.resources}
    return tuple(r for r in edition.resources if r.name in names)


def _article_starts(chunks: list[Typeset], first_page: int,
                    blanks: list[bool]) -> dict[str, int]:
    """Article id -> page number, for articles typeset in the chunks."""
    starts, page = {}, first_page
    for chunk, blank in zip(chunks, blanks, strict=True):
        page += blank
        for info in chunk.pages:
            for name in info.anchors:
                if is_article_id(name):
                    starts.setdefault(name, page)
            page += 1
    return starts


@dataclass(frozen=True)
class Parallel:
    """What every step of a parallel typesetting shares: the edition, the time its
    outputs are dated, where warnings and progress go, the pool and its number of
    workers, the cache of typeset parts, and the files the next parts are written to."""

    edition: Edition
    modified: dt.datetime
    report: Report
    pool: Any  # a multiprocessing.Pool
    workers: int
    cache: ChunkCache
    targets: Iterator[Path] = field(default_factory=lambda: iter(()))


def _start(run: Parallel, jobs: list[Job], stage: str = "") -> Callable[[], list[Typeset]]:
    """Start typesetting, in parallel, the jobs the cache does not already hold; the
    function returned waits for them. With a `stage`, progress is shown per job.
    The longest documents go first, so that no worker is left with a long one at
    the end while the other waits."""
    cache, report = run.cache, run.report
    keys = [cache.key(j.html, j.layer, j.resources, j.identifier, j.look, drawn=j.draw)
            for j in jobs]
    results = [cache.get(key) for key in keys]
    for key in cache.discarded:
        report.note(f"cache: a damaged entry ({key[:12]}) was discarded and is typeset again")
    cache.discarded.clear()
    missing = sorted((i for i, result in enumerate(results) if result is None),
                     key=lambda i: -len(jobs[i].html))
    done = itertools.count(len(jobs) - len(missing) + 1)
    if stage:
        report.note(f"{stage}: {len(jobs) - len(missing)} of {len(jobs)} from the cache")

    def tick(_result: Typeset) -> None:  # runs in the pool's result thread
        if stage:
            report.advance(stage, next(done), len(jobs))

    running = [run.pool.apply_async(_run, (jobs[i],), callback=tick) for i in missing]

    def finish() -> list[Typeset]:
        for i, job in zip(missing, running, strict=True):
            results[i] = cache.put(keys[i], job.get())
        return results
    return finish


@dataclass(frozen=True)
class LaidOut:
    """A book typeset in parts once every page is typeset and counted, before the join:
    its front matter, chunks, blank pages, and the running heads still being typeset."""

    front: Typeset
    chunks: list[Typeset]
    blanks: list[bool]
    heads: Callable[[], list[Typeset]]  # waits for the running heads
    press: Press

    @property
    def pages(self) -> tuple[PageInfo, ...]:
        return book_pages(self.front, self.chunks, self.blanks)

    def layout(self, cover: bool = True) -> PrintLayout:
        """With `cover`, the layout carries the book's first page as it will print (for
        an EPUB without a cover image of its own); without, an empty cover page."""
        return print_layout(self.pages, cover_page(self.front, self.press) if cover else b"")


@contextlib.contextmanager
def laid_out(run: Parallel, chunk_size: int) -> Iterator[LaidOut]:
    """Every page of the book typeset by the pool's workers, in groups of `chunk_size`
    articles, not yet joined (`join_book`). Typeset chunks travel as files, so this
    process never holds them all in memory; the files last until the `with` ends."""
    scratch = Path(tempfile.mkdtemp(prefix="edition-chunks-"))
    try:
        yield lay_out(replace(run, targets=(scratch / f"{n}.pdf" for n in itertools.count())),
                      chunk_size)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def join_book(laid: LaidOut, report: Report) -> bytes:
    """The book's PDF: its parts joined, while the workers typeset the running heads."""
    for result in (laid.front, *laid.chunks):
        report_refused(result, report)
    report.advance("joining PDF", 0, 1)
    joined = join(laid.front, laid.chunks, laid.heads, laid.blanks, laid.press)
    report.advance("joining PDF", 1, 1)
    return joined


def lay_out(run: Parallel, chunk_size: int) -> LaidOut:
    """Typeset every page: the articles' chunks and the front beside them, then the
    front again with the contents' page numbers, and the running heads."""
    edition, modified, targets = run.edition, run.modified, run.targets
    groups = group(edition, chunk_size)
    press = press_of(edition)
    look = look_of(edition)
    article_jobs = [Job(render_print(edition, modified, front=False, parts=parts,
                                     layer="print-chunk"),
                        "print-chunk", _resources(parts, edition), edition.identifier,
                        next(targets), press.variant, look)
                    for parts in groups]

    def front_job(numbers: dict[str, int], draw: bool = True) -> Job:
        html = render_print(edition, modified, parts=(), page_numbers=numbers,
                            layer="print-chunk")
        # the cover image, and whichever images of the book the front shows (a cover
        # story's picture, say)
        shown = tuple(r for r in edition.resources if f'"{r.name}"' in html)
        return Job(html, "print-chunk", shown, edition.identifier, next(targets),
                   press.variant, look, draw)

    # The front's length, from a guess of the contents with the widest page numbers,
    # laid out (not drawn) beside the articles.
    widest = {a.id: 10 ** len(str(40 * len(edition.articles))) - 1 for a in edition.articles}
    guess = _start(run, [front_job(widest, draw=False)])
    chunks = _start(run, article_jobs, "typesetting PDF")()
    front_pages = len(guess()[0].pages)

    def heads_for(front_pages: int, blanks: list[bool]) -> Callable[[], list[Typeset]]:
        return _start(run, _overlay_jobs(run, front_pages, chunks, groups, blanks))

    for _ in range(4):  # the contents' numbers depend on the front's length: settle it
        blanks = blanks_before(front_pages, chunks, groups, press.for_print)
        # The running heads are typeset beside the front, for a front of the length
        # guessed; again if it turns out longer or shorter (rare).
        settling = _start(run, [front_job(_article_starts(chunks, front_pages + 1, blanks))])
        heads = heads_for(front_pages, blanks)
        front = settling()[0]
        if len(front.pages) == front_pages:
            break
        heads()  # (wasted; not left running beside the next round)
        front_pages = len(front.pages)
    else:  # never settled: heads for the last front typeset
        blanks = blanks_before(front_pages, chunks, groups, press.for_print)
        heads = heads_for(front_pages, blanks)
    return LaidOut(front, chunks, blanks, heads, press)


def book_pages(front: Typeset, chunks: list[Typeset], blanks: list[bool]) -> tuple:
    """The joined book's pages, blank ones included, in order (for the EPUB)."""
    pages = list(front.pages)
    for chunk, blank in zip(chunks, blanks, strict=True):
        if blank:
            pages.append(PageInfo(chunk.pages[0].size, {}, [], []))
        pages += chunk.pages
    return tuple(pages)


def _overlay_jobs(run: Parallel, front_pages: int, chunks: list[Typeset],
                  groups: list[tuple[Part, ...]], blanks: list[bool]) -> list[Job]:
    """The running heads and page numbers of every page, in two documents per worker."""
    edition, targets, count = run.edition, run.targets, 2 * run.workers
    pages: list[tuple[str, str | None]] = [("cover", None)]
    pages += [("front", None)] * (front_pages - 1)
    for chunk, parts, blank in zip(chunks, groups, blanks, strict=True):
        if blank:
            pages.append(("blank", None))
        section_of = {a.id: s.title for s, articles, _ in parts for a in articles}
        current = None
        for info in chunk.pages:
            current = next((section_of[n] for n in info.anchors if n in section_of), current)
            pages.append(("article", current))
    size = -(-len(pages) // count)
    return [Job(render_overlay(edition, pages[start:start + size], start + 1), "print-overlay",
                (), edition.identifier, next(targets), edition.settings.pdf_variant,
                look_of(edition))
            for start in range(0, len(pages), size)]


