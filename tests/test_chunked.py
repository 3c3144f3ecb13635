"""A PDF typeset in parallel chunks equals the one typeset in one piece."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import ROOT, build_edition


@pytest.fixture(scope="module")
def single(corpus_edition, tmp_path_factory):
    return build_edition(corpus_edition, tmp_path_factory.mktemp("single"), "--format", "pdf",
                         "--jobs", "1")


def outline(reader: PdfReader) -> list:
    def walk(items):
        result = []
        for item in items:
            if isinstance(item, list):
                result.append(walk(item))
            else:
                result.append((item.title, reader.get_destination_page_number(item)))
        return result
    return walk(reader.outline)


def links(reader: PdfReader) -> list[list[tuple]]:
    """Per page: each link's rectangle (rounded) and where it leads."""
    named = {name: reader.get_destination_page_number(dest)
             for name, dest in reader.named_destinations.items()}
    pages = []
    for page in reader.pages:
        found = []
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            x1, y1, x2, y2 = (round(float(v), 1) for v in annotation["/Rect"])
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            if "/A" in annotation and "/URI" in annotation["/A"]:
                target = str(annotation["/A"]["/URI"])
            else:
                dest = annotation["/Dest"]
                target = named[str(dest)] if isinstance(dest, str) else \
                    reader.get_page_number(dest[0].get_object())
            found.append((rect, target))
        pages.append(sorted(found))
    return pages


def fonts(reader: PdfReader) -> tuple[set[str], int]:
    names, files = set(), set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            names.add(re.sub(r"^/?[A-Z]{6}\+", "", str(font["/BaseFont"])))
            base = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            descriptor = base["/FontDescriptor"].get_object()
            files.add(descriptor["/FontFile2"].indirect_reference.idnum)
    return names, len(files)


def test_same_pages_and_text(corpus, single):
    chunked, whole = PdfReader(corpus.pdf), PdfReader(single.pdf)
    assert len(chunked.pages) == len(whole.pages) > 100
    for number, (a, b) in enumerate(zip(chunked.pages, whole.pages, strict=True), 1):
        assert a.extract_text().split() == b.extract_text().split(), f"page {number} differs"
        assert [float(v) for v in a.mediabox] == [float(v) for v in b.mediabox]


def test_same_outline(corpus, single):
    assert outline(PdfReader(corpus.pdf)) == outline(PdfReader(single.pdf))


def test_same_links(corpus, single):
    chunked, whole = links(PdfReader(corpus.pdf)), links(PdfReader(single.pdf))
    assert chunked == whole
    assert sum(len(p) for p in whole) > 50  # contents entries and web links


def test_same_named_destinations(corpus, single):
    def destinations(reader: PdfReader) -> dict[str, int]:
        return {name: reader.get_destination_page_number(dest)
                for name, dest in reader.named_destinations.items()}

    chunked, whole = destinations(PdfReader(corpus.pdf)), destinations(PdfReader(single.pdf))
    assert chunked == whole
    assert {"cover", "contents", "a001", "a050"} <= set(whole)


def test_same_metadata_and_fonts_embedded_once(corpus, single):
    chunked, whole = PdfReader(corpus.pdf), PdfReader(single.pdf)
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate", "/ModDate"):
        assert chunked.metadata.get(key) == whole.metadata.get(key), key
    assert chunked.trailer["/Root"]["/Lang"] == whole.trailer["/Root"]["/Lang"]
    assert "/PageLabels" not in chunked.trailer["/Root"]
    names, copies = fonts(chunked)
    assert names == fonts(whole)[0]
    assert copies == len(names), "each font is embedded once, not once per chunk"


def test_a_front_laid_out_only_counts_the_pages_it_has_when_drawn(corpus_edition, tmp_path):
    """A chunked build learns the front's length from a layout it does not draw."""
    from builder.assemble import assemble
    from builder.assets import StyleFiles
    from builder.build import modified_time
    from builder.cache import ChunkCache
    from builder.edition import load_edition
    from builder.errors import Report
    from builder.render import render_print
    from builder.writers.pdf import typeset

    edition = assemble(load_edition(corpus_edition), Report(quiet=True))
    html = render_print(edition, modified_time(edition), parts=(), layer="print-chunk",
                        page_numbers={a.id: 999 for a in edition.articles})
    styles = StyleFiles("print-chunk")
    drawn = typeset(html, styles, (), edition.identifier, chunk=tmp_path / "d.pdf")
    counted = typeset(html, styles, (), edition.identifier, chunk=tmp_path / "c.pdf",
                      draw=False)
    assert len(drawn.pages) > 2  # cover, masthead, contents over pages
    assert [p.size for p in counted.pages] == [p.size for p in drawn.pages]
    assert counted.pdf == b"" and counted.path is None and not (tmp_path / "c.pdf").exists()
    cache = ChunkCache(tmp_path / "cache")
    assert cache.key(html, "print-chunk", (), "x", drawn=False) != \
        cache.key(html, "print-chunk", (), "x")


def font_dictionaries(path) -> list[tuple[bytes, int, int]]:
    """Each embedded font: its file, how many glyph widths and glyph-to-text entries its
    dictionary lists."""
    import pikepdf

    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
                cid = obj.DescendantFonts[0]
                widths = sum(len(v) for v in cid.W if isinstance(v, pikepdf.Array))
                mapped = obj.ToUnicode.read_bytes().count(b"\n<")
                found.append((cid.FontDescriptor.FontFile2.read_bytes(), widths, mapped))
    return found


def test_a_chunk_embeds_whole_font_files_and_lists_only_the_glyphs_it_draws(tmp_path):
    """So that the join keeps one copy of each file, and no chunk spends its time listing
    thousands of glyphs it does not draw."""
    from builder.assets import StyleFiles
    from builder.writers.pdf import typeset

    html = ('<link rel="stylesheet" href="styles/fonts.css">'
            '<link rel="stylesheet" href="styles/base.css"><p>Harbour</p>')
    typeset(html, StyleFiles("print"), (), "urn:test", chunk=tmp_path / "chunk.pdf")
    whole = typeset(html, StyleFiles("print"), (), "urn:test")
    (tmp_path / "whole.pdf").write_bytes(whole.pdf)
    regular = (ROOT / "styles" / "fonts" / "NotoSerif-Regular.ttf").read_bytes()
    [(file, widths, mapped)] = font_dictionaries(tmp_path / "chunk.pdf")
    assert file == regular
    assert len(set("Harbour")) <= widths <= 10 and len(set("Harbour")) <= mapped <= 10
    [(file, widths, mapped)] = font_dictionaries(tmp_path / "whole.pdf")
    assert len(file) < len(regular) / 2  # a book typeset in one piece embeds subsets
    assert widths <= 10 and mapped <= 10


def test_each_page_draws_its_heads_over_its_own_contents_kept_compressed(corpus):
    """The join wraps each page's contents (in a saved graphics state, so nothing they
    set reaches the heads) and draws the running heads last; the contents, written
    uncompressed by the chunks, are compressed."""
    for number, page in enumerate(PdfReader(corpus.pdf).pages, 1):
        streams = [s.get_object() for s in page["/Contents"]]
        assert streams[0].get_data() == b"q\n", number
        assert streams[-1].get_data().split() == b"Q q /EditionHeads Do Q".split(), number
        assert "/EditionHeads" in page["/Resources"]["/XObject"], number
        for stream in streams[1:-1]:
            assert stream.get("/Filter") == "/FlateDecode", number
