"""Whatever an article holds, the build either makes an EPUBCheck-clean EPUB and a PDF,
or stops with the project's own error. Never an uncaught exception."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.build import build
from builder.errors import BuildError, Report
from builder.metadata import ARTICLE_KEYS
from conftest import epubcheck_messages

SNIPPETS = [
    "# ", "## ", "**", "*", "_", "`", "```\n", "~~~", "> ", "- ", "1. ", "    ", "\n\n",
    "[^1]", "[^1]: a note", "[^x]: ", "[link](http://example.org)", "[bad](javascript:x)",
    "![alt](missing.png)", "![](../../etc/passwd)", "<div>", "</div>", "<p>", "</p>",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&nbsp;", "&amp;", "&",
    "<", ">", "&#0;", "&#xD800;", "|a|b|\n|-|-|\n|1|2|\n", "Term\n:   Definition\n",
    "*[HTML]: Hyper", "---", "***", "\x00", "\x0b", "\u202e", "\ufeff", "\u00ad", "\u200b",
    "é", "Ω", "Ж", "中文", "🙂", "\t", "\r\n", "<svg><image href='file:///etc/passwd'/></svg>",
    "<table><tr><td>cell", "<a href='#nowhere'>x</a>", "<h1>Heading</h1>",
]
body_text = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(SNIPPETS)),
                     min_size=1, max_size=25).map("".join)
meta_value = st.one_of(
    st.text(max_size=60), st.integers(), st.booleans(), st.none(),
    st.lists(st.text(max_size=20), max_size=3), st.dates().map(dt.date.isoformat),
    st.sampled_from(["en", "de", "uk", "el", "fr-CA", "xx-Latn", "not a lang", ""]),
)
front_matter = st.dictionaries(st.sampled_from([*ARTICLE_KEYS, "extra", "Title"]), meta_value,
                               max_size=6)
article = st.tuples(st.sampled_from(["yaml", "header", "none", "text", "raw"]), front_matter,
                    body_text, st.text(max_size=40))
counter = itertools.count()


def write_article(folder: Path, kind: str, meta: dict, body: str, raw: str) -> str:
    if kind == "text":
        (folder / "a.txt").write_text(body, encoding="utf-8")
        return "a.txt"
    if kind == "yaml":
        head = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n"
    elif kind == "header":
        head = "".join(f"{k}: {v}\n" for k, v in meta.items()) + "\n"
    elif kind == "raw":
        head = f"---\n{raw}\n---\n\n"
    else:
        head = ""
    (folder / "a.md").write_text(head + body, encoding="utf-8")
    return "a.md"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article)
@example(("yaml", {}, "# Term\n:   Definition\n", ""))  # a definition with no term
def test_any_article_builds_or_fails_cleanly(case):
    kind, meta, body, raw = case
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        name = write_article(folder, kind, meta, body, raw)
        (folder / "e.toml").write_text(
            f'title = "Property {next(counter)}"\ndate = 2026-01-01\nlanguage = "en"\n'
            f'[[sections]]\ntitle = "S"\narticles = ["{name}"]\n', encoding="utf-8")
        try:
            outputs = build(folder / "e.toml", folder / "out", ("epub", "pdf"),
                            Report(stream=io.StringIO()))
        except BuildError as error:
            assert error.path is not None and str(error)
            return
        epub, pdf = (o.path for o in outputs)
        assert pdf.read_bytes().startswith(b"%PDF-")
        assert epubcheck_messages(epub) == []
