"""Our reaches into WeasyPrint and ebooklib (builder/writers/internals.py): with every
patch off (EDITION_PATCHES=0), the same PDFs and EPUBs, byte for byte, as with them on;
pages selected by number keep their own styles; the switch and the version check."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, build_edition

# The `edition` command.
EDITION = "import sys; from builder.cli import main; sys.exit(main(sys.argv[1:]))"

BUILDS = {  # name: (edition file, extra keys, jobs)
    "one piece": ("sample.toml", "", 1),
    "chunks": ("sample.toml", "", 2),
    # blank left-hand pages before sections, bleed, crop marks, CMYK output intent
    "print shop, chunks": ("sample.toml", 'pdf_variant = "pdf/x-4"\nbleed = "3mm"\n'
                           'crop_marks = true\n', 2),
    # two columns, footnotes in the margin, three scripts, pictures
    "magazine": ("stress/stress.toml", 'theme = "magazine"\nlayout = "magazine"\n', 1),
}


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speedups")
    shutil.copytree(ROOT / "editions", folder, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "stress", folder / "stress")
    return folder


@pytest.mark.parametrize("name", BUILDS)
def test_the_outputs_are_byte_identical_with_the_speed_patches_off(editions, tmp_path, name):
    """Every patch off but `whole-fonts`, which changes what a chunk embeds (and so the
    bytes of a parallel build: see the next test); in one piece, every patch off."""
    source, keys, jobs = BUILDS[name]
    edition = editions / source
    text = edition.read_text(encoding="utf-8").replace("[[sections]]", keys + "[[sections]]", 1)
    edition = edition.with_name("speed-" + "-".join(name.replace(",", "").split()) + ".toml")
    edition.write_text(text, encoding="utf-8")
    patched = build_edition(edition, tmp_path / "patched", "--jobs", str(jobs), "--no-cache")
    plain = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-c", EDITION, "build", str(edition), "--out",
                             str(plain), "--jobs", str(jobs), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ,
                                 "EDITION_PATCHES": "whole-fonts" if jobs > 1 else "0"})
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(io.BytesIO(patched.pdf.read_bytes())).pages) > 2
    for output in (patched.pdf, patched.epub):
        assert output.read_bytes() == (plain / output.name).read_bytes(), output.name


def test_a_parallel_build_with_every_patch_off_is_the_same_book(editions, tmp_path):
    """Without `whole-fonts`, each chunk embeds its own subsets of the fonts, which the
    join cannot merge: a larger file, with the same pages, text and EPUB."""
    edition = editions / "sample.toml"
    patched = build_edition(edition, tmp_path / "patched", "--jobs", "2", "--no-cache")
    plain = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-c", EDITION, "build", str(edition), "--out",
                             str(plain), "--jobs", "2", "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "EDITION_PATCHES": "0"})
    assert result.returncode == 0, result.stderr
    ours, theirs = (PdfReader(path / "sample.pdf") for path in (patched.folder, plain))
    assert [p.extract_text() for p in ours.pages] == [p.extract_text() for p in theirs.pages]
    assert [p.mediabox for p in ours.pages] == [p.mediabox for p in theirs.pages]
    assert (plain / "sample.pdf").stat().st_size > patched.pdf.stat().st_size
    assert (plain / "sample.epub").read_bytes() == patched.epub.read_bytes()


PAGES = """<html><head><style>
@page { size: A6; margin: 20mm; @top-center { content: "any " counter(page) } }
@page :first { @top-center { content: "first" } }
@page :left { @bottom-center { content: "left" } }
@page :right { @bottom-center { content: "right" } }
@page annex { @top-center { content: "annex " counter(page) } }
.annex { page: annex }
p { break-after: page }
</style></head><body>
<p>one</p><p>two</p><p>three</p><p>four</p><p class="annex">five</p><p>six</p>
</body></html>"""


def heads(html: str) -> list[str]:
    """Each page's words, in alphabetical order."""
    from builder.assets import StyleFiles
    from builder.writers.pdf import typeset

    pdf = typeset(html, StyleFiles("print"), (), "urn:test").pdf
    return [" ".join(sorted(page.extract_text().split()))
            for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pages_keep_the_styles_of_their_side_name_and_firstness():
    assert heads(PAGES) == [
        "first one right", "2 any left two", "3 any right three", "4 any four left",
        "5 annex five right", "6 any left six",
    ]


def test_a_page_selected_by_number_keeps_its_own_styles():
    numbered = PAGES.replace("@page :first", '@page :nth(2) { @top-center { content: "two" } }'
                                             "\n@page :first")
    assert heads(numbered)[:4] == [
        "first one right", "left two two", "3 any right three", "4 any four left",
    ]


@pytest.mark.parametrize(("switch", "on"), [
    (None, {"page-styles", "whole-fonts", "frame-stack"}),
    ("1", {"page-styles", "whole-fonts", "frame-stack"}),
    ("0", set()), ("off", set()),
    ("page-styles", {"page-styles"}),
    ("whole-fonts, frame-stack", {"whole-fonts", "frame-stack"}),
])
def test_the_switch_turns_patches_on_and_off_by_name(monkeypatch, switch, on):
    from builder import patches
    from builder.writers import internals

    if switch is None:
        monkeypatch.delenv("EDITION_PATCHES", raising=False)
    else:
        monkeypatch.setenv("EDITION_PATCHES", switch)
    assert {name for name in patches.PATCHES if internals.patched(name)} == on


def test_no_weasyprint_patch_is_applied_to_a_weasyprint_it_was_not_written_for(monkeypatch):
    from builder.writers import internals

    monkeypatch.delenv("EDITION_PATCHES", raising=False)
    monkeypatch.setattr(internals, "version", lambda package: "71.0")
    assert not internals.patched("page-styles") and not internals.patched("whole-fonts")
