"""`edition preview`: serves the edition's pages and reloads them when a file changes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import GOOD, NS, ROOT, write_edition

CHROMIUM = Path("/usr/bin/chromium")
ARTICLE = "---\ntitle: Tide tables\nsummary: When the water comes.\n---\n\nHigh water at noon.\n"


@pytest.fixture
def preview(tmp_path):
    """A running `edition preview` on a free port; yields (url, edition file)."""
    edition = write_edition(tmp_path / "src", article=ARTICLE)
    process = subprocess.Popen(
        [sys.executable, "-m", "builder.cli", "preview", str(edition), "--port", "0"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert " at http://127.0.0.1:" in line, line + process.stderr.read()
    url = line.split(" at ")[1].split()[0]
    yield url, edition
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr
    assert process.returncode == 0  # Ctrl-C or SIGTERM is a normal way to stop


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def eventually(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def error_shown(page: str) -> str:
    """The message of the preview's error page, as the reader sees it ("" on any other)."""
    if "preview-error" not in page:
        return ""
    return lxml_html.fromstring(page).find_class("preview-error")[0].text_content()


def test_serves_the_epub_pages_and_only_them(preview):
    url, edition = preview
    status, contents = fetch(url)  # / leads to the contents
    assert status == 200 and "Tide tables" in contents and 'href="a001.xhtml"' in contents
    status, article = fetch(url + "a001.xhtml")
    assert status == 200 and "High water at noon." in article
    assert 'href="styles/screen.css"' in article and 'href="styles/epub.css"' in article
    assert fetch(url + "styles/screen.css")[0] == 200
    for outside in ("e.toml", "a.md", "../pyproject.toml", "%2e%2e/pyproject.toml"):
        assert fetch(url + outside)[0] == 404


def test_answers_only_to_this_machines_names(preview):
    url, _ = preview
    port = url.rstrip("/").rsplit(":", 1)[1]
    for host, expected in ((f"localhost:{port}", 200), (f"evil.example:{port}", 421)):
        request = urllib.request.Request(url + "contents.xhtml", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == expected, host


def test_bad_input_shows_the_error_and_recovers(preview):
    url, edition = preview
    good = edition.read_text()
    edition.write_text(good.replace("language", "langauge"))
    assert eventually(lambda: "unknown key 'langauge' (did you mean 'language'?)"
                      in error_shown(fetch(url + "a001.xhtml")[1]))
    edition.write_text(good)
    assert eventually(lambda: "High water at noon." in fetch(url + "a001.xhtml")[1])


def test_titles_and_errors_are_shown_as_text_not_markup(tmp_path):
    """The bar and the error page are filled by templates that escape what they are given:
    a title or an error holding markup is text there, and the page stays well-formed."""
    from builder.preview import Preview

    title = '<script>alert("title")</script> & Sons'
    edition = write_edition(tmp_path / "src", GOOD.replace('"Test Weekly"', f"'{title}'"),
                            ARTICLE)
    preview = Preview(edition)
    assert preview.refresh() is None
    status, kind, data = preview.page("/a001.xhtml")
    assert (status, kind) == (200, "application/xhtml+xml; charset=utf-8")
    page = etree.fromstring(data)  # XHTML: a stray `<` or `&` would not even parse
    bar = page.find(".//x:nav[@class='preview-bar']", NS)
    assert bar.findtext("x:span[@class='preview-title']", namespaces=NS) == title
    assert [(a.get("href"), a.text) for a in bar.iterfind("x:a", NS)] == [
        ("contents.xhtml", "← Previous"), ("contents.xhtml", "Contents")]  # the last page
    scripts = page.findall(".//x:script", NS)  # only the one that reloads the page
    assert [s.text.strip() for s in scripts] == [
        'new EventSource("/__events").onmessage = function () { location.reload(); };']

    edition.write_text('"<script>alert(1)</script>" = 1\n' + GOOD)
    assert "<script>alert(1)</script>" in preview.refresh()
    status, kind, data = preview.page("/a001.xhtml")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "unknown key '<script>alert(1)</script>'" in error_shown(data.decode())
    assert b"<script>alert" not in data
    assert len(lxml_html.fromstring(data).findall(".//script")) == 1  # the reload


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                    "(.ci/run installs it)")
def test_an_open_page_reloads_when_the_article_changes(preview, tmp_path):
    from playwright.sync_api import sync_playwright

    url, edition = preview
    article = edition.parent / "a.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "a001.xhtml")
        assert page.locator("h1.title").inner_text() == "Tide tables"
        page.wait_for_timeout(300)  # let the page subscribe to changes
        article.write_text(ARTICLE.replace("High water at noon.", "Low water at six."))
        page.wait_for_function("document.body.innerText.includes('Low water at six.')",
                               timeout=20_000)
        shots = ROOT / "tests" / "artifacts"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "preview.png"), full_page=True)
        browser.close()
    assert errors == []
