"""What a print shop needs from the PDF beyond what WeasyPrint writes, applied with
pikepdf to the finished book (one piece or joined): exact page boxes, crop marks,
device-independent RGB for PDF/X, reproducible identification, and, for every variant,
what PDF/A and PDF/X forbid in any file: image interpolation, and stream data whose
length a reader cannot tell (`unambiguous_streams`).

WeasyPrint lays the page out with the CSS `bleed` (backgrounds and full-bleed images
reach into it; the MediaBox is the bleed area and the TrimBox the page) but caps the
PDF BleedBox at 10 pt from the trim, and draws CSS `marks` inside the bleed, over the
page's background, where the cutter removes them with the bleed. So the marks are
drawn here instead, in white space added around the bleed.
"""

from __future__ import annotations

import importlib.resources
import re
import uuid
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

    from ..models import Edition

MM = 72 / 25.4  # PDF points per millimetre
MARK_GAP = 1 * MM  # between the bleed's edge and a crop mark
MARK_LENGTH = 6 * MM
MARK_MARGIN = 2 * MM  # white space beyond the marks
MARK_WIDTH = 0.25  # pt, the usual hairline
CMYK_PROFILE = "styles/generic-cmyk.icc"  # the book path WeasyPrint fetches it from


@dataclass(frozen=True)
class Press:
    """The print settings of an edition, as the writers need them."""

    variant: str | None = None  # WeasyPrint's name: "pdf/x-4", "pdf/a-3b", "pdf/ua-1"
    bleed: float = 0.0  # pt on each side of the trimmed page
    crop_marks: bool = False
    identifier: str = ""
    bleed_given: bool = False  # bleed = "0mm" still means "for print"
    rtl: bool = False  # a book in a right-to-left language: it opens and binds on the right

    @property
    def is_x(self) -> bool:
        return bool(self.variant and self.variant.startswith("pdf/x"))

    @property
    def for_print(self) -> bool:
        """An edition for a print shop: its sections open on right-hand pages (as
        templates/print/page.html says too). A PDF for screens has no blank pages."""
        return bool(self.is_x or self.bleed or self.crop_marks or self.bleed_given)

    @property
    def needed(self) -> bool:
        """Whether the book needs this step at all (a plain PDF is left as it is)."""
        return bool(self.variant or self.bleed or self.crop_marks or self.rtl)

    @property
    def mark_offset(self) -> float:
        return self.bleed + MARK_GAP


def press_of(edition: Edition) -> Press:
    settings = edition.settings
    bleed = float(settings.bleed.removesuffix("mm")) * MM if settings.bleed else 0.0
    return Press(settings.pdf_variant, bleed, settings.crop_marks, settings.identifier,
                 settings.bleed is not None, edition.dir == "rtl")


def save_options(version: str) -> dict:
    """PDF 1.4 (PDF/X-3) has no object streams."""
    import pikepdf

    mode = pikepdf.ObjectStreamMode.disable if version < "1.5" else \
        pikepdf.ObjectStreamMode.generate
    return {"deterministic_id": True, "compress_streams": True, "object_stream_mode": mode,
            "force_version": version}


def finish_bytes(data: bytes, press: Press) -> bytes:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        finish(pdf, press)
        out = io.BytesIO()
        pdf.save(out, **save_options(pdf.pdf_version))
        return out.getvalue()


def finish(pdf: pikepdf.Pdf, press: Press) -> None:
    """Page boxes and marks on every page; colour and identification for the variant;
    the reading direction. Last, for any variant, streams a validator reads as
    written (`unambiguous_streams`)."""
    import pikepdf

    for page in pdf.pages:
        _boxes(pdf, page, press)
    if press.variant:
        _no_interpolation(pdf)
    if press.is_x:
        _default_rgb(pdf)
    if press.variant and press.variant.startswith("pdf/a"):
        for page in pdf.pages:  # PDF/A: every annotation printable
            for annotation in page.obj.get("/Annots", []):
                annotation.F = 4
    if press.rtl:  # viewers show spreads, and readers turn pages, from right to left
        preferences = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
        preferences.Direction = pikepdf.Name.R2L
        pdf.Root.ViewerPreferences = preferences
    _document_id(pdf, press)
    if press.variant:
        unambiguous_streams(pdf)


def _boxes(pdf: pikepdf.Pdf, page: pikepdf.Page, press: Press) -> None:
    import pikepdf

    x1, y1, x2, y2 = (float(v) for v in page.trimbox)
    b = press.bleed
    bleed = [x1 - b, y1 - b, x2 + b, y2 + b]
    page.obj.TrimBox = pikepdf.Array([x1, y1, x2, y2])
    page.obj.BleedBox = pikepdf.Array(bleed)
    if not press.crop_marks:
        page.obj.MediaBox = pikepdf.Array(bleed)
        return
    room = press.mark_offset + MARK_LENGTH + MARK_MARGIN
    page.obj.MediaBox = pikepdf.Array([x1 - room, y1 - room, x2 + room, y2 + room])
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
    page.contents_add(pdf.make_stream(_crop_marks((x1, y1, x2, y2), press.mark_offset)))


def _crop_marks(trim: tuple[float, float, float, float], offset: float) -> bytes:
    """Eight hairlines on the trim lines' extensions, outside the bleed; an artifact
    (not content) for tagged PDFs."""
    x1, y1, x2, y2 = trim
    near, far = offset, offset + MARK_LENGTH
    lines = []
    for x, sign in ((x1, -1), (x2, 1)):
        for y in (y1, y2):  # horizontal marks, level with the top and bottom trim
            lines.append((x + sign * near, y, x + sign * far, y))
    for y, sign in ((y1, -1), (y2, 1)):
        for x in (x1, x2):  # vertical marks, in line with the left and right trim
            lines.append((x, y + sign * near, x, y + sign * far))
    path = "".join(f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l\n" for a, b, c, d in lines)
    return (f"/Artifact BMC\nq\n0 G {MARK_WIDTH} w 0 J [] 0 d\n{path}S\nQ\nEMC\n").encode()


def _default_rgb(pdf: pikepdf.Pdf) -> None:
    """PDF/X: RGB colours are sRGB (ICC-based), not device RGB, through a DefaultRGB
    colour space in every resource dictionary (pages, forms, patterns)."""
    import pikepdf

    icc = (importlib.resources.files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    srgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(icc, N=3)])
    seen: set = set()

    def visit(resources: pikepdf.Object) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        if resources.is_indirect:  # shared: visit once (direct ones cannot be shared)
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            resources.ColorSpace = spaces = pikepdf.Dictionary()
        spaces.DefaultRGB = srgb
        for group in ("/XObject", "/Pattern"):
            for item in resources.get(group, {}).values():
                if "/Resources" in item:
                    visit(item.Resources)

    for page in pdf.pages:
        if "/Resources" not in page.obj:
            page.obj.Resources = pikepdf.Dictionary()
        visit(page.obj.Resources)


def _document_id(pdf: pikepdf.Pdf, press: Press) -> None:
    """WeasyPrint's PDF/X metadata names the document with a random UUID; the book is
    reproducible, so it gets one derived from the edition's identifier."""
    import pikepdf

    if "/Metadata" not in pdf.Root:
        return
    xmp = pdf.Root.Metadata.read_bytes()
    stable = uuid.uuid5(uuid.NAMESPACE_URL, press.identifier or "edition")
    fixed = re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{stable}".encode(), xmp)
    if fixed != xmp:
        pdf.Root.Metadata = pdf.make_stream(fixed, Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)


def _no_interpolation(pdf: pikepdf.Pdf) -> None:
    """PDF/A (ISO 19005-2 6.2.8) and PDF/X forbid `/Interpolate true` on images, which
    WeasyPrint writes for every picture whose `image-rendering` is `auto` (CSS's
    default), and for every raster image inside an SVG. The key is removed: its
    default, false, is what both standards ask for."""
    for obj in pdf.objects:
        if _is_image(obj) and obj.get("/Interpolate") is True:
            del obj["/Interpolate"]


def _is_image(obj: pikepdf.Object) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"


CR = 0x0D
# Filters whose data qpdf writes as it is given (it undoes no other as it saves): Flate
# (kept, not compressed again) and the image codecs it cannot decode.
KEPT_FILTERS = ("/FlateDecode", "/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode")


def unambiguous_streams(pdf: pikepdf.Pdf) -> None:
    """No stream's data, as saved, ends in a carriage return. qpdf writes a line feed
    between the data and `endstream`; after a final CR, a reader sees one end of line
    (CR LF) and data one byte shorter than `/Length` (the rule PDF/A's validators
    check, ISO 19005-2 6.1.7.1). Such a stream's data gets a line feed of its own,
    counted in `/Length`: decoders stop at the end of the compressed data (a zlib
    stream's end is in it), so what it decodes to is unchanged.

    The last byte of zlib data is the low byte of the Adler-32 checksum of what it
    compresses, whoever compresses it; so the streams qpdf will compress as it saves
    (those without a filter, but the XMP metadata) are judged, and compressed here,
    before it does."""
    import pikepdf

    metadata = pdf.Root.get("/Metadata")
    readable = metadata.objgen if isinstance(metadata, pikepdf.Stream) else None
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            kept = _kept(obj, obj.objgen == readable)
            if _saved_last_byte(obj, kept) == CR:
                _end_with_line_feed(obj, kept)


def _kept(stream: pikepdf.Stream, readable: bool) -> bool:
    """Whether qpdf saves the stream's data as it is (`save_options`). It compresses
    the streams without a filter, but the document's XMP (`readable`)."""
    filters = stream.get("/Filter")
    if filters is None:
        return readable
    names = [str(f) for f in filters.wrap_in_array()]
    return names == ["/FlateDecode"] or any(n in KEPT_FILTERS[1:] for n in names)


def _saved_last_byte(stream: pikepdf.Stream, kept: bool) -> int | None:
    """The last byte of the stream's data as the book is saved, or None if it has
    none."""
    if kept:
        raw = stream.read_raw_bytes()
        return raw[-1] if raw else None
    return zlib.adler32(stream.read_bytes()) & 0xFF


def _end_with_line_feed(stream: pikepdf.Stream, kept: bool) -> None:
    import pikepdf

    if kept:
        stream.write(stream.read_raw_bytes() + b"\n", filter=stream.get("/Filter"),
                     decode_parms=stream.get("/DecodeParms"))
    else:  # compressed here, as qpdf would
        stream.write(zlib.compress(stream.read_bytes()) + b"\n",
                     filter=pikepdf.Name.FlateDecode)
