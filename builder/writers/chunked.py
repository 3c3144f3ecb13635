"""The join of a PDF typeset in parts (`builder.printing` typesets them in parallel):
the front matter and the chunks of articles, page after page, with their running heads
laid over them.

Joining (pikepdf) rebuilds what crossed chunk boundaries: one outline, internal links to
the right pages, and one copy of each font (chunks embed whole font files, so identical
copies can be merged, then cut down to the glyphs the whole book draws) and of each
image. Where the book needs a blank page before a chunk (a section opening on a
right-hand page), the join puts one in, unnumbered and without heads.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .. import subset
from ..models import PageInfo, Typeset
from .prepress import Press, finish, save_options

if TYPE_CHECKING:
    import pikepdf

PX = 0.75  # PDF points per CSS pixel


def cover_page(front: Typeset, press: Press) -> bytes:
    """The book's first page alone, as the join and the print finish will make it (its
    page boxes, its colour spaces): the EPUB's cover can be drawn before the join."""
    import pikepdf

    with _open(front) as source:
        out = pikepdf.new()
        out.pages.append(source.pages[0])
        if press.needed:
            finish(out, press)
        data = io.BytesIO()
        out.save(data)
    return data.getvalue()


def _open(part: Typeset) -> pikepdf.Pdf:
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


def _blank_page(out: pikepdf.Pdf, like: pikepdf.Page) -> pikepdf.Page:
    """An empty page with the boxes of `like`."""
    import pikepdf

    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                              Contents=out.make_stream(b""))
    for box in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox"):
        if box in like.obj:
            page[box] = pikepdf.Array([float(v) for v in like.obj[box]])
    return pikepdf.Page(out.make_indirect(page))


def _join(front: Typeset, chunks: list[Typeset], heads: Callable[[], list[Typeset]],
          blanks: list[bool], press: Press, opened: list[pikepdf.Pdf]) -> bytes:
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


def _streams(contents: pikepdf.Object) -> list:
    import pikepdf

    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def _compress_contents(page: pikepdf.Page) -> None:
    """Compress a copied page's contents (chunks are written uncompressed) while the
    running heads are still being typeset, rather than all at once as the book is
    saved: the save keeps compressed streams as they are."""
    import pikepdf

    for stream in _streams(page.obj.Contents):
        if "/Filter" not in stream:
            stream.write(zlib.compress(stream.read_raw_bytes()), filter=pikepdf.Name.FlateDecode)


def _links(out: pikepdf.Pdf, infos: list[PageInfo],
           anchors: dict[str, tuple[int, tuple[float, float]]]) -> None:
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


def _destinations(out: pikepdf.Pdf, anchors: dict[str, tuple[int, tuple[float, float]]]) -> None:
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


def _outline(out: pikepdf.Pdf, infos: list[PageInfo]) -> None:
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


def _font_descriptors(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            yield obj


def _mark_fonts(source: pikepdf.Pdf, seen: set[str]) -> None:
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


def _share_fonts(out: pikepdf.Pdf) -> None:
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


def _resource(obj: pikepdf.Object, kind: str) -> pikepdf.Dictionary | None:
    """The `kind` dictionary (/Font, /XObject) of a page's, form's or resource
    dictionary's resources, if it has one."""
    import pikepdf

    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return None
    resources = obj.get("/Resources", obj)
    found = resources.get(kind) if isinstance(resources, pikepdf.Dictionary) else None
    return found if isinstance(found, pikepdf.Dictionary) else None


def _type0_fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    import pikepdf

    for obj in list(pdf.objects):
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" \
                and obj.get("/Subtype") == "/Type0" and "/ToUnicode" in obj:
            yield obj


def _label(descriptor: pikepdf.Dictionary) -> tuple[str, str] | None:
    """The key of a font descriptor's file, and the file's label (its digest)."""
    for key in FONT_FILES:
        if key in descriptor and "/EditionFont" in descriptor[key]:
            return key, str(descriptor[key].EditionFont)
    return None


def _widths(array: pikepdf.Array | list) -> dict[int, float]:
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


def _share_images(out: pikepdf.Pdf) -> None:
    """A picture shown in two chunks (a cover story's, on the cover and with its
    article) is embedded by each: keep one copy."""
    import pikepdf

    canonical: dict[str, pikepdf.Object] = {}

    def key(image: pikepdf.Stream) -> str:
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


def _share_profiles(out: pikepdf.Pdf) -> None:
    """Every chunk embeds the same ICC profiles (a PDF/X book's CMYK output intent):
    keep one copy of each."""
    import pikepdf

    canonical: dict[str, pikepdf.Object] = {}

    def shared(stream: pikepdf.Object) -> pikepdf.Object:
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
