"""Every script a newsroom prints: drawn by the builder's own fonts on any machine, right
to left where the language is, Chinese, Japanese, Thai and Indic text set by their own
rules. The fixture edition (tests/fixtures/scripts/) has an article in each script and
is built on a machine without any font (conftest.scripts)."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from builder import fonts
from builder.labels import direction, long_date
from builder.readers.markdown import converter
from conftest import (
    FIXTURES,
    NS,
    ROOT,
    build_edition,
    machine_without_fonts,
    run_edition,
)

RTL_LETTERS = re.compile(r"[\u0590-\u05FF\u0600-\u06FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
BLOCKS = ("p", "li", "h1", "h2", "td", "th", "figcaption")


def letters(text: str, rtl: bool) -> str:
    """What is compared between the source and the PDF: letters and digits, without
    spaces, punctuation, hyphens or marks (a mark may be drawn as a glyph of its own); in
    right-to-left text, only its own letters (the Latin words and figures inside it run
    the other way)."""
    kept = [ch for ch in unicodedata.normalize("NFKD", text)
            if unicodedata.category(ch)[0] in "LN"]
    if rtl:
        return "".join(ch for ch in kept if ch.isalpha() and RTL_LETTERS.match(ch))
    return "".join(ch for ch in kept if not RTL_LETTERS.match(ch))


def block_text(block: etree._Element) -> str:
    """A block's text without its footnote calls (set raised, apart from the line)."""
    parts = [block.text or ""]
    for child in block:
        if child.get("role") != "doc-noteref":
            parts.append(block_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def pdf_lines(path: Path) -> list[list[tuple[float, float, str, str]]]:
    """Each page's lines, top to bottom: (x0, x1, text, font) of each glyph, by baseline."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            lines: dict[float, list] = defaultdict(list)
            for ch in page.chars:
                baseline = round(ch["matrix"][5])
                lines[baseline].append((ch["x0"], ch["x1"], ch["text"], ch["fontname"]))
            pages.append([sorted(lines[y]) for y in sorted(lines, reverse=True)])
    return pages


def line_text(line, rtl: bool) -> str:
    """A line's text in reading order: a right-to-left line is read from its right end."""
    return "".join(text for _, _, text, _ in (reversed(line) if rtl else line))


@pytest.fixture(scope="module")
def lines(scripts):
    return pdf_lines(scripts.pdf)


def articles(built) -> list[tuple[str, str, etree._Element]]:
    """(document name, language, its <article>) of each article of the EPUB."""
    found = []
    with zipfile.ZipFile(built.epub) as z:
        for name in sorted(n for n in z.namelist() if re.search(r"/a\d+\.xhtml$", n)):
            root = etree.fromstring(z.read(name))
            found.append((name, root.get("lang"), root.find(".//x:article", NS)))
    return found


INDIC = {"hi": "Devanagari", "bn": "Bengali", "ta": "Tamil"}


def test_every_article_is_in_the_pdf_in_reading_order(scripts, lines):
    """Each paragraph, heading, list item and table cell of every article, whatever its
    script, is found in the PDF's text: no text vanishes. (Indic text is checked glyph
    by glyph below: WeasyPrint 70 maps each glyph to one fixed text, so the text layer
    of a cluster whose glyphs are reordered or joined loses letters.)"""
    checked = 0
    for _name, lang, article in articles(scripts):
        if lang in INDIC:
            continue
        rtl = direction(lang) == "rtl"
        book = "".join(letters(line_text(line, rtl), rtl) for page in lines for line in page
                       if not line_text(line, rtl).strip().isdigit())  # (footnote calls)
        for block in article.iter(*(f"{{{NS['x']}}}{tag}" for tag in BLOCKS)):
            if block.get("class") == "kicker":  # the section's name, in the edition's language
                continue
            text = letters(block_text(block), rtl)
            if len(text) >= 2:
                assert text in book, (lang, block_text(block))
                checked += 1
    assert checked > 100


def drawn_glyphs(path: Path, font: str) -> Counter:
    """How often each glyph of a font (by the end of its name) is drawn in a PDF."""
    counted: Counter = Counter()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            names = {str(k): str(f.BaseFont) for k, f in page.Resources.Font.items()}
            current = ""
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    current = names.get(str(operands[0]), "")
                elif str(operator) in ("Tj", "TJ") and current.endswith(font):
                    items = operands[0] if str(operator) == "TJ" else operands
                    for item in items:
                        if isinstance(item, pikepdf.String):
                            data = bytes(item)
                            counted.update(int.from_bytes(data[i:i + 2], "big")
                                           for i in range(0, len(data), 2))
    return counted


@pytest.mark.parametrize("lang", sorted(INDIC))
def test_indic_text_is_drawn_glyph_for_glyph(scripts, lang):
    """Every glyph HarfBuzz shapes for the article's body (its conjuncts and vowel signs)
    is drawn, with our serif face of the script."""
    import uharfbuzz as hb

    [article] = [a for _, language, a in articles(scripts) if language == lang]
    serif = "NotoSerifDevanagari" if lang == "hi" else f"NotoSerif{INDIC[lang]}"
    face = hb.Face((ROOT / "styles" / "fonts" / f"{serif}-Regular.ttf").read_bytes())
    font = hb.Font(face)
    expected: Counter = Counter()
    body = article.find(".//x:div[@class='body']", NS)
    for block in body.iter(f"{{{NS['x']}}}p", f"{{{NS['x']}}}li"):
        for word in block_text(block).split():
            buffer = hb.Buffer()
            buffer.add_str(word)
            buffer.guess_segment_properties()
            buffer.language = lang
            hb.shape(font, buffer)
            expected.update(info.codepoint for info in buffer.glyph_infos)
    assert sum(expected.values()) > 200
    missing = expected - drawn_glyphs(scripts.pdf, f"Edition-Serif-{INDIC[lang]}")
    assert not missing, missing


def test_headlines_in_every_script_are_on_the_cover_and_contents(scripts, lines):
    front = " ".join(line_text(line, False) for page in lines[:3] for line in page)
    for _name, lang, article in articles(scripts):
        if direction(lang) == "ltr":
            title = "".join(article.find(".//x:h1", NS).itertext())
            assert letters(title, False) in letters(front, False), (lang, title)


def test_only_the_builders_fonts_draw_text(scripts):
    """On a machine without fonts every glyph is drawn, by our fonts alone, each embedded
    once."""
    with pikepdf.open(scripts.pdf) as pdf:
        names, files = [], []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                names.append(str(obj.FontName).split("+")[-1])
                files.append(next(obj[k] for k in ("/FontFile2", "/FontFile3") if k in obj))
    assert names and all(name.startswith("Edition-") for name in names), names
    assert len(set(names)) == len(names)  # one font per font file
    assert drawn_glyphs(scripts.pdf, "")[0] == 0  # no .notdef: every character has a glyph
    assert {"Edition-Serif-Arabic", "Edition-Serif-Hebrew", "Edition-Serif-Devanagari",
            "Edition-Serif-Bengali", "Edition-Serif-Tamil", "Edition-Serif-Thai",
            "Edition-Serif-SC", "Edition-Serif-TC", "Edition-Serif-JP", "Edition-Serif-KR",
            "Edition-Emoji"} <= set(names)


def test_same_bytes_on_a_machine_with_many_fonts(scripts, tmp_path):
    """The machine's fonts change nothing: a machine that has its own Noto fonts and
    DejaVu (which the parallel build once embedded whole) gives the same files as one
    without any font."""
    conf = tmp_path / "many.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{ROOT / "styles" / "fonts"}</dir>
  <cachedir>{tmp_path / "cache"}</cachedir>
</fontconfig>
""", encoding="utf-8")
    import os

    many = build_edition(FIXTURES / "scripts" / "scripts.toml", tmp_path / "out",
                         env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    assert many.pdf.read_bytes() == scripts.pdf.read_bytes()
    assert many.epub.read_bytes() == scripts.epub.read_bytes()


def test_a_character_no_font_has_is_an_error_naming_the_article_and_line(tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "e.toml").write_text('title = "T"\ndate = 2026-11-21\nlanguage = "en"\n'
                                   '[[sections]]\ntitle = "S"\narticles = ["a.md"]\n',
                                   encoding="utf-8")
    (folder / "a.md").write_text("---\ntitle: A\n---\n\nFine text.\n\nMeetei: \uabc0\uabc1.\n",
                                 encoding="utf-8")
    env = machine_without_fonts(tmp_path / "machine")
    result = run_edition("build", str(folder / "e.toml"), "--out", str(tmp_path / "out"),
                         env=env)
    assert result.returncode == 1
    assert "a.md:7:" in result.stderr and "U+ABC0" in result.stderr
    assert "machine_fonts = true" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "e.pdf").exists() and not (tmp_path / "out" / "e.epub").exists()
    # The edition may allow the machine's fonts: then it builds, with a warning.
    toml = (folder / "e.toml").read_text(encoding="utf-8")
    (folder / "e.toml").write_text("machine_fonts = true\n" + toml, encoding="utf-8")
    result = run_edition("build", str(folder / "e.toml"), "--out", str(tmp_path / "out"),
                         env=env)
    assert result.returncode == 0, result.stderr
    assert "U+ABC0" in result.stderr and "machine's fonts" in result.stderr


def test_right_to_left_articles_say_so_in_the_epub(scripts):
    dirs = {lang: root_dir for lang, root_dir in (
        (etree.fromstring(zipfile.ZipFile(scripts.epub).read(name)).get("lang"),
         etree.fromstring(zipfile.ZipFile(scripts.epub).read(name)).get("dir"))
        for name, _, _ in articles(scripts))}
    assert dirs["ar"] == dirs["he"] == dirs["fa"] == "rtl"
    assert {dirs[lang] for lang in dirs if lang not in ("ar", "he", "fa")} == {None}
    contents = scripts.epub_xml("EPUB/contents.xhtml")
    title = contents.find(".//x:span[@lang='ar']", NS)
    assert title is not None and title.get("dir") == "rtl"  # isolated in the English list


def test_right_to_left_paragraphs_are_set_right_to_left(scripts, lines):
    """In the Arabic, Hebrew and Persian articles, lines end at the right edge of the
    text and the short last lines of paragraphs leave space on the left; in English, the
    other way round."""
    def edges(page_lines, script):
        found = [(line[0][0], line[-1][1]) for line in page_lines
                 if sum(bool(script.match(t)) for _, _, t, _ in line) > len(line) / 2
                 and len(line) > 5]
        return found

    arabic_pages = [page for page in lines
                    if sum(bool(RTL_LETTERS.match(t)) for line in page for _, _, t, _ in line)
                    > 200]
    assert len(arabic_pages) == 3
    for page in arabic_pages:
        found = edges(page, RTL_LETTERS)
        right = max(x1 for _, x1 in found)
        left = min(x0 for x0, _ in found)
        at_right = sum(abs(x1 - right) < 1.5 for _, x1 in found)
        at_left = sum(abs(x0 - left) < 1.5 for x0, _ in found)
        assert at_right >= 0.6 * len(found) and at_left < at_right, (at_right, at_left)
    english = next(page for page in lines
                   if "Harbour Life" in "".join(line_text(line, False) for line in page))
    found = edges(english, re.compile(r"[A-Za-z]"))
    left = min(x0 for x0, _ in found)
    right = max(x1 for _, x1 in found)
    assert sum(abs(x0 - left) < 1.5 for x0, _ in found) > \
        sum(abs(x1 - right) < 1.5 for _, x1 in found)


CLOSING = "。、，．」』）〕】！？：；"


def test_chinese_and_japanese_lines_never_start_with_closing_punctuation(scripts, lines):
    cjk = [page for page in lines if sum(any(f in font for f in ("SC", "TC", "JP"))
                                         for line in page for *_, font in line) > 100]
    assert len(cjk) >= 3
    starts = [line_text(line, False)[0] for page in cjk for line in page]
    assert len(starts) > 30 and not [s for s in starts if s in CLOSING]


def test_thai_breaks_between_words_inside_the_text_block(scripts, lines):
    [thai] = [page for page in lines
              if sum("Thai" in font for line in page for *_, font in line) > 100]
    body = [line for line in thai if sum("Thai" in font for *_, font in line) > 20]
    assert len(body) > 8  # the paragraphs are broken into lines…
    right = max(x1 for page in lines for line in page for _, x1, _, _ in line)  # the text's edge
    assert all(line[-1][1] <= right + 1 for line in body)  # …none running past the text


def test_epub_fonts_are_cut_to_the_books_characters(scripts, sample):
    with zipfile.ZipFile(scripts.epub) as z:
        packaged = {Path(n).name: z.read(n) for n in z.namelist()
                    if n.endswith((".ttf", ".otf"))}
        text = "".join(etree.fromstring(z.read(n)).xpath("string()")
                       for n in z.namelist() if n.endswith(".xhtml"))
    assert "NotoSerifCJKjp-Regular.otf" in packaged and "NotoNaskhArabic-Regular.ttf" in packaged
    whole = sum((ROOT / "styles" / "fonts" / name).stat().st_size for name in packaged)
    assert sum(map(len, packaged.values())) < whole / 10
    jp = TTFont(io.BytesIO(packaged["NotoSerifCJKjp-Regular.otf"])).getBestCmap()
    japanese = next(a for _, lang, a in articles(scripts) if lang == "ja")
    assert {ord(ch) for ch in "".join(japanese.itertext()) if not ch.isspace()} <= set(jp)
    assert len(jp) < 1500
    serif = TTFont(io.BytesIO(packaged["NotoSerif-Regular.ttf"])).getBestCmap()
    assert 0x2013 in serif  # written by a stylesheet ("\2013", a nested list's marker)
    with zipfile.ZipFile(sample.epub) as z:  # an English edition carries no other script
        names = {Path(n).name for n in z.namelist() if n.endswith((".ttf", ".otf"))}
    assert names and all(name.startswith(("NotoSerif-", "NotoSans-", "NotoSansMono-"))
                         for name in names), names
    assert text.strip()


@pytest.mark.parametrize("edition", ["editions/sample.toml",
                                     "tests/fixtures/scripts/scripts.toml"])
def test_a_parallel_pdf_is_as_small_as_one_typeset_in_one_piece(edition, tmp_path):
    env = machine_without_fonts(tmp_path / "machine")
    whole = build_edition(ROOT / edition, tmp_path / "one", "--jobs", "1", env=env)
    parallel = build_edition(ROOT / edition, tmp_path / "many", "--jobs", "2", env=env)
    assert parallel.pdf.read_bytes() != whole.pdf.read_bytes()  # typeset in chunks, joined
    assert parallel.pdf.stat().st_size <= 1.2 * whole.pdf.stat().st_size


def test_a_right_to_left_edition_opens_on_the_right(tmp_path):
    folder = tmp_path / "e"
    (folder / "articles").mkdir(parents=True)
    for name in ("ar.md", "fa.md"):
        shutil.copy(FIXTURES / "scripts" / "articles" / name, folder / "articles" / name)
    (folder / "e.toml").write_text(
        'title = "صحيفة المرفأ"\nissue = 3\ndate = 2026-11-21\nlanguage = "ar"\n'
        '[[sections]]\ntitle = "أخبار"\narticles = ["articles/ar.md", "articles/fa.md"]\n',
        encoding="utf-8")
    built = build_edition(folder / "e.toml", tmp_path / "out",
                          env=machine_without_fonts(tmp_path / "machine"))
    opf = built.epub_xml("EPUB/content.opf")
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    assert built.epub_xml("EPUB/contents.xhtml").get("dir") == "rtl"
    assert built.epub_xml("EPUB/nav.xhtml").get("dir") == "rtl"
    with pikepdf.open(built.pdf) as pdf:
        assert pdf.Root.ViewerPreferences.Direction == pikepdf.Name.R2L
    contents = built.epub_xml("EPUB/contents.xhtml")
    assert "المحتويات" in "".join(contents.itertext())  # its labels in Arabic
    import pdfplumber  # the running heads: the edition's title at the right, the section left

    with pdfplumber.open(built.pdf) as pdf:
        page = pdf.pages[-1]  # the Persian article's
        top = [c for c in page.chars if c["top"] < 55 and RTL_LETTERS.match(c["text"])]
        title = [c["x0"] for c in top if c["text"] in "صحيفةلم"]  # (letters only it has)
        section = [c["x0"] for c in top if c["text"] in "خب"]
    assert title and section and min(title) > max(section)


def test_stacks_in_the_stylesheet_match_the_fonts_the_builder_serves():
    """base.css gives text in a language its script's face first; builder/fonts.py, which
    decides which faces a book needs, must say the same."""
    css = (ROOT / "styles" / "base.css").read_text(encoding="utf-8")
    rules = re.findall(r"((?::lang\([^)]+\),?\s*)+)\{\s*--serif: \"Edition Serif ([^\"]+)\"",
                       css)
    assert len(rules) == 10
    for selectors, group in rules:
        for lang in re.findall(r":lang\(([^)]+)\)", selectors):
            assert fonts.first_group(lang) == group, lang
    families = {face.family for face in fonts.faces()}
    for family in re.findall(r'"(Edition [^"]+)"', css):
        assert family in families, family
    # The scripts after the text's own, in the order builder/fonts.py tries them.
    listed = []
    for name in ("--scripts-serif", "--cjk-serif", "--marks"):
        value = re.search(rf"{name}: ([^;]+);", css).group(1)
        listed += [f.removeprefix("Edition Serif ").removeprefix("Edition ")
                   for f in re.findall(r'"([^"]+)"', value)]
    assert tuple(listed) == fonts.SCRIPTS


def test_dates_and_quotation_marks_follow_the_language():
    import datetime as dt

    day = dt.date(2026, 11, 19)
    assert long_date(day, "en") == "19 November 2026"
    assert long_date(day, "de") == "19. November 2026"
    assert long_date(day, "ja") == long_date(day, "zh-Hant") == "2026年11月19日"
    assert long_date(day, "ko") == "2026년 11월 19일"
    assert "نوفمبر" in long_date(day, "ar")
    assert long_date(day, "x-unknown") == "2026-11-19"
    assert converter("ja").convert('彼は"はい"と言った。') == "<p>彼は「はい」と言った。</p>"
    assert converter("zh-TW").convert('他說"好"。') == "<p>他說「好」。</p>"
    assert converter("zh").convert('他说"好"。`"x"`') == \
        '<p>他说\u201c好\u201d。<code>"x"</code></p>'
    assert converter("ar").convert('قال "نعم".') == "<p>قال &laquo;نعم&raquo;.</p>"


def test_which_fonts_a_text_needs():
    assert fonts.needs("Harbour", "en").groups == frozenset()
    assert fonts.needs("港", "ja").groups == {"JP"}
    assert fonts.needs("港", "zh-Hant").groups == {"TC"}
    assert fonts.needs("港", "en").groups == {"SC"}  # Han in other text: Simplified
    assert fonts.needs("مرحبا 🌊 ✓", "en").groups == {"Arabic", "Emoji", "Symbols 2"}
    assert fonts.needs("a\u200db\ufe0f", "en").missing == ()
    assert fonts.needs("\uabc0", "en").missing == ("\uabc0",)


def test_a_drop_cap_never_tears_a_letter_from_its_neighbours(tmp_path):
    from builder.clean import clean_body
    from builder.errors import Report
    from builder.render import initial

    def opening(html: str) -> str:
        cleaned = clean_body(html, "a1", tmp_path / "a.md", tmp_path, (), Report(quiet=True))
        return initial(cleaned.body[0], cleaned.initial)

    assert opening("<p>Harbour</p>") == '<p><span class="initial">H</span>arbour</p>'
    assert opening("<p>“Harbour”</p>") == '<p><span class="initial">“H</span>arbour”</p>'
    assert opening("<p>港まつり</p>") == '<p><span class="initial">港</span>まつり</p>'
    for joined in ("<p>بدأت</p>", "<p>बंदरगाह</p>", "<p>ที่นี่</p>", "<h2>Head</h2><p>Text</p>",
                   "<p><em>Harbour</em></p>", "<p>— Harbour</p>"):
        # Arabic joins; a vowel sign or tone mark follows; no paragraph of text opens it
        assert opening(joined) == clean_body(joined, "a1", tmp_path / "a.md", tmp_path, (),
                                             Report(quiet=True)).body[0]


def test_the_drawn_cover_draws_every_headline_with_a_font_that_has_it(scripts):
    """The EPUB built alone (and the preview) shows a cover drawn with Pillow, which has
    no font fallback: each run of text goes to a face of ours that has its characters."""
    from builder.cover import _runs

    checked = 0
    for _name, lang, article in articles(scripts):
        title = "".join(article.find(".//x:h1", NS).itertext())
        for file, part in _runs(title, lang, sans=False, bold=False):
            have = fonts.cmap(file)
            assert all(ord(ch) in have for ch in part if fonts.drawn(ch)), (lang, file, part)
            checked += 1
    assert checked >= 12
    [(file, _)] = _runs("港まつり", "ja", sans=True, bold=True)
    assert file == "NotoSansCJKjp-Bold.otf"
