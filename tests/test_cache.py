"""The build cache: cached builds equal cold ones, and nothing stale is ever served."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_edition


@pytest.fixture()
def tree(tmp_path):
    """A copy of the program and the sample edition, so templates and styles can change."""
    for name in ("builder", "templates", "styles", "editions"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "_data"))
    return tmp_path


def build(tree: Path, out: str, *extra: str):
    result = run_edition("build", "editions/sample.toml", "--out", out, *extra, cwd=tree)
    assert result.returncode == 0, result.stderr
    return result


def outputs(tree: Path, out: str) -> dict[str, bytes]:
    return {n: (tree / out / f"sample.{n}").read_bytes() for n in ("epub", "pdf")}


def chunk_files(tree: Path, out: str) -> dict[str, int]:
    folder = tree / out / ".edition-cache" / "chunks"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}


def test_chunked_builds_are_reproducible(tree):
    build(tree, "one", "--no-cache", "--jobs", "2")
    build(tree, "two", "--no-cache", "--jobs", "2")
    assert outputs(tree, "one") == outputs(tree, "two")


def test_cached_builds_are_byte_identical_to_cold_ones(tree):
    build(tree, "cached")
    first = chunk_files(tree, "cached")
    assert len(first) >= 3  # the front, two groups of articles, the running heads
    article = tree / "editions" / "sample" / "opinion" / "quay-wall.txt"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "Too much depends on the quay", "So much depends on the quay"), encoding="utf-8")
    result = build(tree, "cached")
    assert "wrote" in result.stdout
    build(tree, "cold", "--no-cache")
    assert outputs(tree, "cached") == outputs(tree, "cold")
    assert not (tree / "cold" / ".edition-cache").exists()
    second = chunk_files(tree, "cached")
    kept = {name for name in first if first[name] == second.get(name)}
    assert len(kept) >= 1, "the unchanged group of articles was typeset again"
    assert len(second) == len(first), "entries no longer used are pruned"


def test_nothing_changed_means_no_work(tree):
    build(tree, "o")
    before = {p: p.stat().st_mtime_ns for p in (tree / "o").glob("sample.*")}
    result = build(tree, "o")
    assert result.stdout.count("up to date:") == 2
    assert {p: p.stat().st_mtime_ns for p in (tree / "o").glob("sample.*")} == before


def _edit_image(tree):
    from PIL import Image

    Image.new("RGB", (64, 32), (10, 200, 10)).save(
        tree / "editions" / "sample" / "images" / "water-levels.png")


def _edit(path: str, old: str, new: str):
    def change(tree):
        file = tree / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new), encoding="utf-8")
    return change


@pytest.mark.parametrize("change", [
    _edit("editions/sample/environment/seagrass.md", "Seagrass returns", "Eelgrass returns"),
    _edit_image,
    _edit("templates/article.html", '<h1 class="title">{{ article.title }}</h1>',
          '<h1 class="title">{{ article.title }} /</h1>'),
    _edit("styles/print.css", "font-size: 22pt", "font-size: 24pt"),
    _edit("styles/base.css", "color: #8a1c1c", "color: #1c1c8a"),
    _edit("editions/sample.toml", 'subtitle = "News from the quay"',
          'subtitle = "News from the harbour wall"'),
], ids=["article", "image", "template", "print style", "shared style", "edition file"])
def test_a_change_is_never_served_stale(tree, change):
    build(tree, "cached")
    before = outputs(tree, "cached")["pdf"]
    change(tree)
    build(tree, "cached")
    build(tree, "cold", "--no-cache")
    assert outputs(tree, "cached") == outputs(tree, "cold")
    assert outputs(tree, "cached")["pdf"] != before, "the change did not reach the PDF"


@pytest.mark.parametrize("damage", ["truncate", "garble", "bad record", "no record"])
def test_a_damaged_cache_entry_is_typeset_again(tree, damage):
    build(tree, "cached")
    cold = outputs(tree, "cached")
    folder = tree / "cached" / ".edition-cache" / "chunks"
    pdf = max(folder.glob("*.pdf"), key=lambda p: p.stat().st_size)
    record = pdf.with_suffix(".json")
    if damage == "truncate":
        pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    elif damage == "garble":
        data = bytearray(pdf.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pdf.write_bytes(bytes(data))
    elif damage == "bad record":
        record.write_text('{"pages": [', encoding="utf-8")
    else:
        record.unlink()
    (tree / "editions" / "sample.toml").write_text(  # (not up to date: the parts are used)
        (tree / "editions" / "sample.toml").read_text(encoding="utf-8") + "\n",
        encoding="utf-8")
    result = build(tree, "cached", "--verbose")
    if damage != "no record":  # (else it may be one another build is writing)
        assert "a damaged entry" in result.stdout + result.stderr
    assert outputs(tree, "cached") == cold
    assert pdf.is_file() and record.is_file(), "the entry was made again"
