"""Property tests on the readers and the cleaning step themselves, in process: thousands
of articles in seconds, beside `test_properties.py`, which builds whole editions.

Each article goes the way the build takes it (`assemble.read_one`: the file read and
normalised, its reader, `clean.clean_body`, the font check) or, for cleaning alone,
straight into `clean_body`. Nothing here renders, packages or typesets.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image as PILImage

from builder import furniture
from builder.assemble import read_feed_entries, read_one
from builder.clean import ATTRIBUTES, TAGS, clean_body
from builder.edition import EditionSpec, Entry, load_edition
from builder.errors import BuildError, Report
from builder.metadata import ARTICLE_KEYS, LANG_RE, MAX_CHARS
from builder.models import Article, NoteRef
from builder.text import FOOTNOTE_TOKEN, xml_safe

RULES = furniture.rules_for(True, ())
FAST = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                    HealthCheck.data_too_large]}


# ---------------------------------------------------------------- the edition folder

EDITION = """\
title = "Properties"
date = 2026-01-01
language = "en"
machine_fonts = true

[[sections]]
title = "Articles"
articles = ["a.md"]
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> EditionSpec:
    """An edition folder holding one real image; the machine's fonts allowed, so that a
    character none of ours draws is a warning, not the error that would hide the rest.
    The tests write their articles into it and read them one at a time."""
    root = tmp_path_factory.mktemp("edition")
    PILImage.new("RGB", (2, 2), "red").save(root / "pic.png")
    (root / "a.md").write_text("Placeholder.\n", encoding="utf-8")
    (root / "e.toml").write_text(EDITION, encoding="utf-8")
    return load_edition(root / "e.toml")


def report() -> Report:
    return Report(stream=io.StringIO(), quiet=True)


def write(path: Path, data: bytes) -> None:
    # A new file, not the old one truncated: ext4 flushes a truncated file to disk on
    # close (auto_da_alloc), which made each example cost half a millisecond more.
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def read(spec: EditionSpec, name: str, text: str, overrides: tuple = (),
         warnings: Report | None = None) -> Article:
    """The article a build makes of a file holding `text` (or its BuildError)."""
    path = spec.root / name
    write(path, text.encode("utf-8", "surrogatepass"))
    return read_one(Entry(path, overrides), spec, "a001", RULES, warnings or report())


def outcome(spec: EditionSpec, name: str, text: str):
    """Everything a read gives, to compare reads: the article or the error, and the
    warnings."""
    warnings = report()
    try:
        result = read(spec, name, text, warnings=warnings)
    except BuildError as error:
        result = ("error", str(error), error.line)
    return result, [(w.code, w.message, w.line) for w in warnings.warnings]


# ---------------------------------------------------------------- looking at the output

def note_error(error: BuildError) -> None:
    """Count the kinds of error (`--hypothesis-show-statistics`), to see what a test
    reaches."""
    event("BuildError: " + re.sub(r"'[^']*'|\(.*|\d+", "…", error.message)[:60])


def body_markup(parts) -> str:
    return "".join(p for p in parts if isinstance(p, str))


def fragment(markup: str) -> etree._Element:
    """Parse as XML (as an EPUB reader does): raises if the markup is not well-formed."""
    return etree.fromstring(  # (a note's calls are marked epub:type, as in the EPUB)
        f'<div xmlns:epub="http://www.idpf.org/2007/ops">{markup}</div>'.encode())


def trees(article: Article) -> list[etree._Element]:
    """The body and every note, each as both the EPUB (blocks) and print (inline) see it."""
    notes = [n.blocks for n in article.notes] + [n.inline for n in article.notes]
    return [fragment(body_markup(article.body)), *(fragment(n) for n in notes)]


def seen(article: Article) -> str:
    """All the text a reader of the book can find: title, body, notes, image descriptions,
    and what was removed as site furniture (reported, so not lost silently)."""
    texts = [article.title]
    for tree in trees(article):
        texts += tree.itertext()
        texts += (img.get("alt", "") for img in tree.iter("img"))
    texts += (block.text for block in article.removed)
    return " ".join(texts)


def epub_text(article: Article) -> str:
    """What the EPUB shows: the body, then every note (the template's notes section)."""
    markup = [body_markup(article.body), *(n.blocks for n in article.notes)]
    return " ".join(" ".join(fragment(m).itertext()) for m in markup)


def print_text(article: Article) -> str:
    """What the PDF shows: the body, with each note's inline text at its first call
    (the print template sets no other note)."""
    markup = [body_markup(article.body), *(p.note.inline for p in article.body
                                           if isinstance(p, NoteRef) and p.first)]
    return " ".join(" ".join(fragment(m).itertext()) for m in markup)


ALLOWED_ATTRIBUTES = {tag: ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set()) | {"class"}
                      for tag in TAGS | {"aside"}}
ALLOWED_ATTRIBUTES["aside"] |= {"role"}
ALLOWED_ATTRIBUTES["a"] |= {"role", "{http://www.idpf.org/2007/ops}type"}  # a note's
# call inside another note, marked as the EPUB marks every call
ALLOWED_ATTRIBUTES["th"] |= {"scope"}
WEB_SCHEMES = {"http", "https", "mailto"}


def assert_safe(tree: etree._Element, resources: set[str]) -> None:
    """Only allowed elements and attributes; links only within the book or to the web
    and mail; images only from the book's own resources."""
    for el in tree.iterdescendants():
        assert el.tag in ALLOWED_ATTRIBUTES, el.tag
        for name in el.attrib:
            assert name in ALLOWED_ATTRIBUTES[el.tag], (el.tag, name)
            assert not name.lower().startswith("on"), name
        href = el.get("href")
        if href is not None:
            squeezed = re.sub(r"[\x00-\x20\x7f]", "", href).lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:", "file:"))
            assert href.startswith("#") or urlsplit(href).scheme.lower() in WEB_SCHEMES, href
        if el.tag == "img":
            assert el.get("src") in resources, el.get("src")


def assert_well_formed_and_safe(article: Article) -> None:
    resources = {r.name for r in article.resources}
    for tree in trees(article):  # (parsing is the well-formedness check)
        assert_safe(tree, resources)
    markup = body_markup(article.body) + "".join(n.blocks + n.inline for n in article.notes)
    assert FOOTNOTE_TOKEN not in markup
    # One document holds the body, its note calls and its notes: their ids are unique.
    ids = [el.get("id") for tree in trees(article)[:1 + len(article.notes)]
           for el in tree.iter() if el.get("id")]
    ids += [n.id for n in article.notes]
    ids += [p.id for p in article.body if isinstance(p, NoteRef)]
    assert len(ids) == len(set(ids)), ids


# ---------------------------------------------------------------- strategies

def chars(*ranges: tuple[int, int]) -> st.SearchStrategy[str]:
    """Assigned characters of these code point ranges (no spaces, no controls)."""
    return st.one_of(*(st.characters(min_codepoint=lo, max_codepoint=hi,
                                     exclude_categories=("Cn", "Cc", "Cs", "Z"))
                       for lo, hi in ranges))


# Letters with their marks (harakat, niqqud, matras and viramas, tone marks), digits of
# the script, and joiners where the script needs them.
SCRIPTS = {
    "ar": chars((0x0621, 0x064A), (0x064B, 0x0652), (0x0660, 0x0669), (0x200C, 0x200D)),
    "fa": chars((0x0621, 0x064A), (0x06A9, 0x06AF), (0x06F0, 0x06F9), (0x200C, 0x200C)),
    "he": chars((0x05D0, 0x05EA), (0x05B0, 0x05BC)),
    "hi": chars((0x0905, 0x0939), (0x093E, 0x094D), (0x0902, 0x0903), (0x0966, 0x096F)),
    "bn": chars((0x0985, 0x09B9), (0x09BE, 0x09CD)),
    "ta": chars((0x0B85, 0x0BB9), (0x0BBE, 0x0BCD)),
    "th": chars((0x0E01, 0x0E3A), (0x0E40, 0x0E4E)),
    "zh": chars((0x4E00, 0x9FFF), (0x20000, 0x2A6DF), (0x3001, 0x3002)),
    "ja": chars((0x3041, 0x3096), (0x30A1, 0x30FA), (0x4E00, 0x9FFF)),
    "ko": chars((0xAC00, 0xD7A3), (0x1100, 0x11FF)),
    "ru": chars((0x0400, 0x04FF)),
    "el": chars((0x0370, 0x03FF), (0x1F00, 0x1FFE)),
    "vi": chars((0x0061, 0x007A), (0x0300, 0x0323), (0x1EA0, 0x1EF9)),
    "am": chars((0x1200, 0x135A)),
    "und": chars((0x1F300, 0x1F64F), (0x1F900, 0x1F9FF), (0x1F3FB, 0x1F3FF),
                 (0x1F1E6, 0x1F1FF), (0x200D, 0x200D), (0xFE0F, 0xFE0F)),
}
EMOJI = ["👩‍👩‍👧", "🏳️‍🌈", "👍🏽", "🇵🇹", "❤️", "🧑🏿‍🚀"]  # joined sequences, kept whole
COMBINING = chars((0x0300, 0x036F), (0x1AB0, 0x1ABE), (0x20D0, 0x20F0))

# A word that Markdown cannot take for markup: letters, marks, numbers, symbols (emoji).
inert_char = st.characters(categories=("L", "M", "N", "So"))
inert_word = st.one_of(
    st.text(inert_char, min_size=1, max_size=6),
    st.text(st.one_of(*SCRIPTS.values()), min_size=1, max_size=6),
    st.tuples(inert_char, COMBINING).map("".join),
    st.sampled_from(EMOJI),
)
words = st.lists(inert_word, min_size=1, max_size=4)

FURNITURE = ["Share this article", "Sign up for our newsletter", "© 2026 The Courier",
             "Advertisement", "Read more:", "Follow us on Mastodon", "We use cookies."]


@st.composite
def inline(draw) -> tuple[str, list[str]]:
    ws = draw(words)
    text = " ".join(ws)
    shape = draw(st.sampled_from([
        "{}", "{}", "*{}*", "**{}**", "`{}`", "[{}](https://example.org/page)",
        "[{}](javascript:alert(1))", "[{}](JaVaScRiPt:alert(1))", "[{}](#nowhere)",
        "[{}](file:///etc/passwd)", "![{}](http://example.org/remote.png)",
        "![{}](pic.png)", "![{}](../outside.png)", '<span onclick="alert(1)">{}</span>',
        "<font color=red>{}</font>", "<b>{}</b>", '<a href="javascript:alert(1)">{}</a>',
        "<q>{}</q>", "<ruby>{}<rt>x</rt></ruby>",
    ]))
    return shape.format(text), ws


@st.composite
def paragraph(draw) -> tuple[str, list[str]]:
    pieces = draw(st.lists(inline(), min_size=1, max_size=3))
    return " ".join(md for md, _ in pieces), [w for _, ws in pieces for w in ws]


@st.composite
def block(draw, note_number: int) -> tuple[str, list[str], str]:
    """(Markdown block, the words it holds, a footnote definition it needs or '')."""
    kind = draw(st.sampled_from(["p", "p", "h", "ul", "ol", "quote", "pull", "code", "table",
                                 "dl", "html", "details", "furniture", "note"]))
    if kind == "furniture":
        phrase = draw(st.sampled_from(FURNITURE))
        return phrase, phrase.split(), ""
    if kind in ("code", "html", "details", "h"):
        ws = draw(words)
        text = " ".join(ws)
        level = draw(st.integers(1, 6))
        md = {"code": f"```\n{text}\n```", "html": f'<div onmouseover="x()">\n{text}\n</div>',
              "details": f"<details><summary>{ws[0]}</summary>\n{text}\n</details>",
              "h": "#" * level + " " + text}[kind]
        return md, ws, ""
    if kind == "table":
        head, row = draw(words), draw(words)
        n = min(len(head), len(row))
        return ("| " + " | ".join(head[:n]) + " |\n" + "|---" * n + "|\n| "
                + " | ".join(row[:n]) + " |"), head[:n] + row[:n], ""
    items = draw(st.lists(paragraph(), min_size=1, max_size=2))
    ws = [w for _, item in items for w in item]
    if kind in ("ul", "ol"):
        mark = "- " if kind == "ul" else "1. "
        return "\n".join(mark + md for md, _ in items), ws, ""
    first = items[0][0]
    if kind == "quote":
        return "> " + first, items[0][1], ""
    if kind == "pull":
        return "> [!pullquote]\n> " + first, items[0][1], ""
    if kind == "dl":
        term = draw(words)
        return " ".join(term) + "\n:   " + first, term + items[0][1], ""
    if kind == "note":
        note_md, note_ws = draw(paragraph())
        return (f"{first}[^{note_number}]", items[0][1] + note_ws,
                f"[^{note_number}]: {note_md}")
    return first, items[0][1], ""


@st.composite
def markdown_article(draw) -> tuple[str, list[str], list[str]]:
    """A Markdown article of many kinds of block, every word its body holds, and the
    words of its title in the front matter (if it has one)."""
    n = draw(st.integers(1, 4))
    blocks = [draw(block(number)) for number in range(1, n + 1)]
    notes = [note for _, _, note in blocks if note]
    head, title = "", []
    if draw(st.booleans()):
        title = draw(words)
        head = "---\n" + yaml.safe_dump({"title": " ".join(title)}, allow_unicode=True,
                                         width=10**6) + "---\n\n"
    body = "\n\n".join([md for md, _, _ in blocks] + notes) + "\n"
    return head + body, [w for _, ws, _ in blocks for w in ws], title


# Markup and text that have broken readers and sanitisers before, to splice at random.
SNIPPETS = [
    "# ", "## ", "**", "*", "_", "`", "```\n", "~~~", "> ", "- ", "1. ", "    ", "\n\n", "\n",
    "[^1]", "[^1]: a note", "[^x]: ", "[link](http://example.org)", "Term\n:   Definition",
    "|a|b|\n|-|-|\n|1|2|\n", "*[HTML]: Hyper", "---", "***", "> [!pullquote]\n> ",
    "<div>", "</div>", "<p>", "</p>", "<table><tr><td>cell", "<a href='#nowhere'>x</a>",
    "<h1>Heading</h1>", '<div class="footnote"><ol><li id="fn:1">x</li></ol></div>',
    '<a class="footnote-ref" href="#fn:1">1</a>', "&nbsp;", "&amp;", "&", "<", ">", "&#0;",
    "&#xD800;", "\x00", "\x0b", "\r", "\r\n", "\u202e", "\ufeff", "\u00ad", "\u200b", "\ufffe",
    "中文", "العربية", "עברית", "हिन्दी", "ไทย", "🧑🏿‍🚀", "e\u0301", "\U0002a6a5",
]
DANGEROUS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>", "<img src=\"javascript:alert(1)\">",
    '<a href="javascript:alert(1)">x</a>', '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>', '<a href="data:text/html,<script>x</script>">x</a>',
    '<a href="file:///etc/passwd">x</a>', '<a href="//evil.example/">x</a>',
    "[x](javascript:alert(1))", "[x](<javascript:alert(1)>)", "[x]: javascript:alert(1)\n",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)", "![x](file:///etc/passwd)",
    "![x](/etc/passwd)", "![x](../../etc/passwd)", "![x](pic.png)", "![x](pic.png \"Cap\")",
    "<svg onload=alert(1)><image href='file:///etc/passwd'/></svg>", "<math><mi>x</mi></math>",
    "<iframe src=https://evil.example></iframe>", "<object data=x.swf></object>",
    "<embed src=x.swf>", "<form action=https://evil.example><input name=q></form>",
    "<base href=https://evil.example/>", '<meta http-equiv="refresh" content="0;url=x">',
    "<link rel=stylesheet href=https://evil.example/x.css>", "<style>p{color:red}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>', '<div onmouseover="alert(1)">',
    "<p onclick=alert(1)>x</p>", "<!-- <script>alert(1)</script> -->", "<![CDATA[<script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<template><script>",
    "<xmp><script>alert(1)</script></xmp>", "<plaintext>", "<textarea><script></textarea>",
    "<table><td background=javascript:alert(1)>", "<a href=\"#x\" id=\"x\">self</a>",
    "<details open ontoggle=alert(1)>", '<time datetime="x" onfocus=alert(1)>',
    '<img src="http://example.org/x.png" width="99999999999" height="-1">',
    '<td colspan="999999999">', "<ol start=\"-5\"><li value=\"x\">",
]
arbitrary_text = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(SNIPPETS), st.sampled_from(DANGEROUS),
              inert_word),
    min_size=1, max_size=20).map("".join)


# ---------------------------------------------------------------- properties

@settings(max_examples=250, **FAST)
@given(case=markdown_article())
@example(case=("# Title words\n\nBody.\n", ["Title", "words", "Body"], []))
@example(case=("Text[^1]\n\n[^1]: the note\n", ["Text", "note"], []))
@example(case=("para\n\nShare this article\n", ["para", "Share", "article"], []))
@example(case=("Read more:\n\n[00](https://example.org/page)\n", ["Read", "more", "00"], []))
def test_markdown_loses_no_words(spec, case):
    """Every word of a Markdown article reaches the book (body, title, notes, image
    descriptions) or is named as removed site furniture."""
    text, body, title = case
    try:
        article = read(spec, "words.md", text)
    except BuildError as error:  # only when nothing but furniture is left
        assert error.path == spec.root / "words.md" and "no text" in error.message
        assert all(w in " ".join(FURNITURE) for w in body), text
        return
    found = seen(article)
    missing = [w for w in body + title if w not in found]
    assert not missing, (missing, text, found)


@settings(max_examples=50, **FAST)
@given(ws=words, nested=st.booleans())
@example(ws=["Inner"], nested=True)  # a[^1]  [^1]: b[^2]  [^2]: Inner
@example(ws=["Lost"], nested=False)  # a  [^1]: Lost
def test_a_footnote_without_a_call_in_the_body_is_not_lost_silently(spec, ws, nested):
    warnings = report()
    note = " ".join(ws)
    text = (f"Body[^1].\n\n[^1]: Outer[^2].\n\n[^2]: {note}\n" if nested
            else f"Body.\n\n[^1]: {note}\n")
    article = read(spec, "note.md", text, warnings=warnings)
    assert all(w in seen(article) for w in ws) or warnings.warnings, (text, article.body)
    # Beyond the property: the text is in both books, and only a note nothing calls
    # is warned about.
    for book in (epub_text(article), print_text(article)):
        assert all(w in book for w in ws), (text, book)
    orphans = [w for w in warnings.warnings if w.code == "orphan-note"]
    assert len(orphans) == (0 if nested else 1), orphans


ANCHORS = ["top", "x y", "fn:1", "fnref:1", "a001-fn-1", "a001-id-top"]


@st.composite
def linked_article(draw) -> str:
    """Markdown with anchors, links to them (and to none), and footnotes whose text
    holds links and calls of other footnotes."""
    def piece():
        return draw(st.sampled_from([
            "{w}", '<span id="{a}">{w}</span>', "[{w}](#{a})", "{w}[^{n}]", "{w}[^{n}]"]))

    def filled(shape: str) -> str:
        return shape.format(w=" ".join(draw(words)), a=draw(st.sampled_from(ANCHORS)),
                            n=draw(st.integers(1, 3)))
    paragraphs = [" ".join(filled(piece()) for _ in range(draw(st.integers(1, 4))))
                  for _ in range(draw(st.integers(1, 3)))]
    notes = [f"[^{n}]: " + " ".join(filled(piece()) for _ in range(draw(st.integers(1, 3))))
             for n in range(1, 4) if draw(st.booleans())]
    return "\n\n".join(paragraphs + notes) + "\n"


@settings(max_examples=100, **FAST)
@given(text=linked_article())
@example(text="Body[^1].\n\n[^1]: Outer[^2].\n\n[^2]: Inner.\n")
@example(text='<span id="top">Body</span>[^1].\n\n[^1]: [back](#top)\n')
def test_every_link_inside_the_book_leads_somewhere(spec, text):
    """A link to `#id` in a body or a note names an id the article has (an element's,
    a note's or a note call's); dead links are dropped (with a warning), not kept."""
    try:
        article = read(spec, "links.md", text)
    except BuildError as error:
        assert error.path == spec.root / "links.md"
        return
    ids = {n.id for n in article.notes} | {p.id for p in article.body if isinstance(p, NoteRef)}
    links = []
    for tree in trees(article):
        ids |= {el.get("id") for el in tree.iter() if el.get("id")}
        links += [el.get("href")[1:] for el in tree.iter("a")
                  if el.get("href", "").startswith("#")]
    assert all(target in ids for target in links), (links, ids)


paragraph_text = st.lists(st.text(st.characters(exclude_categories=("Cs", "Cc", "Z"),
                                                exclude_characters="\ufeff\ufffe\uffff"),
                                  min_size=1, max_size=10),
                          min_size=1, max_size=6)
line_gap = st.sampled_from([" ", "\t", "\n", "  \n   "])
paragraph_gap = st.sampled_from(["\n\n", "\n \n", "\r\n\r\n", "\r\r", "\n\t\n\n\n"])


@st.composite
def plain_article(draw) -> tuple[str, list[str]]:
    """A plain-text file and its paragraphs, each with its words joined by one space."""
    paragraphs = draw(st.lists(st.one_of(paragraph_text, st.sampled_from(FURNITURE).map(
        str.split)), min_size=1, max_size=8))
    text = draw(st.sampled_from(["", "\ufeff", "\n\n"]))
    for number, ws in enumerate(paragraphs):
        if number:
            text += draw(paragraph_gap)
        text += "".join(w + (draw(line_gap) if i < len(ws) - 1 else "")
                        for i, w in enumerate(ws))
    return text + draw(st.sampled_from(["", "\n", "\r\n"])), [" ".join(p) for p in paragraphs]


@settings(max_examples=300, **FAST)
@given(case=plain_article())
@example(case=("<script>alert(1)</script>\n\n**not bold**", ["<script>alert(1)</script>",
                                                              "**not bold**"]))
@example(case=("©", ["©"]))  # (a mark alone is no copyright line)
def test_plain_text_keeps_every_paragraph_as_written(spec, case):
    """A plain-text file's paragraphs are the article's, character for character (line
    breaks within a paragraph become spaces), never read as markup; only trailing site
    furniture leaves, and is named."""
    text, paragraphs = case
    try:
        article = read(spec, "plain.txt", text)
    except BuildError as error:
        assert error.path == spec.root / "plain.txt" and "no text" in error.message
        assert all(p in FURNITURE for p in paragraphs)
        return
    tree = fragment(body_markup(article.body))
    assert all(p.tag == "p" and len(p) == 0 for p in tree)
    kept = [p.text for p in tree]
    assert kept + [block.text for block in article.removed] == paragraphs


@settings(max_examples=20, **FAST)
@given(space=st.sampled_from(["\u00a0", "\u202f", "\u2009", "\u3000"]), ws=words)
def test_plain_text_keeps_no_break_and_ideographic_spaces(spec, space, ws):
    text = space.join(ws)
    article = read(spec, "spaces.txt", text + "\n")
    assert text in seen(article)


@settings(max_examples=150, **FAST)
@given(lang=st.sampled_from(sorted(SCRIPTS)),
       data=st.data(), kind=st.sampled_from(["md", "txt"]))
def test_text_in_every_script_survives(spec, lang, data, kind):
    """Words in Arabic, Hebrew, Devanagari, Bengali, Tamil, Thai, Chinese, Japanese,
    Korean, Cyrillic, Greek, Vietnamese, Ethiopic and emoji, with their marks and joiners,
    come out code point for code point, in an article in that language."""
    title = data.draw(st.lists(st.text(SCRIPTS[lang], min_size=1, max_size=6), min_size=1,
                               max_size=4).map(" ".join))
    paragraphs = data.draw(st.lists(st.lists(st.one_of(
        st.text(SCRIPTS[lang], min_size=1, max_size=10), st.sampled_from(EMOJI)),
        min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4))
    body = "\n\n".join(paragraphs) + "\n"
    overrides = (("lang", lang if lang != "und" else "en"), ("title", title))
    article = read(spec, f"script.{kind}", body, overrides)
    assert article.title == title
    found = seen(article)
    assert all(p in found for p in paragraphs), (paragraphs, found)
    assert article.dir == ("rtl" if lang in ("ar", "fa", "he") else "ltr")


@settings(max_examples=600, **FAST)
@given(text=arbitrary_text, kind=st.sampled_from(["md", "txt", "markdown"]))
@example(text="<a href=\"jav&#x09;ascript:alert(1)\">x</a>", kind="md")
@example(text="[^1]\n\n[^1]: [^1]", kind="md")
@example(text="[^]:</DIV>", kind="md")  # (the note's back-link torn out of its list)
def test_any_file_reads_to_well_formed_safe_xhtml_or_one_clean_error(spec, text, kind):
    """Whatever a file holds, reading it gives an article whose body and notes are
    well-formed XML with nothing dangerous left, or a BuildError naming the file."""
    try:
        article = read(spec, f"any.{kind}", text)
    except BuildError as error:
        assert error.path == spec.root / f"any.{kind}" and error.message
        note_error(error)
        return
    assert_well_formed_and_safe(article)


@settings(max_examples=800, **FAST)
@given(html=st.lists(st.one_of(st.text(max_size=15), st.sampled_from(DANGEROUS),
                               st.sampled_from(SNIPPETS)), min_size=1, max_size=12).map("".join))
@example(html='<a href="&#x6A;avascript:alert(1)">x</a>')
@example(html="<div><div><div><p>deep</p></div></div></div>" * 2)
def test_cleaning_any_html_gives_well_formed_safe_xhtml(spec, html):
    """`clean_body` on its own, on any HTML (a feed's, or Markdown's raw HTML)."""
    source = spec.root / "raw.md"
    try:
        cleaned = clean_body(html, "a001", source, spec.root, RULES, report())
    except BuildError as error:
        assert error.path == source and error.message
        note_error(error)
        return
    resources = {r.name for r in cleaned.resources}
    for markup in (body_markup(cleaned.body), *(n.blocks for n in cleaned.notes),
                   *(n.inline for n in cleaned.notes)):
        assert_safe(fragment(markup), resources)
        assert FOOTNOTE_TOKEN not in markup


@settings(max_examples=120, **FAST)
@given(first=arbitrary_text, second=arbitrary_text,
       langs=st.tuples(*[st.sampled_from(["en", "de", "fr", "ja", "zh-Hant", "zh", "ar",
                                          "ru", "xx"])] * 2))
def test_reading_is_deterministic_and_forgets_the_last_article(spec, first, second, langs):
    """The same file read again gives the same article and warnings, whatever was read
    in between (Markdown converters are shared and reused between articles)."""
    first = f"---\nlang: {langs[0]}\n---\n\nHTML and \"quotes\"[^1]\n\n{first}"
    second = (f"---\nlang: {langs[1]}\n---\n\n*[HTML]: Hyper Text\n\nHTML [^1] \"x\n\n"
              f"[^1]: a note\n\n{second}")
    before = outcome(spec, "first.md", first)
    outcome(spec, "second.md", second)
    assert outcome(spec, "first.md", first) == before


# Values YAML can hold, at the top of the front matter and nested.
yaml_scalar = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(), st.booleans(), st.none(), st.dates(),
    st.datetimes(), st.sampled_from(["en", "pt-BR", "ltr", "rtl", "2026-13-01", "x" * 40,
                                     "a " * 300, "", "Ana; Bo, Cy"]),
)
yaml_value = st.one_of(yaml_scalar, st.lists(yaml_scalar, max_size=3), st.recursive(
    yaml_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                         st.dictionaries(st.text(max_size=8), inner,
                                                         max_size=3)), max_leaves=5))
front_keys = st.one_of(st.sampled_from([*ARTICLE_KEYS, "authors", "Title"]),
                       st.text(max_size=12))


def key_line(dumped: str, key: str) -> int | None:
    """The file line where top-level `key:` is written (the file opens with '---')."""
    for number, line in enumerate(dumped.split("\n"), 2):
        if line.startswith(f"{key}:"):
            return number
    return None


def assert_article_metadata(article: Article) -> None:
    for key in ("title", "subtitle", "summary", "section", "dateline"):
        value = getattr(article, key)
        assert value is None or (isinstance(value, str) and len(value) <= MAX_CHARS[key])
        assert value is None or value == " ".join(value.split())
    assert all(isinstance(a, str) and a for a in article.authors)
    assert all(isinstance(t, str) and t for t in article.tags)
    assert article.date is None or type(article.date) is dt.date
    assert LANG_RE.match(article.lang) and article.dir in ("ltr", "rtl")


@settings(max_examples=200, **FAST)
@given(meta=st.dictionaries(front_keys, yaml_value, max_size=6))
@example(meta={"date": "2026-13-01"})
@example(meta={"title": "x" * 501})
@example(meta={"author": [{"name": "A"}]})
def test_any_yaml_front_matter_gives_an_article_or_an_error_at_its_key(spec, meta):
    """Front matter with any keys and values: an article with checked metadata, or a
    BuildError naming the file and, when a known key's value is wrong, its line."""
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    try:
        article = read(spec, "front.md", f"---\n{dumped}---\n\nBody text.\n")
    except BuildError as error:
        assert error.path == spec.root / "front.md" and error.message
        note_error(error)
        named = re.match(r"'(\w+)'", error.message)
        if named and named[1] in meta:
            assert error.line == key_line(dumped, named[1]), (error, dumped)
        return
    assert_article_metadata(article)


header_key = st.one_of(st.sampled_from([*ARTICLE_KEYS, "Authors", "Title", "TAGS"]),
                       st.from_regex(r"[A-Za-z][A-Za-z0-9_ -]{0,10}", fullmatch=True))
raw_line = st.one_of(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
                     st.text(st.characters(exclude_categories=("Cs",)), max_size=20))


@settings(max_examples=300, **FAST)
@given(kind=st.sampled_from(["yaml", "header"]),
       lines=st.lists(st.one_of(raw_line, st.tuples(header_key, raw_line).map(": ".join),
                                st.sampled_from(["---", "...", "  - a", "? x", ": y", "&a",
                                                 "*a", "!!python/object:os.system x",
                                                 "[", "{", "'", '"', "%YAML 1.1", "\t"])),
                      max_size=8))
@example(kind="yaml", lines=["!!python/object/apply:os.system ['echo pwned']"])
@example(kind="yaml", lines=["title: [unclosed"])
@example(kind="header", lines=["Title: x", "Date: 2026-02-30"])
def test_any_front_matter_text_gives_an_article_or_an_error_with_its_file(spec, kind, lines):
    """Front matter as any text (YAML between '---' lines, or a `Key: value` header
    block): never a traceback; an error names the file, and a line inside it."""
    head = "\n".join(lines)
    text = f"---\n{head}\n---\n\nBody.\n" if kind == "yaml" else f"{head}\n\nBody.\n"
    try:
        article = read(spec, "head.md", text)
    except BuildError as error:
        assert error.path == spec.root / "head.md" and error.message
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1
        note_error(error)
        return
    assert_article_metadata(article)


ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(entries: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed with one entry per (title, content type, content)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}title").text = "Feed"
    for number, (title, kind, content) in enumerate(entries, 1):
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        etree.SubElement(entry, f"{{{ATOM}}}title").text = title
        etree.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:x:{number}"
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = "2026-01-01T00:00:00Z"
        etree.SubElement(entry, f"{{{ATOM}}}content", type=kind).text = content
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def feed_articles(spec: EditionSpec, data: bytes) -> list[Article]:
    path = spec.root / "feed.xml"
    write(path, data)
    return read_feed_entries(Entry(path, feed=True), spec, 1, RULES, report())


xml_text = st.text(st.characters(exclude_categories=("Cs", "Cc"),
                                 exclude_characters="\ufffe\uffff"), max_size=30)
XML_SNIPPETS = [s for s in map(xml_safe, SNIPPETS) if s]  # (an XML file cannot hold the rest)


@settings(max_examples=100, **FAST)
@given(entries=st.lists(st.tuples(words, st.sampled_from(["text", "html"]), words),
                        min_size=1, max_size=3))
def test_feed_entries_lose_no_words(spec, entries):
    """Every word of an entry's title and content, text or HTML, reaches its article."""
    data = atom_feed([(" ".join(title), kind, (" ".join(body) if kind == "text" else
                                               f"<p>{' '.join(body)}</p>"))
                      for title, kind, body in entries])
    articles = feed_articles(spec, data)
    assert len(articles) == len(entries)
    for article, (title, _, body) in zip(articles, entries, strict=True):
        assert article.title == " ".join(title)
        found = seen(article)
        assert all(w in found for w in body), (body, found)


@settings(max_examples=150, **FAST)
@given(entries=st.lists(st.tuples(st.one_of(xml_text, st.sampled_from(DANGEROUS)),
                                  st.sampled_from(["text", "html", "xhtml"]),
                                  st.lists(st.one_of(xml_text, st.sampled_from(DANGEROUS),
                                                     st.sampled_from(XML_SNIPPETS)),
                                           max_size=6).map("".join)),
                        min_size=1, max_size=3))
def test_any_feed_entry_gives_well_formed_safe_articles_or_one_clean_error(spec, entries):
    """Entries with any title and content: articles as safe as any other, or a BuildError
    naming the feed."""
    try:
        articles = feed_articles(spec, atom_feed(entries))
    except BuildError as error:
        assert error.path in (spec.root / "feed.xml", spec.path) and error.message
        note_error(error)
        return
    for article in articles:
        assert_well_formed_and_safe(article)
        assert isinstance(article.title, str) and article.title


# ---------------------------------------------------------------- lists and web pages

@st.composite
def nested_list(draw) -> tuple[str, list[tuple[int, str]]]:
    """A Markdown list as editors write it: each item under its parent by the parent's
    content column (two spaces under `- `, three under `1. `), its markers mixed; with
    each item's depth and word. (A list that starts at another number cannot interrupt
    its parent's text: `- a` then `  2) b` is one paragraph, 'a 2) b'.)"""
    lines, items = [], []
    stack: list[int] = []  # the content column of each open level
    for n in range(draw(st.integers(1, 12))):
        depth = draw(st.integers(0, len(stack))) if stack else 0
        stack = stack[:depth]
        indent = stack[-1] if stack else 0
        marker = draw(st.sampled_from(["-", "*", "+", "1.", "1)"]))
        word = f"item{n}"
        lines.append(" " * indent + f"{marker} {word}")
        stack.append(indent + len(marker) + 1)
        items.append((depth, word))
    return "\n".join(lines) + "\n", items


@settings(max_examples=300, **FAST)
@given(case=nested_list())
@example(case=("1. a\n   - b\n     - c\n", [(0, "a"), (1, "b"), (2, "c")]))
def test_a_list_nested_by_its_content_column_keeps_every_item_at_its_depth(spec, case):
    """As CommonMark reads it: no item flattened into its parent's list, none lost."""
    text, items = case
    article = read(spec, "list.md", "---\ntitle: L\n---\n\nIntro.\n\n" + text)
    tree = fragment(body_markup(article.body))
    for depth, word in items:
        [li] = [li for li in tree.iter("li") if (li.text or "").strip() == word
                or "".join(li.itertext()).split()[:1] == [word]]
        assert sum(1 for a in li.iterancestors() if a.tag in ("ul", "ol")) == depth + 1, \
            (word, text, body_markup(article.body))


@settings(max_examples=120, **FAST)
@given(html=arbitrary_text, extract=st.booleans())
@example(html="<article><p>" + "The quay reopened after the works. " * 6 + "</p></article>",
         extract=True)
def test_any_web_page_reads_to_well_formed_safe_xhtml_or_one_clean_error(spec, html, extract):
    """A saved page, extracted or taken as it is: an article whose body and notes are
    well-formed XML with nothing dangerous left, or a BuildError naming the file."""
    path = spec.root / "page.html"
    write(path, f"<html><body>{html}</body></html>".encode("utf-8", "surrogatepass"))
    try:
        article = read_one(Entry(path, (), options=(("extract", extract),)), spec, "a001",
                           RULES, report())
    except BuildError as error:
        assert error.path == path and error.message
        note_error(error)
        return
    assert_well_formed_and_safe(article)
