"""The EPUB's stylesheets carry no custom properties (builder/cssvars.py), for reading
systems whose CSS engines drop every declaration that uses one, and a browser still
computes the same font for every element of every document, in every script."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from builder.assets import STYLES
from builder.cssvars import without_variables

CHROMIUM = Path("/usr/bin/chromium")
CUSTOM = re.compile(rb"var\(|(?<![\w-])--[\w-]+\s*:")
SHEETS = ("base.css", "epub.css", "themes/classic.css", "themes/magazine.css")


def test_no_custom_property_is_left_in_any_epub_sheet():
    originals = [(STYLES / name).read_bytes() for name in SHEETS]
    assert all(CUSTOM.search(data) for data in (originals[0], originals[2]))
    for name, data in zip(SHEETS, without_variables(originals), strict=True):
        assert not CUSTOM.search(data), name


def test_a_language_group_gets_its_own_stack_before_any_pseudo_element():
    sheets = [b":root { --f: A, B; }\n:lang(ar), :lang(fa) { --f: C, var(--g, D); }\n"
              b"h1, .x a::after { font-family: var(--f); color: red }\n"
              b"@media print { p { font-family: var(--f) } }\n"]
    (out,) = without_variables(sheets)
    text = out.decode()
    assert "h1, .x a::after { font-family: A, B; color: red; }" in text
    assert ("h1:lang(ar), h1:lang(fa), .x a:lang(ar)::after, .x a:lang(fa)::after "
            "{ font-family: C, D; }") in text
    assert "@media print {\np { font-family: A, B; }\np:lang(ar), p:lang(fa)" in text
    assert "--f" not in text and "var(" not in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                    "(.ci/run installs it)")
def test_a_browser_computes_the_same_fonts_as_with_the_variables(scripts, tmp_path):
    """Every element of every document of the scripts edition (an article in each
    script), styled by the EPUB's sheets and by the sources with their variables."""
    from playwright.sync_api import sync_playwright

    flat, with_vars = tmp_path / "flat", tmp_path / "vars"
    with zipfile.ZipFile(scripts.epub) as z:
        z.extractall(flat)
    shutil.copytree(flat, with_vars)
    sheets = sorted((with_vars / "EPUB" / "styles").rglob("*.css"))
    assert len(sheets) >= 3
    for sheet in sheets:
        name = sheet.relative_to(with_vars / "EPUB" / "styles").as_posix()
        if name != "fonts.css":
            sheet.write_bytes((STYLES / name).read_bytes())
    documents = sorted(p.name for p in (flat / "EPUB").glob("a*.xhtml"))
    assert len(documents) >= 5
    # An element in another language than its surroundings (an English kicker in an
    # Arabic article) takes its own language's stack here; with the variables it inherited
    # its surroundings'. Every other element must compute the same stack.
    script = """Array.from(document.querySelectorAll('*')).map(e => {
        const langs = new Set();
        for (let n = e; n; n = n.parentElement) if (n.hasAttribute('lang')) langs.add(n.lang);
        return langs.size > 1 ? null : e.tagName + ' ' + getComputedStyle(e).fontFamily; })"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        for name in documents:
            found = []
            for root in (flat, with_vars):
                page.goto((root / "EPUB" / name).as_uri())
                found.append(page.evaluate(script))
            assert found[0] == found[1], name
            assert len({f.split(' ', 1)[1] for f in found[0] if f}) > 1, name  # several stacks
        browser.close()
