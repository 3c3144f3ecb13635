"""A PDF typeset in chunks by parallel processes, then joined into one book.

WeasyPrint lays out a document in one process. Since every article starts a new page,
groups of articles can be typeset separately without changing a single line break:
each chunk is rendered without running heads and page numbers (they depend on the
pages before it), the front matter is rendered once the article pages are known (its
contents page needs their numbers), and the heads and numbers are then rendered as
pages of their own and laid over the content. Joining (pikepdf) rebuilds what crossed
chunk boundaries: one outline, internal links to the right pages, and one copy of each
font (chunks embed whole font files, so identical copies can be merged).

The work goes to the build's worker processes in this order: the chunks, longest first,
with a first front beside them (its contents show the widest page numbers; it is laid
out, not drawn, to learn its length); then the front with the real numbers beside the
running heads; then, once every page is known (`laid_out`), the caller can start more
work (the EPUB) while this process joins the book.

In an edition for print, each section opens on a right-hand (odd) page. A chunk never
spans two sections, so where a section's first chunk would land on an even page, the
join puts a blank page before it (unnumbered, without heads), as `break-before: recto`
does in one piece.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import itertools
import re
import shutil
import tempfile
import warnings
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..assets import PLAIN, Look, look_of
from ..cache import ChunkCache
from ..errors import Report
from ..models import Edition, Resource
from ..render import Part, render_overlay, render_print
from . import subset
from .pdf import PageInfo, Typeset, report_refused, typeset
from .prepress import Press, finish, press_of, save_options

PX = 0.75  # PDF points per CSS pixel


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
        return typeset(job.html, job.layer, job.resources, job.identifier, chunk=job.target,
                       variant=job.variant, look=job.look, draw=job.draw)
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
                if name.startswith("a") and name[1:].isdigit():
                    starts.setdefault(name, page)
            page += 1
    return starts


def _start(pool, jobs: list[Job], cache: ChunkCache, report: Report,
           stage: str = "") -> Callable[[], list[Typeset]]:
    """Start typesetting, in parallel, the jobs the cache does not already hold; the
    function returned waits for them. With a `stage`, progress is shown per job.
    The longest documents go first, so that no worker is left with a long one at
    the end while the other waits."""
    keys = [cache.key(j.html, j.layer, j.resources, j.identifier, j.look, drawn=j.draw)
            for j in jobs]
    results = [cache.get(key) for key in keys]
    missing = sorted((i for i, result in enumerate(results) if result is None),
                     key=lambda i: -len(jobs[i].html))
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


@dataclass(frozen=True)
class Layout:
    """A chunked book once every page is typeset and counted, before the join: its
    front matter, chunks, blank pages, and the running heads still being typeset."""

    front: Typeset
    chunks: list[Typeset]
    blanks: list[bool]
    heads: Callable[[], list[Typeset]]  # waits for the running heads
    press: Press

    @property
    def pages(self) -> tuple[PageInfo, ...]:
        return book_pages(self.front, self.chunks, self.blanks)


def build_pdf_chunked(edition: Edition, modified: dt.datetime, report: Report, pool,
                      workers: int, chunk_size: int, cache: ChunkCache,
                      laid_out: Callable[[Layout], None] | None = None) -> Typeset:
    """Typeset chunks travel as files, so this process never holds them all in memory.
    The result holds the book's PDF and the layout of every page (for the EPUB).
    `laid_out(layout)` is called as soon as every page is known, before the join (the
    EPUB can then be made beside it); the chunks' files last until this returns."""
    scratch = Path(tempfile.mkdtemp(prefix="edition-chunks-"))
    try:
        layout = lay_out(edition, modified, report, pool, workers, chunk_size, cache,
                         (scratch / f"{n}.pdf" for n in itertools.count()))
        if laid_out:
            laid_out(layout)
        for result in (layout.front, *layout.chunks):
            report_refused(result, report)
        report.advance("joining PDF", 0, 1)
        # The pages are joined while the workers typeset the running heads.
        joined = join(layout.front, layout.chunks, layout.heads, layout.blanks, layout.press)
        report.advance("joining PDF", 1, 1)
        return Typeset(joined, layout.pages)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def lay_out(edition, modified, report, pool, workers, chunk_size, cache, targets) -> Layout:
    """Typeset every page: the articles' chunks and the front beside them, then the
    front again with the contents' page numbers, and the running heads."""
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
    guess = _start(pool, [front_job(widest, draw=False)], cache, report)
    chunks = _start(pool, article_jobs, cache, report, "typesetting PDF")()
    front_pages = len(guess()[0].pages)

    def heads_for(front_pages: int, blanks: list[bool]):
        return _start(pool, _overlay_jobs(edition, front_pages, chunks, groups, blanks,
                                          2 * workers, targets), cache, report)

    for _ in range(4):  # the contents' numbers depend on the front's length: settle it
        blanks = blanks_before(front_pages, chunks, groups, press.for_print)
        # The running heads are typeset beside the front, for a front of the length
        # guessed; again if it turns out longer or shorter (rare).
        settling = _start(pool, [front_job(_article_starts(chunks, front_pages + 1, blanks))],
                          cache, report)
        heads = heads_for(front_pages, blanks)
        front = settling()[0]
        if len(front.pages) == front_pages:
            break
        heads()  # (wasted; not left running beside the next round)
        front_pages = len(front.pages)
    else:  # never settled: heads for the last front typeset
        blanks = blanks_before(front_pages, chunks, groups, press.for_print)
        heads = heads_for(front_pages, blanks)
    return Layout(front, chunks, blanks, heads, press)


def cover_page(layout: Layout) -> bytes:
    """The book's first page alone, as the join and the print finish will make it (its
    page boxes, its colour spaces): the EPUB's cover can be drawn before the join."""
    import pikepdf

    with _open(layout.front) as source:
        out = pikepdf.new()
        out.pages.append(source.pages[0])
        if layout.press.needed:
            finish(out, layout.press)
        data = io.BytesIO()
        out.save(data)
    return data.getvalue()


def book_pages(front: Typeset, chunks: list[Typeset], blanks: list[bool]) -> tuple:
    """The joined book's pages, blank ones included, in order (for the EPUB)."""
    pages = list(front.pages)
    for chunk, blank in zip(chunks, blanks, strict=True):
        if blank:
            pages.append(PageInfo(chunk.pages[0].size, {}, [], []))
        pages += chunk.pages
    return tuple(pages)


def _overlay_jobs(edition: Edition, front_pages: int, chunks: list[Typeset],
                  groups: list[tuple[Part, ...]], blanks: list[bool], count: int,
                  targets) -> list[Job]:
    """The running heads and page numbers of every page, in `count` documents."""
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
                (), edition.identifier, next(targets), edition.pdf_variant,
                look_of(edition))
            for start in range(0, len(pages), size)]


def _open(part: Typeset):
    import pikepdf

    return pikepdf.open(part.path if part.path else io.BytesIO(part.pdf))


def join(front: Typeset, chunks: list[Typeset], heads: Callable[[], list[Typeset]],
         blanks: list[bool] | None = None, press: Press | None = None) -> bytes:
    """The book. `heads` is called (it waits for the running heads) once the pages of
    the front and the chunks are copied, and their links, destinations and outline
    made."""
    opened = []
    try:
        return _join(front, chunks, heads, blanks or [False] * len(chunks),
                     press or Press(), opened)
    finally:
        for pdf in opened:
            pdf.close()


def _blank_page(out, like):
    """An empty page with the boxes of `like`."""
    import pikepdf

    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                              Contents=out.make_stream(b""))
    for box in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox"):
        if box in like.obj:
            page[box] = pikepdf.Array([float(v) for v in like.obj[box]])
    return pikepdf.Page(out.make_indirect(page))


def _join(front: Typeset, chunks: list[Typeset], heads: Callable[[], list[Typeset]],
          blanks: list[bool], press: Press, opened) -> bytes:
    import pikepdf

    parts = [front, *chunks]
    fonts: set[str] = set()
    out = pikepdf.new()
    infos = []
    front_pdf = None
    with warnings.catch_warnings():  # the links, outline and destinations are rebuilt below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for part, blank in zip(parts, [False, *blanks], strict=True):
            # One chunk open at a time: pikepdf copies the pages' data, so a chunk can be
            # closed once copied, and only its first copy of each font is copied at all.
            source = _open(part)
            _mark_fonts(source, fonts)
            if blank:
                first = part.pages[0]
                out.pages.append(_blank_page(out, source.pages[0]))
                infos.append(PageInfo(size=first.size, anchors={}, links=[], bookmarks=[]))
            out.pages.extend(source.pages)
            infos.extend(part.pages)
            for page in out.pages[len(out.pages) - len(source.pages):]:
                _compress_contents(page)
            if front_pdf is None:
                front_pdf = source
                opened.append(source)  # the front: its metadata is the book's, below
            else:
                source.close()
    # What the running heads do not change is done before waiting for them.
    anchors: dict[str, tuple[int, tuple[float, float]]] = {}
    for number, info in enumerate(infos):
        for name, point in info.anchors.items():
            anchors.setdefault(name, (number, point))
    _links(out, infos, anchors)
    _destinations(out, anchors)
    _outline(out, infos)
    out.docinfo = out.copy_foreign(front_pdf.docinfo)
    if "/Lang" in front_pdf.Root:
        out.Root.Lang = pikepdf.String(str(front_pdf.Root.Lang))
    if "/PageMode" in front_pdf.Root:
        out.Root.PageMode = pikepdf.Name(str(front_pdf.Root.PageMode))
    # The variant's identification (XMP, output intent) is the same in every chunk:
    # the front's stands for the book.
    for key in ("/Metadata", "/OutputIntents", "/MarkInfo"):
        if key in front_pdf.Root:
            value = front_pdf.Root[key]
            out.Root[key] = out.copy_foreign(
                value if value.is_indirect else front_pdf.make_indirect(value))
    overlays = heads()
    head_pdfs = [_open(o) for o in overlays]
    opened += head_pdfs
    for pdf in head_pdfs:  # after the chunks, whose pages surely carry their fonts
        _mark_fonts(pdf, fonts)
    head_pages = [page for pdf in head_pdfs for page in pdf.pages]
    # Each page's contents between the same two streams: its own stays as copied.
    begin, end = out.make_stream(b"q\n"), out.make_stream(b"\nQ\nq /EditionHeads Do Q\n")
    for page, over in zip(out.pages, head_pages, strict=True):
        # By hand, not add_overlay: that names the XObject at random (the book must be
        # reproducible) and WeasyPrint's pages share one /Resources, so each page gets
        # its own copy to hold its own heads.
        resources = pikepdf.Dictionary({k: v for k, v in page.obj.Resources.items()})
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        resources.XObject = pikepdf.Dictionary({k: v for k, v in xobjects.items()})
        resources.XObject.EditionHeads = out.copy_foreign(over.as_form_xobject())
        page.obj.Resources = resources
        page.obj.Contents = pikepdf.Array([begin, *_streams(page.obj.Contents), end])
    _share_fonts(out)
    _share_images(out)
    # Profiles come from the variant and the stylesheets, which every chunk shares with
    # the front; the running heads have stylesheets of their own.
    if any(_mentions(part, b"/ICCBased") for part in (front, *overlays)):
        _share_profiles(out)
    version = front_pdf.pdf_version
    if press.needed:
        finish(out, press)
    data = io.BytesIO()
    out.save(data, **save_options(version))
    return data.getvalue()


def _streams(contents) -> list:
    import pikepdf

    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def _compress_contents(page) -> None:
    """Compress a copied page's contents (chunks are written uncompressed) while the
    running heads are still being typeset, rather than all at once as the book is
    saved: the save keeps compressed streams as they are."""
    import pikepdf

    for stream in _streams(page.obj.Contents):
        if "/Filter" not in stream:
            stream.write(zlib.compress(stream.read_raw_bytes()), filter=pikepdf.Name.FlateDecode)


def _links(out, infos, anchors) -> None:
    """Replace each chunk's internal links by links to the right page of the book."""
    import pikepdf

    for page, info in zip(out.pages, infos, strict=True):
        height = float(page.trimbox[3])
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
                      float(out.pages[number].trimbox[3]) - ty * PX, 0])))
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
                                    float(page.trimbox[3]) - y * PX, 0])
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def _outline(out, infos) -> None:
    import pikepdf

    with out.open_outline() as outline:
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for number, info in enumerate(infos):
            height = float(out.pages[number].trimbox[3])
            for level, label, (x, y) in info.bookmarks:
                item = pikepdf.OutlineItem(label, number, "XYZ", left=x * PX,
                                           top=height - y * PX)
                while stack[-1][0] >= level:
                    stack.pop()
                stack[-1][1].append(item)
                stack.append((level, item.children))


FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _font_descriptors(pdf):
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            yield obj


def _mark_fonts(source, seen: set[str]) -> None:
    """Before a chunk is copied: label each embedded font file with its digest, and
    replace the files already copied from an earlier chunk by an empty stand-in (chunks
    embed whole fonts, the same in every chunk), which `_share_fonts` resolves."""
    import pikepdf

    for descriptor in _font_descriptors(source):
        for key in FONT_FILES:
            if key in descriptor:
                digest = hashlib.sha256(descriptor[key].read_raw_bytes()).hexdigest()
                if digest in seen:
                    descriptor[key] = source.make_stream(b"", EditionFont=pikepdf.String(digest))
                else:
                    seen.add(digest)
                    descriptor[key].EditionFont = pikepdf.String(digest)


def _share_fonts(out) -> None:
    """One font per font file, as in a book typeset in one piece: the fonts the chunks
    made of one file become one (their glyph widths and glyph-to-text maps joined), and
    the file is cut down to the glyphs drawn anywhere in the book."""
    import pikepdf

    files = {}  # label -> the one copy of the file (the others are empty stand-ins)
    for descriptor in _font_descriptors(out):
        found = _label(descriptor)
        if found and descriptor[found[0]].read_raw_bytes():
            files[found[1]] = descriptor[found[0]]
    # (label, font name) -> (font, its widths, its texts): one font per file and name (a
    # house style may give a file of ours a name of its own)
    merged: dict[tuple[str, str], tuple] = {}
    replaced = {}  # (object number, generation) of a font -> the font standing for it
    whole: set[str] = set()  # labels of files some font of which lists no glyphs
    for font in _type0_fonts(out):
        cid = font.DescendantFonts[0]
        found = _label(cid.FontDescriptor)
        if found is None:
            continue
        key, label = found
        cid.FontDescriptor[key] = files[label]
        if "/W" not in cid:  # its glyphs are not listed: its file stays whole
            whole.add(label)
        widths, texts = _widths(cid.get("/W", [])), _texts(font.ToUnicode.read_bytes())
        name = (label, str(font.BaseFont))
        if name in merged:
            first, all_widths, all_texts = merged[name]
            all_widths.update(widths)
            for glyph, text in texts.items():
                all_texts.setdefault(glyph, text)
            replaced[font.objgen] = first
        else:
            merged[name] = (font, widths, texts)
    drawn: dict[str, set[int]] = {}  # label -> the glyphs of the file any font draws
    for (label, _), (_, widths, _) in merged.items():
        drawn.setdefault(label, set()).update(widths)
    for (label, _), (font, widths, texts) in merged.items():
        cid = font.DescendantFonts[0]
        cid.W = pikepdf.Array(_widths_array(widths))
        font.ToUnicode = out.make_stream(zlib.compress(_to_unicode(texts)),
                                         Filter=pikepdf.Name.FlateDecode)
        descriptor = cid.FontDescriptor
        if widths:
            descriptor.FontBBox[2] = max(widths.values())
        if "/CIDSet" in descriptor:  # the glyphs the file holds
            descriptor.CIDSet = out.make_stream(_cid_set(drawn[label]))
    for label, stream in files.items():
        del stream["/EditionFont"]
        data = stream.read_bytes()
        if label not in whole:
            data = subset.for_pdf(data, drawn.get(label, ()))
        stream.write(zlib.compress(data), filter=pikepdf.Name.FlateDecode)
        if "/Length1" in stream:
            stream.Length1 = len(data)
    for obj in out.objects:  # pages, forms and resource dictionaries: the fonts kept
        fonts = _resource(obj, "/Font")
        for name, value in list(fonts.items()) if fonts is not None else ():
            if value.objgen in replaced:
                fonts[name] = replaced[value.objgen]


def _resource(obj, kind: str):
    """The `kind` dictionary (/Font, /XObject) of a page's, form's or resource
    dictionary's resources, if it has one."""
    import pikepdf

    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return None
    resources = obj.get("/Resources", obj)
    found = resources.get(kind) if isinstance(resources, pikepdf.Dictionary) else None
    return found if isinstance(found, pikepdf.Dictionary) else None


def _type0_fonts(pdf):
    import pikepdf

    for obj in list(pdf.objects):
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" \
                and obj.get("/Subtype") == "/Type0" and "/ToUnicode" in obj:
            yield obj


def _label(descriptor) -> tuple[str, str] | None:
    """The key of a font descriptor's file, and the file's label (its digest)."""
    for key in FONT_FILES:
        if key in descriptor and "/EditionFont" in descriptor[key]:
            return key, str(descriptor[key].EditionFont)
    return None


def _widths(array) -> dict[int, float]:
    """Glyph id -> width, from a CID font's /W array (`c [w…]` or `c1 c2 w`)."""
    import pikepdf

    found: dict[int, float] = {}
    items = list(array)
    at = 0
    while at + 1 < len(items):
        first = int(items[at])
        if isinstance(items[at + 1], pikepdf.Array):
            found.update((first + n, float(w)) for n, w in enumerate(items[at + 1]))
            at += 2
        else:
            found.update((g, float(items[at + 2])) for g in range(first, int(items[at + 1]) + 1))
            at += 3
    return found


def _widths_array(widths: dict[int, float]) -> list:
    """The /W array of these widths, runs of consecutive glyphs together (as WeasyPrint
    writes it)."""
    array: list = []
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            array += [glyph, []]
        width = widths[glyph]
        array[-1].append(int(width) if width == int(width) else width)
    return array


CMAP_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _texts(cmap: bytes) -> dict[int, bytes]:
    """Glyph id -> its text (UTF-16BE, in hex), from a ToUnicode map's `bfchar` lists."""
    body = cmap.split(b"endcodespacerange", 1)[-1]
    return {int(glyph, 16): text for glyph, text in CMAP_PAIR.findall(body)}


def _to_unicode(texts: dict[int, bytes]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)",
             b"/Supplement 0", b">> def", b"/CMapName /Adobe-Identity-UCS def",
             b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    pairs = sorted(texts.items())
    for start in range(0, len(pairs), 100):
        batch = pairs[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (glyph, text) for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _cid_set(glyphs: set[int]) -> bytes:
    """The bits of the glyph ids present (PDF 1.4 and PDF/A ask for it)."""
    bits = bytearray((max(glyphs, default=0) + 8) // 8)
    for glyph in glyphs:
        bits[glyph // 8] |= 0x80 >> (glyph % 8)
    return bytes(bits)


def _share_images(out) -> None:
    """A picture shown in two chunks (a cover story's, on the cover and with its
    article) is embedded by each: keep one copy."""
    import pikepdf

    canonical: dict[str, pikepdf.Object] = {}

    def key(image) -> str:
        h = hashlib.sha256(image.read_raw_bytes())
        for name in ("/Width", "/Height", "/BitsPerComponent", "/Filter", "/DecodeParms",
                     "/ColorSpace", "/Decode", "/ImageMask", "/Intent", "/Interpolate"):
            value = image.get(name)  # (an indirect value differs between chunks: kept apart)
            shown = value.unparse() if isinstance(value, pikepdf.Object) else repr(value).encode()
            h.update(name.encode() + shown + b";")
        if "/SMask" in image:
            h.update(hashlib.sha256(image.SMask.read_raw_bytes()).digest())
        return h.hexdigest()

    for obj in out.objects:  # pages, forms and resource dictionaries
        xobjects = _resource(obj, "/XObject")
        for name, value in list(xobjects.items()) if xobjects is not None else ():
            if isinstance(value, pikepdf.Stream) and value.get("/Subtype") == "/Image":
                xobjects[name] = canonical.setdefault(key(value), value)


def _mentions(part: Typeset, word: bytes) -> bool:
    """Whether a chunk's PDF holds `word` (chunks are written uncompressed, so their
    dictionaries are plain text): cheaper than looking through all its objects."""
    return word in (part.pdf or part.path.read_bytes())


def _share_profiles(out) -> None:
    """Every chunk embeds the same ICC profiles (a PDF/X book's CMYK output intent):
    keep one copy of each."""
    import pikepdf

    canonical: dict[str, pikepdf.Object] = {}

    def shared(stream):
        return canonical.setdefault(hashlib.sha256(stream.read_raw_bytes()).hexdigest(), stream)

    for obj in out.objects:
        if not isinstance(obj, pikepdf.Dictionary) or isinstance(obj, pikepdf.Stream):
            continue
        for key, value in obj.items():
            if isinstance(value, pikepdf.Array) and len(value) == 2 \
                    and value[0] == pikepdf.Name.ICCBased:
                obj[key] = pikepdf.Array([pikepdf.Name.ICCBased, shared(value[1])])
    for intent in out.Root.get("/OutputIntents", []):
        if "/DestOutputProfile" in intent:
            intent.DestOutputProfile = shared(intent.DestOutputProfile)
