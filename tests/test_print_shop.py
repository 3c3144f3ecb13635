"""A PDF a print shop accepts: variant identification, page boxes and crop marks, text
inside the page, sections on right-hand pages, and fonts that cover the text. Real
editions built through the CLI, read back with pikepdf, pdfplumber, pypdf and pypdfium2."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, build_edition

MM = 72 / 25.4
A4 = (595.28, 841.89)
TABLOID = (792.0, 1224.0)
MARGIN_X = 18 * MM  # print.css: @page margin 20mm 18mm 22mm
TOLERANCE = 0.3  # pt: rounding in the PDF and glyph bounds

PRINT_KEYS = 'pdf_variant = "pdf/x-4"\nbleed = "3mm"\ncrop_marks = true\n'


def with_keys(source: Path, target: Path, keys: str, page_size: str | None = None) -> Path:
    """A copy of an edition file with extra top-level keys (and another page size)."""
    text = source.read_text(encoding="utf-8")
    if page_size:
        text = re.sub(r'^page_size = .*$', f'page_size = "{page_size}"', text, flags=re.M)
    text = re.sub(r"^\[\[sections\]\]", keys + "\n[[sections]]", text, count=1, flags=re.M)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("print-editions")
    shutil.copytree(ROOT / "editions", folder, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "stress", folder / "stress")
    sample = folder / "sample.toml"
    with_keys(sample, folder / "x4.toml", PRINT_KEYS)
    with_keys(sample, folder / "x3.toml", 'pdf_variant = "pdf/x-3"\n')
    with_keys(sample, folder / "a3b.toml", 'pdf_variant = "pdf/a-3b"\n')
    with_keys(sample, folder / "ua.toml", 'pdf_variant = "pdf/ua-1"\n')
    stress = folder / "stress" / "stress.toml"
    with_keys(stress, folder / "stress" / "tabloid.toml", PRINT_KEYS, "tabloid")
    with_keys(stress, folder / "stress" / "custom.toml", PRINT_KEYS, "170 240")
    return folder


BUILDS = {  # name: (edition file, jobs)
    "x4-single": ("x4.toml", 1), "x4-parallel": ("x4.toml", 2),
    "x3-parallel": ("x3.toml", 2), "a3b-parallel": ("a3b.toml", 2),
    "ua-parallel": ("ua.toml", 2),
    "tabloid-single": ("stress/tabloid.toml", 1), "custom-parallel": ("stress/custom.toml", 2),
}


@pytest.fixture(scope="module")
def built(editions, tmp_path_factory):
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        """The PDF of one of BUILDS (its warnings in `get.stderr[name]`)."""
        if name not in cache:
            edition, jobs = BUILDS[name]
            out = tmp_path_factory.mktemp(name)
            result = build_edition(editions / edition, out, "--format", "pdf",
                                   "--jobs", str(jobs))
            cache[name], get.stderr[name] = result.pdf, result.result.stderr
        return cache[name]
    get.stderr = {}
    return get


def xmp(pdf: pikepdf.Pdf) -> str:
    return pdf.Root.Metadata.read_bytes().decode()


def icc_class(stream) -> tuple[bytes, bytes]:
    """(device class, colour space) of an embedded ICC profile."""
    data = stream.read_bytes()
    assert data[36:40] == b"acsp", "not an ICC profile"
    return data[12:16], data[16:20]


@pytest.mark.parametrize("name, version, x_version", [
    ("x4-single", "1.6", "PDF/X-4"), ("x4-parallel", "1.6", "PDF/X-4"),
    ("x3-parallel", "1.4", "PDF/X-3:2003")])
def test_pdf_x_identification(built, name, version, x_version):
    with pikepdf.open(built(name)) as pdf:
        assert pdf.pdf_version == version
        metadata = xmp(pdf)
        assert f"<pdfxid:GTS_PDFXVersion>{x_version}</pdfxid:GTS_PDFXVersion>" in metadata
        assert "<pdf:Trapped>False</pdf:Trapped>" in metadata
        assert pdf.docinfo["/Trapped"] == pikepdf.Name("/False")
        assert "/Filter" not in pdf.Root.Metadata  # readable by any prepress tool
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier)
        assert icc_class(intent.DestOutputProfile) == (b"prtr", b"CMYK")
        assert len(pdf.trailer.ID) == 2
        if version < "1.5":
            assert not any(o.get("/Type") == "/ObjStm" for o in pdf.objects
                           if isinstance(o, pikepdf.Stream))
        # RGB colours are sRGB, not device RGB: every page's colour spaces say so.
        for page in pdf.pages:
            assert page.obj.Resources.ColorSpace.DefaultRGB[0] == pikepdf.Name.ICCBased


def test_pdf_x_document_id_is_reproducible(built):
    ids = []
    for name in ("x4-single", "x4-parallel"):
        with pikepdf.open(built(name)) as pdf:
            ids.append(re.search(r"xmp\.did:[0-9a-f-]{36}", xmp(pdf))[0])
    assert ids[0] == ids[1]


def test_pdf_a_identification(built):
    with pikepdf.open(built("a3b-parallel")) as pdf:
        metadata = xmp(pdf)
        assert re.search(r'pdfaid:part="3"|<pdfaid:part>3<', metadata)
        assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B<', metadata)
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert icc_class(intent.DestOutputProfile)[1] == b"RGB "
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert annotations and all(int(a.F) & 4 for a in annotations)  # printable


def test_pdf_ua_is_tagged_even_when_built_in_parallel(built, sample):
    with pikepdf.open(built("ua-parallel")) as pdf:
        assert re.search(r'pdfuaid:part="1"|<pdfuaid:part>1<', xmp(pdf))
        assert pdf.Root.MarkInfo.Marked is True
        tree = pdf.Root.StructTreeRoot
        assert len(tree.K) > 0 and "/ParentTree" in tree
        assert all("/StructParents" in page.obj for page in pdf.pages)
        assert len(pdf.pages) == len(PdfReader(sample.pdf).pages)


def boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]]
            for name in ("MediaBox", "TrimBox", "BleedBox")}


def inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - 1e-3 and inner[1] >= outer[1] - 1e-3
            and inner[2] <= outer[2] + 1e-3 and inner[3] <= outer[3] + 1e-3)


@pytest.mark.parametrize("name, size", [
    ("x4-single", A4), ("x4-parallel", A4), ("tabloid-single", TABLOID),
    ("custom-parallel", (170 * MM, 240 * MM))])
def test_page_boxes(built, name, size):
    with pikepdf.open(built(name)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            box = boxes(page)
            trim, bleed, media = box["TrimBox"], box["BleedBox"], box["MediaBox"]
            assert inside(trim, bleed) and inside(bleed, media), number
            assert trim[2] - trim[0] == pytest.approx(size[0], abs=0.01), number
            assert trim[3] - trim[1] == pytest.approx(size[1], abs=0.01), number
            assert [b - t for b, t in zip(bleed, trim, strict=True)] == pytest.approx(
                [-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01), number
            assert media[2] - bleed[2] > 5 * MM, "room for the crop marks"


def test_plain_pdf_keeps_plain_boxes_and_has_no_blank_page(sample):
    """A PDF not meant for a print shop is left as it was: no bleed, no blank versos."""
    with pikepdf.open(sample.pdf) as pdf:
        for page in pdf.pages:
            box = boxes(page)
            assert box["MediaBox"] == box["TrimBox"] == box["BleedBox"]
    assert all((page.extract_text() or "").strip() for page in PdfReader(sample.pdf).pages)


@pytest.mark.parametrize("name", ["x4-single", "x4-parallel"])
def test_crop_marks_outside_the_bleed(built, name):
    with pikepdf.open(built(name)) as pdf:
        bleeds = [boxes(page)["BleedBox"] for page in pdf.pages]
    with pdfplumber.open(built(name)) as pdf:
        for page, bleed in zip(pdf.pages, bleeds, strict=True):
            shift = float(page.page_obj.mediabox[1])  # pdfplumber's y counts from there
            marks = [line for line in page.lines if line["linewidth"] == pytest.approx(0.25)
                     and not inside((line["x0"], line["y0"] + shift,
                                     line["x1"], line["y1"] + shift), bleed)]
            assert len(marks) == 8, page.page_number


def test_cover_background_reaches_into_the_bleed(built):
    pdf = pypdfium2.PdfDocument(built("x4-single"))
    try:
        image = pdf[0].render(scale=1).to_pil().convert("RGB")
    finally:
        pdf.close()
    with pikepdf.open(built("x4-single")) as book:
        box = boxes(book.pages[0])
    left, top = box["MediaBox"][0], box["MediaBox"][3]
    y = round(top - (box["TrimBox"][1] + box["TrimBox"][3]) / 2)  # halfway down
    in_bleed = round(box["TrimBox"][0] - 1.5 * MM - left)
    beyond = round(box["BleedBox"][0] - 1.5 * MM - left)
    assert image.getpixel((in_bleed, y)) == image.getpixel((round(MARGIN_X - left), y)) \
        != (255, 255, 255)
    assert image.getpixel((beyond, y)) == (255, 255, 255)


def glyph_boxes(path: Path):
    """Per page: the TrimBox and each glyph's box, in the PDF's own coordinates."""
    with pikepdf.open(path) as pdf:
        trims = [boxes(page)["TrimBox"] for page in pdf.pages]
    with pdfplumber.open(path) as pdf:
        for page, trim in zip(pdf.pages, trims, strict=True):
            shift = float(page.page_obj.mediabox[1])
            yield trim, [(c["text"], (c["x0"], c["y0"] + shift, c["x1"], c["y1"] + shift))
                         for c in page.chars if c["text"].strip()]


@pytest.mark.parametrize("name", ["x4-single", "x4-parallel", "tabloid-single",
                                  "custom-parallel"])
def test_no_glyph_outside_the_page_or_the_text_block(built, name):
    pages = list(glyph_boxes(built(name)))
    assert sum(len(glyphs) for _, glyphs in pages) > 1000
    for number, (trim, glyphs) in enumerate(pages, 1):
        for text, box in glyphs:
            assert inside(box, [trim[0] - TOLERANCE, trim[1] - TOLERANCE,
                                trim[2] + TOLERANCE, trim[3] + TOLERANCE]), (number, text)
            if number > 1:  # the cover is laid out on its own
                assert trim[0] + MARGIN_X - TOLERANCE <= box[0] and \
                    box[2] <= trim[2] - MARGIN_X + TOLERANCE, (number, text, box)


def test_the_stress_text_is_really_there(built):
    text = " ".join(p.extract_text() for p in PdfReader(built("tabloid-single")).pages)
    flat = re.sub(r"\s+", "", text)
    assert "Donaudampfschifffahrtsgesellschafts" in flat  # the 100-letter word, broken
    assert "segment08-of-a-v" in flat  # the end of the 300-character address
    assert flat.count("Row") >= 2, "the long table's header row is on each of its pages"


def section_starts(path: Path) -> list[int]:
    """1-based page numbers of the sections' first pages (the outline's top level)."""
    reader = PdfReader(path)
    return [reader.get_destination_page_number(item) + 1 for item in reader.outline
            if not isinstance(item, list)]


@pytest.mark.parametrize("name", ["x4-single", "x4-parallel", "tabloid-single",
                                  "custom-parallel"])
def test_sections_start_on_right_hand_pages_after_blank_ones(built, name):
    starts = section_starts(built(name))
    texts = [page.extract_text() or "" for page in PdfReader(built(name)).pages]
    assert len(starts) >= 3
    assert all(page % 2 == 1 for page in starts), starts
    blank = [number for number, text in enumerate(texts, 1) if not text.strip()]
    assert blank, "the sample needs blank pages to open sections on the right"
    assert all(number + 1 in starts and number % 2 == 0 for number in blank), blank


def test_parallel_build_has_the_single_builds_pages(built):
    single, parallel = PdfReader(built("x4-single")), PdfReader(built("x4-parallel"))
    assert len(single.pages) == len(parallel.pages)
    for number, (a, b) in enumerate(zip(single.pages, parallel.pages, strict=True), 1):
        assert a.extract_text().split() == b.extract_text().split(), number
        for name in ("/MediaBox", "/TrimBox", "/BleedBox"):
            assert [float(v) for v in a[name]] == pytest.approx(
                [float(v) for v in b[name]], abs=0.01)


def test_no_heading_ends_a_page(built):
    heading = re.compile(r"^Part \d+: a heading")
    with pikepdf.open(built("tabloid-single")) as pdf:
        trims = [boxes(page)["TrimBox"] for page in pdf.pages]
    with pdfplumber.open(built("tabloid-single")) as pdf:
        seen = 0
        for page, trim in zip(pdf.pages, trims, strict=True):
            shift = float(page.page_obj.mediabox[1])
            # The text block, between the running heads and the page number.
            lines = [line["text"] for line in page.extract_text_lines()
                     if trim[1] + 22 * MM < line["chars"][0]["y0"] + shift
                     < trim[3] - 20 * MM]
            seen += sum(bool(heading.match(line)) for line in lines)
            assert not (lines and heading.match(lines[-1])), lines[-1]
        assert seen == 40


def test_figures_keep_their_captions(built):
    with pdfplumber.open(built("custom-parallel")) as pdf:
        found = 0
        for page in pdf.pages:
            text = page.extract_text()
            for caption in re.findall(r"Figure \d: the caption", text):
                found += 1
                assert page.images, f"{caption} is on a page without its picture"
        assert found == 2


BUNDLED = {"Edition-Serif", "Edition-Serif-Italic", "Edition-Serif-Bold",
           "Edition-Serif-Bold-Italic", "Edition-Sans", "Edition-Sans-Bold", "Edition-Mono"}


def test_bundled_fonts_cover_greek_cyrillic_and_accented_latin(built):
    reader = PdfReader(built("custom-parallel"))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(re.sub(r"^/?[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"])))
    assert names and names <= BUNDLED, names - BUNDLED
    assert "font-coverage" not in built.stderr["custom-parallel"]
    text = " ".join((p.extract_text() or "").replace("\u00ad", "") for p in reader.pages)
    flat = " ".join(re.sub(r"-\n", "", text).split())
    for phrase in ("ψυχοφθόρα βδελυγμία", "французских булок", "Кумедна ж ти",
                   "Жълтата дюля", "Zażółć gęślą jaźń", "žluťoučký kůň",
                   "Árvíztűrő tükörfúrógép", "Ærøskøbing ved Øresund", "Șase țări"):
        assert phrase in flat, phrase
