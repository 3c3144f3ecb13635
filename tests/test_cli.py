"""The `edition` command as a user meets it: outputs, exit codes and error messages."""

from __future__ import annotations

import hashlib
import os

import pytest

from conftest import GOOD, assert_fails, run_edition, write_edition


def test_no_argument_builds_the_sample_into_out(tmp_path):
    result = run_edition("build", "--out", str(tmp_path / "o"), "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "sample.epub").stat().st_size > 10_000
    assert not (tmp_path / "o" / "sample.pdf").exists()
    assert "wrote" in result.stdout


def test_default_output_folder_is_out(tmp_path):
    edition = write_edition(tmp_path / "src")
    result = run_edition("build", str(edition), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "e.pdf").read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "out" / "e.epub").exists()


def test_builds_are_byte_identical(tmp_path):
    edition = write_edition(tmp_path / "src")
    digests = []
    for run in ("one", "two"):
        result = run_edition("build", str(edition), "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
        digests.append({name: hashlib.sha256((tmp_path / run / name).read_bytes()).hexdigest()
                        for name in ("e.epub", "e.pdf")})
    assert digests[0] == digests[1]


def test_source_date_epoch_sets_the_modification_date(tmp_path):
    import zipfile

    edition = write_edition(tmp_path / "src")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
    result = run_edition("build", str(edition), "--out", str(tmp_path / "o"),
                         "--format", "epub", env=env)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "o" / "e.epub") as z:
        assert b"<meta property=\"dcterms:modified\">2026-01-01T00:00:00Z</meta>" in \
            z.read("EPUB/content.opf")


BROKEN = {
    "missing required key": (GOOD.replace('language = "en"\n', ""), "e.toml: missing "
                             "required key 'language'"),
    "toml syntax": (GOOD.replace('issue = 1', 'issue = = 1'), "e.toml:2: TOML syntax error"),
    "unknown key": (GOOD.replace("issue = 1", "isue = 1"),
                    "e.toml:2: unknown key 'isue' (did you mean 'issue'?)"),
    "wrong type": (GOOD.replace("issue = 1", 'issue = "one"'),
                   "e.toml:2: 'issue' must be an integer"),
    "invalid date": (GOOD.replace("date = 2026-11-21", 'date = "21/11/2026"'),
                     "e.toml:3: 'date' must be a date (YYYY-MM-DD)"),
    "missing article": (GOOD.replace('"a.md"', '"gone.md"'),
                        "e.toml:8: article 'gone.md' not found"),
    "glob matches nothing": (GOOD.replace('"a.md"', '"wire/*.txt"'),
                             "e.toml:8: no article matches 'wire/*.txt'"),
    "listed twice": (GOOD.replace('["a.md"]', '["a.md", "./a.md"]'), "is listed twice"),
    "bad page size": (GOOD.replace("issue = 1", 'page_size = "B7"'),
                      "e.toml:2: page_size must be A4, A5, letter"),
    "bad language": (GOOD.replace('language = "en"', 'language = "english language"'),
                     "e.toml:4: 'language' must be a BCP 47 language tag"),
    "bad pdf variant": (GOOD.replace("issue = 1", 'pdf_variant = "pdf/x-9"'),
                        "e.toml:2: pdf_variant must be one of pdf/x-4, pdf/x-3, pdf/a-3b, "
                        "pdf/ua-1, not 'pdf/x-9'"),
    "bad bleed": (GOOD.replace("issue = 1", 'bleed = "3 furlongs"'),
                  "e.toml:2: bleed must be a length from 0 to 20 mm"),
    "bleed too wide": (GOOD.replace("issue = 1", 'bleed = "3cm"'),
                       "e.toml:2: bleed must be a length from 0 to 20 mm"),
    "bad layout": (GOOD.replace("issue = 1", 'layout = "magazin"'),
                   "e.toml:2: layout must be one of book, magazine, not 'magazin' "
                   "(did you mean 'magazine'?)"),
    "bad theme": (GOOD.replace("issue = 1", 'theme = "gothic"'),
                  "e.toml:2: theme must be one of classic, magazine"),
    "crop marks not a boolean": (GOOD.replace("issue = 1", 'crop_marks = "yes"'),
                                 "e.toml:2: 'crop_marks' must be true or false"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_edition_file_gives_one_clear_error(tmp_path, case):
    toml, expected = BROKEN[case]
    edition = write_edition(tmp_path / "src", toml)
    result = assert_fails(tmp_path, edition, expected)
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("article, expected", [
    ("---\ntitle: [unclosed\n---\n\nText.\n", "a.md:2: malformed YAML front matter"),
    ("---\ntitle: A\n\nText with no end to the front matter.\n", "a.md:1: front matter"),
    ("", "a.md: the article is empty"),
    ("---\ntitle: A\ndate: someday\n---\n\nText.\n", "a.md:3: 'date' must be a date"),
    ("---\ntitle: A\nlang: not a language\n---\n\nText.\n", "a.md:3: 'lang' must be"),
])
def test_bad_article_gives_one_clear_error(tmp_path, article, expected):
    edition = write_edition(tmp_path / "src", article=article)
    assert_fails(tmp_path, edition, expected)


def test_article_not_utf8(tmp_path):
    edition = write_edition(tmp_path / "src")
    latin1 = "---\ntitle: Café\n---\n\nÀ bientôt\n".encode("latin-1")
    (tmp_path / "src" / "a.md").write_bytes(latin1)
    assert_fails(tmp_path, edition, "a.md:2: the file is not UTF-8")


def test_missing_edition_file(tmp_path):
    result = run_edition("build", "nowhere.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: nowhere.toml: edition file not found"


def test_failed_build_leaves_previous_outputs_untouched(tmp_path):
    edition = write_edition(tmp_path / "src")
    out = tmp_path / "o"
    assert run_edition("build", str(edition), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert set(before) == {"e.epub", "e.pdf"}
    (tmp_path / "src" / "a.md").write_text("---\ntitle: [broken\n---\n\nx\n", encoding="utf-8")
    result = run_edition("build", str(edition), "--out", str(out))
    assert result.returncode == 1
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_missing_image_is_an_error_naming_the_article(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\n![A map](map.png)\n")
    assert_fails(tmp_path, edition, "a.md: image 'map.png' not found")


def test_help_lists_the_build_command():
    result = run_edition("build", "--help")
    assert result.returncode == 0
    for option in ("--out DIR", "--format", "--strict", "--jobs N", "--no-cache", "edition"):
        assert option in result.stdout


def test_summary_names_outputs_sizes_pages_and_time(tmp_path):
    edition = write_edition(tmp_path / "src")
    result = run_edition("build", str(edition), "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("wrote ") and lines[0].endswith(" KB)"), lines
    assert lines[1].startswith("wrote ") and "e.pdf" in lines[1]
    assert lines[1].endswith(" pages)"), lines
    assert lines[2].startswith("built ") and lines[2].endswith(" s"), lines
    # not a terminal: no progress line drawn on stderr
    assert "\r" not in result.stderr and "reading articles" not in result.stderr
    again = run_edition("build", str(edition), "--out", str(tmp_path / "o"))
    assert again.stdout.splitlines()[1] == lines[1].replace("wrote ", "up to date: ")


def test_quiet_prints_only_warnings_and_verbose_says_more(tmp_path):
    edition = write_edition(tmp_path / "src", article="# T\n\nText\n\n![](x.png)\n")
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / "src" / "x.png")
    quiet = run_edition("build", str(edition), "--out", str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "has no alt text" in quiet.stderr
    verbose = run_edition("build", str(edition), "--out", str(tmp_path / "v"), "-v",
                          "--no-cache")
    assert verbose.returncode == 0
    assert "read a.md" in verbose.stderr and "EPUB packaged" in verbose.stderr
    assert "wrote" in verbose.stdout
    both = run_edition("build", str(edition), "-q", "-v")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_progress_is_drawn_on_a_terminal(tmp_path):
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    edition = write_edition(tmp_path / "src")
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "builder.cli", "build", str(edition), "--out",
         str(tmp_path / "o"), "--jobs", "1"], cwd=ROOT, stderr=child,
        stdout=subprocess.PIPE, text=True)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the build ended and closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    stdout = process.communicate(timeout=300)[0]
    os.close(main)
    assert process.returncode == 0
    assert b"reading articles 1/1" in drawn and b"typesetting PDF 1/1" in drawn
    assert drawn.endswith(b"\r\x1b[K")  # the line is cleared before the summary
    assert "wrote" in stdout


def test_empty_sections_are_left_out_of_both_print_builds(tmp_path):
    """`edition new` writes sections with no articles: they must not add pages, and a
    one-piece and a parallel build must still agree."""
    from pypdf import PdfReader

    folder = tmp_path / "src"
    folder.mkdir()
    for n in range(5):
        (folder / f"a{n}.md").write_text(f"---\ntitle: Story {n}\n---\n\nText {n}.\n")
    (folder / "e.toml").write_text(GOOD.replace('issue = 1', 'issue = 1\nbleed = "0mm"')
                                   .replace('articles = ["a.md"]', 'articles = []')
                                   + '\n[[sections]]\ntitle = "Full"\narticles = ["a*.md"]\n'
                                   + '\n[[sections]]\ntitle = "Empty too"\narticles = []\n')
    texts = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = run_edition("build", str(folder / "e.toml"), "--out", str(out), "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        texts.append([page.extract_text().split() for page in PdfReader(out / "e.pdf").pages])
    assert texts[0] == texts[1]
    assert not any({"Empty", "News"} & set(words) for words in texts[0])
