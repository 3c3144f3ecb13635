"""The standards the outputs claim, checked by more than the presence of their entries:
the PDF/A-3b and PDF/X-4 books (in one piece and joined from chunks) go through a PDF
validator (page, from PyPI: the veraPDF rules for PDF/A-1 to 3 and PDF/UA-1) and qpdf's
syntax check, and every text colour of every theme has WCAG 2.1 AA contrast against its
background, computed from the stylesheets themselves."""

from __future__ import annotations

import io
import re
import shutil
import zlib
from pathlib import Path

import pikepdf
import pytest
import tinycss2
import tinycss2.color3

from builder.assets import STYLES, Look, stylesheets
from builder.writers.prepress import save_options, unambiguous_streams
from conftest import ROOT, build_edition

# --- PDF/A and PDF/X ---------------------------------------------------------------

BUILDS = {  # name: (variant, jobs)
    "a3b-single": ("pdf/a-3b", 1), "a3b-parallel": ("pdf/a-3b", 2),
    "x4-single": ("pdf/x-4", 1), "x4-parallel": ("pdf/x-4", 2),
}
# Rules of PDF/A that a PDF/X book need not follow: PDF/A's own identification, the
# declaration in the XMP of every schema it uses (PDF/X's `pdfxid` is not declared,
# nor is `pdf:Trapped` among PDF/A's predefined properties), printable annotations.
PDF_A_ONLY = re.compile(r"PDFA2B-(ID-SCHEMA|XMP-[A-Z-]+|ANNOTATION-FLAGS-PRESENT)-\d+")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample edition (which has pictures) built as each of BUILDS, on demand."""
    folder = tmp_path_factory.mktemp("standards")
    shutil.copytree(ROOT / "editions", folder, dirs_exist_ok=True)
    sample = (folder / "sample.toml").read_text(encoding="utf-8")
    found: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in found:
            variant, jobs = BUILDS[name]
            edition = folder / f"{name}.toml"
            edition.write_text(sample.replace('page_size = "A4"\n',
                                              f'page_size = "A4"\npdf_variant = "{variant}"\n'),
                               encoding="utf-8")
            found[name] = build_edition(edition, folder / name, "--format", "pdf",
                                        "--jobs", str(jobs), "--no-cache").pdf
        return found[name]
    return get


def validator():
    return pytest.importorskip(
        "page", reason="the PDF validator is not installed: pip install page-validation")


def failures(path: Path, profile: str) -> list[str]:
    report = validator().validate_pdf(str(path), profile=profile)
    return [f"{f.rule_id}: {f.message}" for f in report.failures]


@pytest.mark.parametrize("name", ["a3b-single", "a3b-parallel"])
def test_pdf_a_3b_passes_the_validator(built, name):
    assert failures(built(name), "3b") == []


@pytest.mark.parametrize("name", ["x4-single", "x4-parallel"])
def test_pdf_x_4_passes_the_pdf_a_2_rules_it_shares(built, name):
    """No validator here knows PDF/X; PDF/A-2 rests on the same PDF as PDF/X-4 (1.6
    and ISO 32000-1's syntax, ICC-based colour, fonts embedded, no interpolation)."""
    found = failures(built(name), "2b")
    assert [f for f in found if not PDF_A_ONLY.match(f)] == []


@pytest.mark.parametrize("name", list(BUILDS))
def test_pictures_are_not_interpolated(built, name):
    with pikepdf.open(built(name)) as pdf:
        images = [o for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images, "the sample has pictures"
        assert not [o.objgen for o in images if o.get("/Interpolate") is True]


@pytest.mark.parametrize("name", list(BUILDS))
def test_qpdf_finds_nothing_and_no_stream_ends_in_a_carriage_return(built, name):
    path = built(name)
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []
    assert b"\rendstream" not in path.read_bytes()
    assert b"\r\nendstream" not in path.read_bytes()


@pytest.mark.parametrize("name", ["a3b-single", "a3b-parallel"])
def test_pdf_a_identification_and_output_intent(built, name):
    with pikepdf.open(built(name)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.pdfa_status == "3B"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert intent.DestOutputProfile.read_bytes()[16:20] == b"RGB "
        assert str(intent.OutputConditionIdentifier)


def _data_ending_in_cr(prefix: bytes) -> bytes:
    """`prefix` and a number: data whose zlib form ends in a carriage return."""
    number = 0
    while zlib.adler32(prefix + b"%d" % number) & 0xFF != 0x0D:
        number += 1
    return prefix + b"%d" % number


def test_stream_data_never_ends_in_a_carriage_return():
    """Streams whose data would end in CR: compressed as saved (a picture's rows), left
    for qpdf to compress (contents), and a font file: each gets a line feed after its
    data, and still decodes to the same bytes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    picture = _data_ending_in_cr(b"\x00\x10\x20\x30")
    contents = _data_ending_in_cr(b"q 1 0 0 1 0 0 cm Q %")
    font = _data_ending_in_cr(b"\x00\x01\x00\x00")
    streams = [pdf.make_stream(b""), pdf.make_stream(contents), pdf.make_stream(b"")]
    streams[0].write(zlib.compress(picture), filter=pikepdf.Name.FlateDecode,
                     decode_parms=pikepdf.Dictionary(Predictor=10, Columns=3))
    streams[2].write(zlib.compress(font), filter=pikepdf.Name.FlateDecode)
    pdf.Root.Streams = pikepdf.Array(streams)
    unambiguous_streams(pdf)
    out = io.BytesIO()
    pdf.save(out, **save_options("1.6"))
    assert b"\r\nendstream" not in out.getvalue()
    with pikepdf.open(io.BytesIO(out.getvalue())) as saved:
        data = [s.read_raw_bytes() for s in saved.Root.Streams]
        assert all(raw.endswith(b"\r\n") for raw in data)
        assert zlib.decompress(data[0]) == picture
        assert [s.read_bytes() for s in list(saved.Root.Streams)[1:]] == [contents, font]


# --- Contrast -------------------------------------------------------------------

WHITE = (1.0, 1.0, 1.0)
AA = 4.5  # WCAG 2.1 AA, normal text
LOOKS = [Look(theme, layout) for theme in ("classic", "magazine") for layout in ("book",
                                                                                 "magazine")]
LAYERS = ("epub", "print", "print-chunk", "print-overlay")


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: tuple[float, float, float], background: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour(tokens: list) -> tuple[float, float, float, float] | None | str:
    """The first colour in a declaration's value (RGBA), "none" for a transparent
    background, or None (inherit, currentColor, an image alone…)."""
    for token in tokens:
        if token.type == "ident" and token.lower_value in ("none", "transparent"):
            return "none"
        found = tinycss2.color3.parse_color(token)
        if found is not None and found != "currentColor":
            return tuple(found)
    return None


def over(rgba: tuple, background: tuple[float, float, float]) -> tuple[float, float, float]:
    """A colour laid over an opaque background (its alpha blended)."""
    *rgb, alpha = rgba
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(rgb, background, strict=True))


def selectors(prelude: list) -> list[str]:
    """A rule's selectors, split at its top-level commas."""
    return [s.strip() for s in tinycss2.serialize(prelude).split(",") if s.strip()]


def rules(css: str, output: str, page: str | None = None):
    """(selector, property, value) for every colour and background the sheet sets for
    `output` ("epub" or "print"), in order; `@media print` counts in print only. The
    page boxes' declarations come as selector `@page NAME` (`@page` for all pages)."""
    for rule in tinycss2.parse_rule_list(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            media = tinycss2.serialize(rule.prelude).lower()
            if ("print" in media) == (output == "print") or "all" in media:
                yield from rules(tinycss2.serialize(rule.content), output)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "page":
            name = tinycss2.serialize(rule.prelude).strip()
            yield from declarations(rule.content, [f"@page {name}".strip()])
        elif rule.type == "qualified-rule":
            yield from declarations(rule.content, selectors(rule.prelude))


def declarations(content: list, names: list[str]):
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True,
                                                skip_whitespace=True):
        if item.type == "at-rule" and item.content is not None:  # a page's margin box
            yield from declarations(item.content, [f"{n} @{item.lower_at_keyword}"
                                                   for n in names])
        elif item.type == "declaration" and item.lower_name in (
                "color", "background", "background-color", "page"):
            for name in names:
                yield name, item.lower_name, item.value


def declared(look: Look, layer: str) -> tuple[dict, dict, dict]:
    """What one layer's sheets set, the last rule winning: selector -> text colour,
    selector -> background, and class selector -> the named page its element is on
    (`page: cover`)."""
    output = "print" if layer.startswith("print") else "epub"
    text: dict[str, tuple] = {}
    background: dict[str, tuple | str] = {}
    pages: dict[str, str] = {}
    for sheet in stylesheets(layer, look):
        css = (STYLES / sheet).read_text(encoding="utf-8")
        for selector, name, value in rules(css, output):
            if name == "page":
                pages[selector] = tinycss2.serialize(value).strip()
            elif (found := colour(value)) is not None and name == "color":
                text[selector] = found
            elif found is not None:
                background[selector] = found
    return text, background, pages


def text_colours(look: Look, layer: str) -> list[tuple[str, tuple, tuple]]:
    """(selector, text colour, background) of every text colour of one layer's sheets:
    the background the rule itself sets, else that of the page the element is on (a
    rule setting `page: NAME`, and the classes that begin with that rule's class: the
    cover's), else the whole page's (`@page`, `html`, `body`), else white. A rule that
    sets only a background is checked with the theme's text colour (`html`'s)."""
    text, background, pages = declared(look, layer)
    solid = {s: b for s, b in background.items() if isinstance(b, tuple)}
    default = WHITE
    for whole in ("@page", "html", "body"):
        if whole in solid:
            default = over(solid[whole], default)

    def behind(selector: str) -> tuple[float, float, float]:
        page = selector.split(" @")[0] if selector.startswith("@page") else next(
            (f"@page {name}" for element, name in pages.items()
             if selector.startswith(element)), None)
        for source in (selector, page):
            if source in solid:
                return over(solid[source], default)
        return default

    found = [(s, c) for s, c in text.items() if isinstance(c, tuple)]
    found += [(s, text.get("html", (0.0, 0.0, 0.0, 1.0))) for s in solid
              if s not in text and not s.startswith("@page") and s not in ("html", "body")]
    return [(s, over(c, behind(s)), behind(s)) for s, c in found]


def hex_of(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


@pytest.mark.parametrize("look", LOOKS, ids=lambda look: f"{look.theme}-{look.layout}")
@pytest.mark.parametrize("layer", LAYERS)
def test_every_text_colour_has_aa_contrast(look, layer):
    colours = text_colours(look, layer)
    assert len(colours) > 10  # the parse found the sheets' colours
    poor = [f"{selector}: {hex_of(text)} on {hex_of(back)} is "
            f"{contrast(text, back):.2f}:1" for selector, text, back in colours
            if contrast(text, back) < AA]
    assert poor == []


def test_contrast_is_computed_as_wcag_says():
    assert contrast(WHITE, (0.0, 0.0, 0.0)) == pytest.approx(21)
    grey = tuple(0x77 / 255 for _ in range(3))  # #777, the magazine's old byline
    assert contrast(grey, WHITE) == pytest.approx(4.48, abs=0.01)
    css = ".a { color: #777 } @media print { .b { color: #fff; background: #d0391b } }"
    assert [(s, n) for s, n, _ in rules(css, "print")] == [
        (".a", "color"), (".b", "color"), (".b", "background")]
    assert [s for s, _, _ in rules(css, "epub")] == [".a"]
