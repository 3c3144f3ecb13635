"""`edition check`: each planted problem is found with its stable code, file and line."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from PIL import Image

from conftest import FIXTURES, ROOT, run_edition

EDITION = """\
title = "Check Weekly"
issue = 3
date = 2026-11-21
language = "en"

[[sections]]
title = "News"
articles = ["good.md", "problems.md", "furniture.txt", "latin1.md"]
"""

GOOD_ARTICLE = """\
---
title: A fine article
summary: Nothing wrong here.
---

Text with an ![old map](small.png) image.
"""

PROBLEMS = """\
---
title: Everything wrong
colour: blue
---

First paragraph with a [jump](#nowhere) and a [file](file:///etc/passwd) link.

![](small.png)

![A poster](huge.png)
"""

FURNITURE = """\
A real paragraph of text for the article, long enough to be an article.

Sign up to our free newsletters
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    (folder / "e.toml").write_text(EDITION, encoding="utf-8")
    (folder / "good.md").write_text(GOOD_ARTICLE, encoding="utf-8")
    (folder / "problems.md").write_text(PROBLEMS, encoding="utf-8")
    (folder / "furniture.txt").write_text(FURNITURE, encoding="utf-8")
    (folder / "latin1.md").write_bytes("# Caf\xe9\n\nText.\n".encode("latin-1"))
    Image.new("RGB", (40, 30), "navy").save(folder / "small.png")
    Image.new("1", (4200, 8)).save(folder / "huge.png")  # wide, but a tiny file
    return folder


def findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def test_every_planted_problem_is_found_with_its_code_file_and_line(planted):
    result = run_edition("check", "e.toml", "--format", "json", cwd=planted)
    assert result.returncode == 1, result.stderr  # latin1.md is an error
    found = {(f["code"], f["file"], f["line"]) for f in findings(result)}
    expected = {
        ("unknown-key", "problems.md", 3),
        ("dead-link", "problems.md", 6),
        ("link-removed", "problems.md", 6),
        ("missing-alt", "problems.md", 8),
        ("oversized-image", "problems.md", 10),
        ("missing-summary", "problems.md", 2),
        ("missing-summary", "furniture.txt", None),
        ("furniture-removed", "furniture.txt", 3),
        ("article-invalid", "latin1.md", 1),
    }
    assert expected <= found, sorted(found - expected)
    # the good article has nothing to report, and nothing was built
    assert not [f for f in findings(result) if f["file"] == "good.md"]
    assert not (planted / "out").exists()


def test_text_output_names_file_line_severity_and_code(planted):
    result = run_edition("check", "e.toml", cwd=planted)
    assert result.returncode == 1
    assert "problems.md:3: warning: unknown metadata key 'colour'" in result.stdout
    assert "[unknown-key]" in result.stdout
    assert "latin1.md:1: error: the file is not UTF-8" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("e.toml: 1 error(s), ")
    assert "Traceback" not in result.stderr


def test_warnings_alone_pass_unless_strict(tmp_path):
    shutil.copytree(FIXTURES / "kinds", tmp_path / "kinds")
    edition = tmp_path / "kinds" / "edition.toml"
    result = run_edition("check", str(edition), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["ok"] and data["counts"]["error"] == 0 and data["counts"]["warning"] > 0
    strict = run_edition("check", str(edition), "--strict", cwd=tmp_path)
    assert strict.returncode == 1


def test_every_error_in_an_edition_file_is_reported_at_once_with_its_line(tmp_path):
    (tmp_path / "e.toml").write_text(textwrap.dedent(EDITION).replace("issue", "isue")
                                     .replace('"en"', '"en"\ntheme = "clasic"'))
    (tmp_path / "good.md").write_text(GOOD_ARTICLE)
    result = run_edition("check", "e.toml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    found = [(f["code"], f["file"], f["line"], f["message"]) for f in findings(result)]
    assert [f[:3] for f in found] == [("edition-invalid", "e.toml", 2),
                                      ("edition-invalid", "e.toml", 5)] + \
        [("edition-invalid", "e.toml", 9)] * 3  # the three missing articles
    assert "did you mean 'issue'" in found[0][3]
    assert "did you mean 'classic'" in found[1][3]
    assert {m.split("'")[1] for *_, m in found[2:]} == {"problems.md", "furniture.txt",
                                                        "latin1.md"}
    built = run_edition("build", "e.toml", cwd=tmp_path)
    assert built.returncode == 1 and built.stderr.count("error: ") == 5


def test_epubcheck_runs_on_the_last_build(tmp_path):
    shutil.copytree(ROOT / "editions", tmp_path / "editions")
    edition = tmp_path / "editions" / "sample.toml"
    before = run_edition("check", str(edition), "--format", "json", cwd=tmp_path)
    assert "no-build" in {f["code"] for f in findings(before)}
    built = run_edition("build", str(edition), "--format", "epub", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    passed = run_edition("check", str(edition), "--format", "json", cwd=tmp_path)
    assert passed.returncode == 0
    assert "epubcheck-passed" in {f["code"] for f in findings(passed)}
    # a damaged EPUB: EPUBCheck's own codes come through as errors
    epub = tmp_path / "out" / "sample.epub"
    epub.write_bytes(epub.read_bytes()[:len(epub.read_bytes()) // 2])
    damaged = run_edition("check", str(edition), "--format", "json", cwd=tmp_path)
    assert damaged.returncode == 1
    codes = {f["code"] for f in findings(damaged) if f["severity"] == "error"}
    assert codes and all(code.startswith("epubcheck-") for code in codes), codes


def test_the_house_style_is_checked_as_a_build_would(tmp_path):
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "e.toml").write_text(EDITION.replace(
        '"good.md", "problems.md", "furniture.txt", "latin1.md"', '"good.md"'))
    (folder / "good.md").write_text(GOOD_ARTICLE)
    Image.new("RGB", (40, 30), "navy").save(folder / "small.png")
    assert run_edition("check", "e.toml", "--strict", cwd=folder).returncode == 0
    (folder / "templates").mkdir()
    (folder / "templates" / "article.html").write_text("<p>{{ article.titel }}</p>\n")
    result = run_edition("check", "e.toml", "--format", "json", cwd=folder)
    assert result.returncode == 1
    [error] = [f for f in findings(result) if f["severity"] == "error"]
    assert (error["code"], error["file"], error["line"]) == \
        ("house-style-invalid", "templates/article.html", 1)
    (folder / "templates" / "article.html").unlink()
    (folder / "styles" / "fonts").mkdir(parents=True)
    (folder / "styles" / "fonts" / "Quay.otf").write_text("not a font")
    result = run_edition("check", "e.toml", cwd=folder)
    assert result.returncode == 1
    assert "styles/fonts/Quay.otf: error: this is not a TrueType" in result.stdout


def test_strict_fails_where_build_strict_fails_and_no_more(tmp_path):
    """A missing summary is advice: `build --strict` builds, so `check --strict` passes."""
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "e.toml").write_text(EDITION.replace(
        '"good.md", "problems.md", "furniture.txt", "latin1.md"', '"plain.md"'))
    (folder / "plain.md").write_text("---\ntitle: No summary\n---\n\nText.\n")
    checked = run_edition("check", "e.toml", "--strict", "--format", "json", cwd=folder)
    assert checked.returncode == 0, checked.stdout
    assert [(f["code"], f["build"]) for f in findings(checked) if f["severity"] == "warning"] \
        == [("missing-summary", False)]
    built = run_edition("build", "e.toml", "--strict", "--format", "epub", cwd=folder)
    assert built.returncode == 0, built.stderr


def test_a_broken_house_navigation_template_is_found_by_check_and_stops_a_build(tmp_path):
    (tmp_path / "e.toml").write_text(textwrap.dedent(EDITION).replace(
        '"problems.md", "furniture.txt", "latin1.md"', ""))
    (tmp_path / "good.md").write_text("---\ntitle: Fine\nsummary: Fine.\n---\n\nText.\n")
    (tmp_path / "templates" / "epub").mkdir(parents=True)
    (tmp_path / "templates" / "epub" / "nav.xhtml").write_text("{% if %}broken\n")
    checked = run_edition("check", "e.toml", "--format", "json", cwd=tmp_path)
    assert checked.returncode == 1
    assert [f["code"] for f in findings(checked) if f["severity"] == "error"] == \
        ["house-style-invalid"]
    built = run_edition("build", "e.toml", "--out", "out", cwd=tmp_path)
    assert built.returncode == 1 and "template error" in built.stderr
    assert "unexpectedly" not in built.stderr and not (tmp_path / "out" / "e.epub").exists()


def test_edition_file_mistakes_are_all_reported_and_none_crashes(tmp_path):
    (tmp_path / "good.md").write_text("---\ntitle: Fine\nsummary: Fine.\n---\n\nText.\n")
    (tmp_path / "e.toml").write_text(textwrap.dedent("""\
        title = "T"
        date = 2026-11-21
        language = "en"

        [[sections]]
        colour = "red"
        articles = ["missing.md", { path = 5 }, "good.md"]
        """))
    result = run_edition("build", "e.toml", cwd=tmp_path)
    assert result.returncode == 1 and "unexpectedly" not in result.stderr
    for expected in ("unknown key 'colour'", "needs a 'title'", "'missing.md' not found",
                     "needs a 'path' key, a file's path as text, not 5"):
        assert expected in result.stderr, expected


def test_an_empty_identifier_is_made_from_title_issue_and_date(tmp_path):
    text = textwrap.dedent(EDITION).replace('"problems.md", "furniture.txt", "latin1.md"', "")
    (tmp_path / "e.toml").write_text(text.replace('language = "en"',
                                                  'language = "en"\nidentifier = ""'))
    (tmp_path / "good.md").write_text("---\ntitle: Fine\nsummary: Fine.\n---\n\nText.\n")
    from builder.edition import load_edition

    assert load_edition(tmp_path / "e.toml").settings.identifier.startswith("urn:uuid:")
