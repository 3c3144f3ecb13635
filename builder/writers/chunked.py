"""A PDF typeset in chunks by parallel processes, then joined into one book.

WeasyPrint lays out a document in one process. Since every article starts a new page,
groups of articles can be typeset separately without changing a single line break:
each chunk is rendered without running heads and page numbers (they depend on the
pages before it), the front matter is rendered once the article pages are known (its
contents page needs their numbers), and the heads and numbers are then rendered as
pages of their own and laid over the content. Joining (pikepdf) rebuilds what crossed
chunk boundaries: one outline, internal links to the right pages, and one copy of each
font (chunks embed whole font files, so identical copies can be merged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import multiprocessing
import shutil
import signal
import tempfile
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..cache import ChunkCache
from ..errors import Report
from ..models import Article, Edition, Resource, Section
from ..render import Part, render_overlay, render_print
from .pdf import Typeset, report_refused, typeset

PX = 0.75  # PDF points per CSS pixel


@dataclass(frozen=True)
class Job:
    html: str
    layer: str
    resources: tuple[Resource, ...]
    identifier: str
    target: Path  # where the worker writes the chunk's PDF


def _run(job: Job) -> Typeset:
    return typeset(job.html, job.layer, job.resources, job.identifier, chunk=job.target)


def _quiet_worker() -> None:
    # The parent decides what an interruption means; workers just stop when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def group(edition: Edition, size: int) -> list[tuple[Part, ...]]:
    """Consecutive articles, `size` at a time, each group as parts of sections."""
    flat = [(s, a, i == 0) for s in edition.sections for i, a in enumerate(s.articles)]
    groups = []
    for start in range(0, len(flat), size):
        parts: list[tuple[Section, list[Article], bool]] = []
        for section, article, first in flat[start:start + size]:
            if parts and parts[-1][0] is section:
                parts[-1][1].append(article)
            else:
                parts.append((section, [article], first))
        groups.append(tuple((s, tuple(a), f) for s, a, f in parts))
    return groups


def _resources(parts: Iterable[Part], edition: Edition) -> tuple[Resource, ...]:
    names = {r.name for _, articles, _ in parts for a in articles for r in a.resources}
    return tuple(r for r in edition.resources if r.name in names)


def _article_starts(chunks: list[Typeset], first_page: int) -> dict[str, int]:
    """Article id -> page number, for articles typeset in the chunks."""
    starts, page = {}, first_page
    for chunk in chunks:
        for info in chunk.pages:
            for name in info.anchors:
                if name.startswith("a") and name[1:].isdigit():
                    starts.setdefault(name, page)
            page += 1
    return starts


def _start(pool, jobs: list[Job], cache: ChunkCache, report: Report,
           stage: str = "") -> Callable[[], list[Typeset]]:
    """Start typesetting, in parallel, the jobs the cache does not already hold; the
    function returned waits for them. With a `stage`, progress is shown per job."""
    keys = [cache.key(j.html, j.layer, j.resources, j.identifier) for j in jobs]
    results = [cache.get(key) for key in keys]
    missing = [i for i, result in enumerate(results) if result is None]
    done = itertools.count(len(jobs) - len(missing) + 1)
    if stage:
        report.note(f"{stage}: {len(jobs) - len(missing)} of {len(jobs)} from the cache")

    def tick(_result) -> None:  # runs in the pool's result thread
        if stage:
            report.advance(stage, next(done), len(jobs))

    running = [pool.apply_async(_run, (jobs[i],), callback=tick) for i in missing]

    def finish() -> list[Typeset]:
        for i, job in zip(missing, running, strict=True):
            results[i] = cache.put(keys[i], job.get())
        return results
    return finish


def build_pdf_chunked(edition: Edition, modified: dt.datetime, report: Report, jobs: int,
                      chunk_size: int, cache: ChunkCache) -> Typeset:
    """Typeset chunks travel as files, so this process never holds them all in memory.
    The result holds the book's PDF and the layout of every page (for the EPUB)."""
    scratch = Path(tempfile.mkdtemp(prefix="edition-chunks-"))
    try:
        return _build(edition, modified, report, jobs, chunk_size, cache,
                      (scratch / f"{n}.pdf" for n in itertools.count()))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _build(edition, modified, report, jobs, chunk_size, cache, targets) -> Typeset:
    groups = group(edition, chunk_size)
    article_jobs = [Job(render_print(edition, modified, front=False, parts=parts,
                                     layer="print-chunk"),
                        "print-chunk", _resources(parts, edition), edition.identifier,
                        next(targets))
                    for parts in groups]
    cover = (edition.cover.resource,) if edition.cover else ()

    def front_job(numbers: dict[str, int]) -> Job:
        html = render_print(edition, modified, parts=(), page_numbers=numbers,
                            layer="print-chunk")
        return Job(html, "print-chunk", cover, edition.identifier, next(targets))

    widest = {a.id: 10 ** len(str(40 * len(edition.articles))) - 1 for a in edition.articles}
    context = multiprocessing.get_context("fork")
    pool = context.Pool(jobs, initializer=_quiet_worker)
    try:
        guess_job = front_job(widest)
        guess_key = cache.key(guess_job.html, guess_job.layer, cover, edition.identifier)
        front = cache.get(guess_key)
        pending = None if front else pool.apply_async(_run, (guess_job,))
        waiting = _start(pool, article_jobs, cache, report, "typesetting PDF")
        chunks = waiting()
        if pending is not None:
            front = cache.put(guess_key, pending.get())
        for _ in range(4):  # the contents' numbers depend on the front's length: settle it
            numbers = _article_starts(chunks, len(front.pages) + 1)
            settled = _start(pool, [front_job(numbers)], cache, report)()[0]
            if len(settled.pages) == len(front.pages):
                front = settled
                break
            front = settled
        overlays = _start(pool, _overlay_jobs(edition, front, chunks, groups, jobs, targets),
                          cache, report)()
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
    for result in (front, *chunks):
        report_refused(result, report)
    report.advance("joining PDF", 0, 1)
    joined = join(front, chunks, overlays)
    report.advance("joining PDF", 1, 1)
    return Typeset(joined, tuple(info for part in (front, *chunks) for info in part.pages))


def _overlay_jobs(edition: Edition, front: Typeset, chunks: list[Typeset],
                  groups: list[tuple[Part, ...]], count: int, targets) -> list[Job]:
    """The running heads and page numbers of every page, in `count` documents."""
    pages: list[tuple[str, str | None]] = [("cover", None)]
    pages += [("front", None)] * (len(front.pages) - 1)
    for chunk, parts in zip(chunks, groups, strict=True):
        section_of = {a.id: s.title for s, articles, _ in parts for a in articles}
        current = None
        for info in chunk.pages:
            current = next((section_of[n] for n in info.anchors if n in section_of), current)
            pages.append(("article", current))
    size = -(-len(pages) // count)
    return [Job(render_overlay(edition, pages[start:start + size], start + 1), "print-overlay",
                (), edition.identifier, next(targets)) for start in range(0, len(pages), size)]


def _open(part: Typeset):
    import pikepdf

    return pikepdf.open(part.path if part.path else io.BytesIO(part.pdf))


def join(front: Typeset, chunks: list[Typeset], overlays: list[Typeset]) -> bytes:
    opened = []
    try:
        return _join(front, chunks, overlays, opened)
    finally:
        for pdf in opened:
            pdf.close()


def _join(front: Typeset, chunks: list[Typeset], overlays: list[Typeset], opened) -> bytes:
    import pikepdf

    parts = [front, *chunks]
    sources = [_open(part) for part in parts]
    head_pdfs = [_open(o) for o in overlays]
    opened += sources + head_pdfs
    heads = [page for pdf in head_pdfs for page in pdf.pages]
    out = pikepdf.new()
    infos = []
    with warnings.catch_warnings():  # the links, outline and destinations are rebuilt below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for source, part in zip(sources, parts, strict=True):
            out.pages.extend(source.pages)
            infos.extend(part.pages)
    for page, over in zip(out.pages, heads, strict=True):
        # By hand, not add_overlay: that names the XObject at random (the book must be
        # reproducible) and WeasyPrint's pages share one /Resources, so each page gets
        # its own copy to hold its own heads.
        resources = pikepdf.Dictionary({k: v for k, v in page.obj.Resources.items()})
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        resources.XObject = pikepdf.Dictionary({k: v for k, v in xobjects.items()})
        resources.XObject.EditionHeads = out.copy_foreign(over.as_form_xobject())
        page.obj.Resources = resources
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\nq /EditionHeads Do Q\n")
        page.contents_coalesce()
    anchors: dict[str, tuple[int, tuple[float, float]]] = {}
    for number, info in enumerate(infos):
        for name, point in info.anchors.items():
            anchors.setdefault(name, (number, point))
    _links(out, infos, anchors)
    _destinations(out, anchors)
    _outline(out, infos)
    _share_fonts(out)
    _glyph_text(out, [front, *chunks, *overlays])
    out.docinfo = out.copy_foreign(sources[0].docinfo)
    if "/Lang" in sources[0].Root:
        out.Root.Lang = pikepdf.String(str(sources[0].Root.Lang))
    if "/PageMode" in sources[0].Root:
        out.Root.PageMode = pikepdf.Name(str(sources[0].Root.PageMode))
    data = io.BytesIO()
    out.save(data, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return data.getvalue()


def _links(out, infos, anchors) -> None:
    """Replace each chunk's internal links by links to the right page of the book."""
    import pikepdf

    for page, info in zip(out.pages, infos, strict=True):
        height = float(page.mediabox[3])
        kept = [a for a in page.obj.get("/Annots", [])
                if a.get("/Subtype") != "/Link" or str(a.get("/A", {}).get("/S")) == "/URI"]
        for kind, target, (x1, y1, x2, y2) in info.links:
            if kind != "internal" or target not in anchors:
                continue
            number, (tx, ty) = anchors[target]
            destination = out.pages[number].obj
            kept.append(out.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                Rect=[x1 * PX, height - y2 * PX, x2 * PX, height - y1 * PX],
                Border=[0, 0, 0],
                Dest=[destination, pikepdf.Name.XYZ, tx * PX,
                      float(out.pages[number].mediabox[3]) - ty * PX, 0])))
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        elif "/Annots" in page.obj:
            del page.obj["/Annots"]


def _destinations(out, anchors) -> None:
    """Every anchor as a named destination, as in a one-piece build (`book.pdf#a003`
    opens an article; `edition proof` finds its pages by them)."""
    import pikepdf

    tree = pikepdf.NameTree.new(out)
    for name in sorted(anchors):
        number, (x, y) = anchors[name]
        page = out.pages[number]
        tree[name] = pikepdf.Array([page.obj, pikepdf.Name.XYZ, x * PX,
                                    float(page.mediabox[3]) - y * PX, 0])
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def _outline(out, infos) -> None:
    import pikepdf

    with out.open_outline() as outline:
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for number, info in enumerate(infos):
            height = float(out.pages[number].mediabox[3])
            for level, label, (x, y) in info.bookmarks:
                item = pikepdf.OutlineItem(label, number, "XYZ", left=x * PX,
                                           top=height - y * PX)
                while stack[-1][0] >= level:
                    stack.pop()
                stack[-1][1].append(item)
                stack.append((level, item.children))


def _glyph_text(out, parts: list[Typeset]) -> None:
    """One ToUnicode map per font, from the glyphs every chunk drew, so that text copied
    or extracted from the book is the text of the articles."""
    import pikepdf

    merged: dict[str, dict[int, str]] = {}
    for part in parts:
        for name, glyphs in part.glyph_text.items():
            merged.setdefault(name, {}).update(glyphs)
    maps: dict[str, pikepdf.Object] = {}
    for obj in out.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" \
                and str(obj.get("/BaseFont")) in merged:
            name = str(obj.BaseFont)
            if name not in maps:
                maps[name] = out.make_stream(_cmap(merged[name]))
            obj.ToUnicode = maps[name]


def _cmap(glyphs: dict[int, str]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange"]
    items = sorted(glyphs.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar")
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>" for glyph, text in batch]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


def _share_fonts(out) -> None:
    """Chunks embed the same whole font files: keep one copy of each."""
    import pikepdf

    canonical: dict[str, pikepdf.Object] = {}
    for obj in out.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in obj:
                stream = obj[key]
                digest = hashlib.sha256(stream.read_raw_bytes()).hexdigest()
                obj[key] = canonical.setdefault(digest, stream)
