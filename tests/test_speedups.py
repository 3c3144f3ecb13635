"""WeasyPrint spared repeated work (builder/writers/speedups.py): the same PDFs, byte for
byte, as WeasyPrint left alone; pages selected by number keep their own styles."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, build_edition

# The `edition` command with the speed-ups switched off: WeasyPrint as it comes.
UNPATCHED = ("import sys, builder.writers.speedups as s; s.install = lambda: None; "
             "from builder.cli import main; sys.exit(main(sys.argv[1:]))")

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
def test_the_pdf_is_byte_identical_to_weasyprint_left_alone(editions, tmp_path, name):
    source, keys, jobs = BUILDS[name]
    edition = editions / source
    text = edition.read_text(encoding="utf-8").replace("[[sections]]", keys + "[[sections]]", 1)
    edition = edition.with_name("speed-" + "-".join(name.replace(",", "").split()) + ".toml")
    edition.write_text(text, encoding="utf-8")
    patched = build_edition(edition, tmp_path / "patched", "--format", "pdf", "--jobs",
                            str(jobs), "--no-cache").pdf.read_bytes()
    plain = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-c", UNPATCHED, "build", str(edition), "--out",
                             str(plain), "--format", "pdf", "--jobs", str(jobs), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(io.BytesIO(patched)).pages) > 2
    assert patched == (plain / edition.with_suffix(".pdf").name).read_bytes()


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
    from builder.writers.pdf import typeset

    pdf = typeset(html, "print", (), "urn:test").pdf
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


def test_whether_a_box_is_in_the_normal_flow_is_answered_as_weasyprint_does(monkeypatch):
    """Asked during a real layout, of boxes of every kind of placement."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import Box

    from builder.writers import speedups

    speedups.install()
    patched = Box.is_in_normal_flow
    assert patched.__module__ == speedups.__name__
    asked = set()

    def checked(box):
        answer = patched(box)
        assert answer == (not (box.is_floated() or box.is_absolutely_positioned()
                               or box.is_running() or box.is_footnote() or box.is_note()))
        asked.add((box.style["float"], str(box.style["position"]), answer))
        return answer

    monkeypatch.setattr(Box, "is_in_normal_flow", checked)
    HTML(string="""<style>@page { @top-center { content: element(head) } }
    .head { position: running(head) } .side { float: left; width: 3em }
    .end { float: inline-end } .note { float: footnote } .pinned { position: fixed }
    .lifted { position: absolute; top: 0 } .moved { position: relative }</style>
    <p class="head">Head</p><p class="side">Side</p><p class="end">End</p>
    <ol><li>Listed<span class="note">Noted</span></li></ol>
    <p class="pinned">Pinned</p><p class="lifted">Lifted</p><p class="moved">Moved</p>
    """).render()
    floats = {f for f, _, answer in asked if not answer}
    positions = {p for _, p, answer in asked if not answer}
    assert {"left", "inline-end"} <= floats
    assert {"absolute", "fixed"} <= positions and any("running" in p for p in positions)
    assert ("none", "relative", True) in asked
