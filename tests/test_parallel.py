"""Work done by worker processes gives what the same work done in order gives: articles
read in parallel (their numbers, warnings and first error), and the EPUB made beside
the PDF's join (its cover is the joined PDF's first page)."""

from __future__ import annotations

import io
import shutil
import zipfile

import pikepdf
import pytest

from builder import workers
from builder.assemble import assemble
from builder.cover import printed_cover
from builder.edition import load_edition
from builder.errors import BuildError, Report
from conftest import FIXTURES, build_edition


def read(path, pool=None):
    report = Report(stream=io.StringIO())
    try:
        edition = assemble(load_edition(path), report, pool)
    except BuildError as error:
        return error, report
    return edition, report


@pytest.fixture(scope="module")
def pool():
    with workers.pool(2) as made:
        yield made


def mixed_edition(folder):
    """Files and feeds mixed (a feed's articles shift the numbers of what follows),
    with warnings from several articles."""
    shutil.copytree(FIXTURES / "feeds", folder / "feeds")
    shutil.copytree(FIXTURES / "kinds", folder / "kinds")
    (folder / "e.toml").write_text(
        'title = "T"\ndate = 2026-01-01\nlanguage = "en"\n'
        '[[sections]]\ntitle = "A"\narticles = ["kinds/*.md", { feed = "feeds/wire/atom.xml" },'
        ' "kinds/plain.txt", { feed = "feeds/rss.xml", limit = 2 }, "feeds/local.md"]\n'
        '[[sections]]\ntitle = "B"\narticles = ["kinds/wire/*"]\n',
        encoding="utf-8")
    return folder / "e.toml"


def test_parallel_reading_equals_reading_in_order(tmp_path, pool):
    edition = mixed_edition(tmp_path)
    alone, alone_report = read(edition)
    parallel, parallel_report = read(edition, pool)
    assert not isinstance(alone, BuildError), alone
    assert len(alone.articles) > 8
    assert [a.id for a in parallel.articles] == [f"a{n:03d}" for n in
                                                range(1, len(alone.articles) + 1)]
    assert parallel == alone
    assert parallel_report.warnings == alone_report.warnings
    assert len(alone_report.warnings) >= 2
    assert parallel_report.stream.getvalue() == alone_report.stream.getvalue()


def test_first_error_and_the_warnings_before_it(tmp_path, pool):
    edition = mixed_edition(tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n",
                                               encoding="utf-8")
    (tmp_path / "bad" / "empty.md").write_text("   \n", encoding="utf-8")
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text.replace('"kinds/plain.txt"', '"bad/broken.md", "bad/empty.md"'),
                       encoding="utf-8")
    alone, alone_report = read(edition)
    parallel, parallel_report = read(edition, pool)
    assert isinstance(alone, BuildError) and isinstance(parallel, BuildError)
    assert str(parallel) == str(alone)
    assert "broken.md" in str(parallel) and parallel.line == alone.line == 2
    assert parallel_report.warnings == alone_report.warnings
    assert alone_report.warnings  # the articles before the broken one warned


def cover_of(epub) -> bytes:
    with zipfile.ZipFile(epub) as book:
        return book.read("EPUB/images/cover.png")


@pytest.mark.parametrize("keys", ["", 'bleed = "3mm"\ncrop_marks = true\npdf_variant = "pdf/x-4"'])
def test_epub_made_beside_the_join_shows_the_joined_cover(corpus_edition, tmp_path, keys):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_edition.parent, folder)
    edition = folder / corpus_edition.name
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text.replace("[[sections]]", f"{keys}\n[[sections]]", 1),
                       encoding="utf-8")
    built = build_edition(edition, tmp_path / "out", "--jobs", "2", "--no-cache")
    assert cover_of(built.epub) == printed_cover(built.pdf).data
    with pikepdf.open(built.pdf) as pdf:  # each chunk's copy of a profile merged in one
        profiles = [obj.read_raw_bytes() for obj in pdf.objects
                    if isinstance(obj, pikepdf.Stream) and obj.get("/N") in (3, 4)
                    and "/Subtype" not in obj]
    assert len(profiles) == len(set(profiles)) == (2 if keys else 0)


class Probed(Exception):
    """Raised by the stand-in for the rendering step, once it has looked at the pool."""


def test_typesetting_workers_are_forked_once_weasyprint_is_loaded(tmp_path, monkeypatch):
    """The workers that typeset are forked after the warm-up has run in this process
    (beside the reading), so they start with what it loaded."""
    import os

    import builder.build as build_module

    def warm_up(language):  # stands in for loading WeasyPrint: leaves a mark to inherit
        monkeypatch.setenv("EDITION_TEST_WARMED", language)

    def probe(edition, formats, report, jobs, cache, pool):
        raise Probed(pool.apply(os.getenv, ("EDITION_TEST_WARMED",)))

    monkeypatch.delenv("EDITION_TEST_WARMED", raising=False)
    monkeypatch.setattr(build_module, "warm_up", warm_up)
    monkeypatch.setattr(build_module, "render_outputs", probe)
    with pytest.raises(Probed) as seen:
        build_module.build(mixed_edition(tmp_path), tmp_path / "out", ("pdf",),
                           Report(stream=io.StringIO()), jobs=2, use_cache=False)
    assert seen.value.args == ("en",)


def test_warm_up_loads_weasyprint_and_the_hyphenation_dictionary():
    import subprocess
    import sys

    script = ("import sys, pyphen\nfrom builder.writers.pdf import warm_up\n"
              "assert 'weasyprint' not in sys.modules\nwarm_up('de')\n"
              "print('weasyprint' in sys.modules, sorted(p.name for p in pyphen.hdcache))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded, dictionaries = result.stdout.split(" ", 1)
    assert loaded == "True"
    assert "hyph_de" in dictionaries


def _objects_seen_by_the_collector(_) -> int:
    import gc

    return len(gc.get_objects())


def test_workers_collector_skips_what_they_inherit():
    """A worker collects its garbage after each chunk; what it inherited from the build
    (WeasyPrint, the edition) stays out of those collections, and the build's own
    collector is left as it was."""
    import gc

    inherited = [[n] for n in range(200_000)]
    with workers.pool(2) as made:
        seen = made.map(_objects_seen_by_the_collector, range(2))
    assert gc.get_freeze_count() == 0
    assert max(seen) < 50_000 < len(gc.get_objects())
    assert inherited


def _sleep() -> None:
    import time

    time.sleep(60)


def test_a_stuck_pool_is_stopped_without_killing_other_children():
    """When a pool cannot be terminated, its own workers are killed, and only those: a
    process started by something else in the same program lives on."""
    import multiprocessing
    import threading

    context = multiprocessing.get_context("fork")
    other, own = context.Process(target=_sleep), context.Process(target=_sleep)
    other.start()
    own.start()
    stuck = threading.Event()

    class Stuck:
        def terminate(self):
            stuck.wait(10)  # as terminate() waiting on a lock a dead worker held

    try:
        workers.abandon(Stuck(), {own})
        own.join(timeout=5)
        assert not own.is_alive() and own.exitcode == -9
        assert other.is_alive()
    finally:
        stuck.set()
        for process in (other, own):
            process.kill()
            process.join()
