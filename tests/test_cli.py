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
    "listed twice": (GOOD.replace('["a.md"]', '["a.md", "*.md"]'), "is listed twice"),
    "bad page size": (GOOD.replace("issue = 1", 'page_size = "B7"'),
                      "e.toml:2: page_size must be A4, A5, letter"),
    "bad language": (GOOD.replace('language = "en"', 'language = "english language"'),
                     "e.toml:4: 'language' must be a BCP 47 language tag"),
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
