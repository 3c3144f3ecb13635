"""Every claim on every combination: the sample edition and a 50-article corpus, built in
each theme × layout × PDF variant, and each output put through the checkers of what it
claims. A PDF goes through page (veraPDF's rules) with the profile of its variant, qpdf's
syntax check and, for PDF/A, PDFBox's preflight where its rules apply; every distinct EPUB
goes through EPUBCheck and Ace by DAISY. 0 failures is the bar; a variant that cannot
meet it must not claim it (then its identification is absent, which is checked too).

Marked `matrix`: the 40 builds take minutes, so CI runs them on one Python (see .ci/run)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, SHARED, Built, ace_violations, build_edition, epubcheck_messages

pytestmark = pytest.mark.matrix

THEMES = ("classic", "magazine")
LAYOUTS = ("book", "magazine")
VARIANTS = ("none", "pdf/x-4", "pdf/x-3", "pdf/a-3b", "pdf/ua-1")
INPUTS = ("sample", "corpus")
COMBINATIONS = [(i, t, lay, v) for i in INPUTS for t in THEMES for lay in LAYOUTS
                for v in VARIANTS]
IDS = [f"{i}-{t}-{lay}-{v.replace('/', '')}" for i, t, lay, v in COMBINATIONS]

# page's profile for each variant's claim. No validator here knows PDF/X: a PDF/X book is
# held to PDF/A-2b, which rests on the same PDF (ICC colour, embedded fonts, no
# interpolation), less the rules only PDF/A has (its identification, the declaration of
# every XMP schema used (PDF/X's own is not), printable annotations).
PROFILES = {"pdf/x-4": "2b", "pdf/x-3": "2b", "pdf/a-3b": "3b", "pdf/ua-1": "ua1"}
PDF_A_ONLY = re.compile(r"PDFA2B-(ID-SCHEMA|XMP-[A-Z-]+|ANNOTATION-FLAGS-PRESENT)-\d+")

# PDFBox's preflight knows PDF/A-1b only. Of what it finds in a PDF/A-3b book, these are
# PDF/A-1's own rules, which PDF/A-2 and 3 dropped: cross-reference streams (PDF 1.5),
# the CIDSet of a subset font (optional since PDF/A-2), and its reading of the
# identification, which it accepts only for part 1.
PREFLIGHT_A1_ONLY = re.compile(
    r"^(1\.4 : Trailer Syntax error, /XRef cross reference streams are not allowed"
    r"|3\.1\.11 : Invalid Font definition, .*: The CIDSet entry is missing"
    r"|7\.3 : Error on MetaData, Schema is not set in this document : "
    r"http://www\.aiim\.org/pdfa/ns/id/)")
PREFLIGHT_JARS = ("preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging",
                  "javax.activation", "jaxb-api")
JAVA = Path("/usr/share/java")


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Each input's folder and edition text, to which a combination's keys are added."""
    folder = tmp_path_factory.mktemp("matrix-sources")
    shutil.copytree(ROOT / "editions", folder / "sample")
    found = {"sample": (folder / "sample", "sample.toml")}
    generator = SHARED / "corpus" / "make_corpus.py"
    if generator.is_file():
        subprocess.run([sys.executable, str(generator), str(folder / "corpus"),
                        "--articles", "50", "--seed", "1"], check=True, capture_output=True)
        found["corpus"] = (folder / "corpus", "edition.toml")
    return {name: (where, (where / file).read_text(encoding="utf-8"))
            for name, (where, file) in found.items()}


def with_keys(text: str, keys: str) -> str:
    """The edition text with `keys` added to its top-level table (before any table)."""
    head, sep, rest = text.partition("\n[")
    return f"{head.rstrip()}\n{keys}\n{sep}{rest}"


@pytest.fixture(scope="module")
def built(sources, tmp_path_factory):
    cache: dict[tuple, Built] = {}

    def get(source: str, theme: str, layout: str, variant: str) -> Built:
        key = (source, theme, layout, variant)
        if key not in cache:
            if source not in sources:
                pytest.skip(f"the shared corpus generator is not at {SHARED}/corpus")
            folder, text = sources[source]
            keys = f'theme = "{theme}"\nlayout = "{layout}"\n'
            if variant != "none":
                keys += f'pdf_variant = "{variant}"\n'
            name = "-".join(key).replace("/", "")
            edition = folder / f"{name}.toml"
            edition.write_text(with_keys(text, keys), encoding="utf-8")
            cache[key] = build_edition(edition, tmp_path_factory.mktemp(name), "--no-cache",
                                       "--jobs", "2")
        return cache[key]
    return get


def page_failures(path: Path, profile: str) -> list[str]:
    page = pytest.importorskip(
        "page", reason="the PDF validator is not installed: pip install page-validation")
    report = page.validate_pdf(str(path), profile=profile)
    return [f"{f.rule_id}: {f.message}" for f in report.failures]


def claimed_variant(pdf: pikepdf.Pdf) -> str:
    """The standard the PDF's own metadata claims, read back from the XMP."""
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in pdf.Root else ""
    if re.search(r'pdfuaid:part(="|>)1', xmp):
        return "pdf/ua-1"
    if m := re.search(r'pdfaid:part(?:="|>)(\d)', xmp):
        return f"pdf/a-{m.group(1)}b"
    if m := re.search(r"GTS_PDFXVersion(?:=\"|>)PDF/X-(\d)", xmp):
        return f"pdf/x-{m.group(1)}"
    return "none"


def preflight(path: Path) -> list[str]:
    jars = [JAVA / f"{name}.jar" for name in PREFLIGHT_JARS]
    if shutil.which("java") is None or not all(j.is_file() for j in jars):
        pytest.skip("PDFBox's preflight is not installed (Debian: libpdfbox2-java, "
                    "libactivation-java, libjaxb-api-java; .ci/run installs them)")
    result = subprocess.run(
        ["java", "-cp", os.pathsep.join(map(str, jars)),
         "org.apache.pdfbox.preflight.Validator_A1b", str(path)],
        capture_output=True, text=True, timeout=300)
    return [line for line in result.stdout.splitlines()[1:] if line.strip()]


@pytest.mark.parametrize(("source", "theme", "layout", "variant"), COMBINATIONS, ids=IDS)
def test_the_pdf_passes_the_checkers_of_what_it_claims(built, source, theme, layout, variant):
    path = built(source, theme, layout, variant).pdf
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == [], "qpdf's check"
        claimed = claimed_variant(pdf)
        images = [o for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        if variant != "none":  # PDF/A and PDF/X forbid it; a PDF for screens may smooth
            assert not [o.objgen for o in images if o.get("/Interpolate") is True]
    assert b"\rendstream" not in path.read_bytes()
    # The claim is the edition's variant, and nothing else; PDF/A-3b reads as part 3.
    expected = {"pdf/a-3b": "pdf/a-3b"}.get(variant, variant)
    assert claimed == expected
    if variant == "none":
        return
    found = page_failures(path, PROFILES[variant])
    if variant.startswith("pdf/x-"):
        found = [f for f in found if not PDF_A_ONLY.match(f)]
    assert found == []
    if variant == "pdf/a-3b":
        assert [f for f in preflight(path) if not PREFLIGHT_A1_ONLY.match(f)] == []


# EPUBCheck's and Ace's findings for each distinct EPUB, by its digest: the variants of
# one theme and layout give at most two books (a print edition's blank pages move the
# page list), so each is checked once.
EPUBCHECK: dict[str, list[str]] = {}
ACE: dict[str, list[str]] = {}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("source", "theme", "layout", "variant"), COMBINATIONS, ids=IDS)
def test_the_epub_passes_epubcheck(built, source, theme, layout, variant):
    path = built(source, theme, layout, variant).epub
    key = digest(path)
    if key not in EPUBCHECK:
        EPUBCHECK[key] = [f"{m.level} {m.id} {m.location}: {m.message}"
                          for m in epubcheck_messages(path)]
    assert EPUBCHECK[key] == []


@pytest.mark.parametrize(("source", "theme", "layout", "variant"), COMBINATIONS, ids=IDS)
def test_the_epub_passes_ace(built, ace, source, theme, layout, variant):
    path = built(source, theme, layout, variant).epub
    key = digest(path)
    if key not in ACE:
        ACE[key] = ace_violations(ace, path, path.with_name(f"ace-{key[:12]}"))
    assert ACE[key] == []
