"""Broken and pathological input: one clear message and exit 1, or a build that finishes;
never a traceback, never a half-written output, never lost work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pdfplumber
import pytest
from PIL import Image

from conftest import GOOD, ROOT, assert_fails, build_edition, run_edition, write_edition


def test_corrupt_image(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\n![A map](map.png)\n")
    (tmp_path / "src" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    assert_fails(tmp_path, edition, "a.md: image 'map.png' is not a readable image")


def test_image_whose_name_lies_about_its_type(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\n![A map](map.png)\n")
    Image.new("RGB", (4, 4)).save(tmp_path / "src" / "map.png", "JPEG")
    assert_fails(tmp_path, edition, "image 'map.png' is named as PNG but is really JPEG")


def test_decompression_bomb(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\n![A bomb](bomb.png)\n")
    Image.new("1", (20000, 20000)).save(tmp_path / "src" / "bomb.png", optimize=True)
    assert (tmp_path / "src" / "bomb.png").stat().st_size < 200_000
    assert_fails(tmp_path, edition, "image 'bomb.png' has too many pixels")
    Image.new("1", (8000, 8000)).save(tmp_path / "src" / "bomb.png", optimize=True)
    assert_fails(tmp_path, edition, "image 'bomb.png' has too many pixels (8000x8000); the limit "
               "is 40 megapixels")


def test_special_file_as_image_is_refused_not_waited_for(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\n![A pipe](pipe.png)\n")
    os.mkfifo(tmp_path / "src" / "pipe.png")
    assert_fails(tmp_path, edition, "image 'pipe.png' is not a regular file")


def test_unwritable_output_folder(tmp_path):
    edition = write_edition(tmp_path / "src")
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run_edition("build", str(edition), "--out", str(tmp_path / "file" / "out"))
    assert result.returncode == 1
    assert "cannot create the output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_turns_warnings_into_errors(tmp_path):
    edition = write_edition(tmp_path / "src", article="---\ntitle: A\nmood: odd\n---\n\nText.\n")
    result = assert_fails(tmp_path, edition, "--strict turns warnings into errors", "--strict")
    assert "unknown metadata key 'mood'" in result.stderr
    relaxed = run_edition("build", str(edition), "--out", str(tmp_path / "o2"))
    assert relaxed.returncode == 0 and "warning:" in relaxed.stderr


def test_same_article_twice_through_glob_and_path(tmp_path):
    toml = GOOD.replace('["a.md"]', '["a.md"]\n[[sections]]\ntitle = "Again"\n'
                        'articles = ["./a.md"]')
    edition = write_edition(tmp_path / "src", toml)
    assert_fails(tmp_path, edition, "a.md is listed twice (lines 8 and 11)")


def test_article_outside_the_edition_folder(tmp_path):
    edition = write_edition(tmp_path / "src", GOOD.replace('"a.md"', '"../outside.md"'))
    (tmp_path / "outside.md").write_text("# Out\n\nText.\n", encoding="utf-8")
    assert_fails(tmp_path, edition, "is outside the edition's folder")


def test_a_source_file_is_never_touched(tmp_path):
    edition = write_edition(tmp_path / "src")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "src").iterdir()}
    assert run_edition("build", str(edition), "--out", str(tmp_path / "src")).returncode == 0
    for path, (data, mtime) in before.items():
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


# Runs the command it is given with the signals as a shell leaves them, not as this test
# process may hold them: a SIGINT ignored or blocked here would be so in the build too.
AS_FROM_A_SHELL = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                   "signal.signal(signal.SIGTERM, signal.SIG_DFL); "
                   "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM}); "
                   "os.execv(sys.argv[1], sys.argv[1:])")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_build_keeps_previous_outputs(corpus_edition, tmp_path, sig):
    out = tmp_path / "out"
    out.mkdir()
    previous = {"edition.epub": b"earlier epub", "edition.pdf": b"earlier pdf"}
    for name, data in previous.items():
        (out / name).write_bytes(data)
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_SHELL, sys.executable, "-m", "builder.cli", "build",
         str(corpus_edition), "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Well into the build of 50 articles (its first typeset chunk is in the cache), long
    # before anything is written.
    chunks = out / ".edition-cache" / "chunks"
    deadline = time.monotonic() + 60
    while not (chunks.is_dir() and any(chunks.glob("*.pdf"))) and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the build ended before it could be interrupted"
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    # Only the outputs as they were, and the cache (which may have kept finished chunks);
    # no temporary file is left behind.
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == previous
    assert {p.name for p in out.iterdir() if p.is_dir()} <= {".edition-cache"}
    assert not [p for p in out.rglob("*.tmp")]


# Pathological input: refused quickly with a message, or built. No timing assertions:
# bench/ measures speed; these prove the build ends and the page holds.

def test_five_megabyte_paragraph_is_refused(tmp_path):
    edition = write_edition(tmp_path / "src", article="---\ntitle: Big\n---\n\n"
                            + "harbour tide " * 420_000)
    assert_fails(tmp_path, edition, "a.md: the article is 5.2 MB; the limit is 2 MB")


def test_lists_nested_200_deep_are_refused(tmp_path):
    nested = "".join("    " * i + f"- level {i}\n" for i in range(200))
    edition = write_edition(tmp_path / "src", article=f"---\ntitle: Deep\n---\n\n{nested}")
    assert_fails(tmp_path, edition, "a.md: the article nests elements")


def test_hundred_thousand_character_title_is_refused(tmp_path):
    edition = write_edition(tmp_path / "src",
                            article="---\ntitle: " + "T" * 100_000 + "\n---\n\nBody.\n")
    assert_fails(tmp_path, edition, "a.md:2: 'title' is 100000 characters long; the limit is 500")


def chars_outside_page(pdf_path) -> list[str]:
    outside = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["x0"] < -0.5 or char["x1"] > page.width + 0.5 or \
                        char["top"] < -0.5 or char["bottom"] > page.height + 0.5:
                    outside.append(f"page {page.page_number}: {char['text']!r}")
    return outside


def test_unbreakable_500_character_words_stay_on_the_page(tmp_path):
    word = "x" * 500
    article = (f"---\ntitle: Word {'y' * 480}\n---\n\nStart {word} end.\n\n"
               f"| a | b |\n|---|---|\n| {'z' * 500} | w |\n\n"
               f"See https://example.org/{'p' * 480}\n")
    edition = write_edition(tmp_path / "src", article=article)
    built = build_edition(edition, tmp_path / "o")
    assert chars_outside_page(built.pdf) == []


def test_table_of_ten_thousand_rows_builds(tmp_path):
    rows = "".join(f"| row {i} | {i * 7} | harbour |\n" for i in range(10_000))
    article = f"---\ntitle: Table\n---\n\n| a | b | c |\n|---|---:|---|\n{rows}"
    edition = write_edition(tmp_path / "src", article=article)
    built = build_edition(edition, tmp_path / "o", "--format", "pdf")
    with pdfplumber.open(built.pdf) as pdf:
        assert len(pdf.pages) > 100
        assert "row 9999 69993 harbour" in pdf.pages[-1].extract_text()
        for page in (pdf.pages[10], pdf.pages[-1]):  # the header row repeats on every page
            assert page.extract_text().splitlines()[1] == "a b c"
