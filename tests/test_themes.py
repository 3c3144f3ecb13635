"""Themes, the magazine layout, house-style overrides, figures, pull quotes and datelines,
on editions built through the CLI."""

from __future__ import annotations

import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import (
    GOOD,
    NS,
    ROOT,
    assert_fails,
    build_edition,
    epubcheck_messages,
    run_edition,
    write_edition,
)

SAMPLE_TOML = (ROOT / "editions" / "sample.toml").read_text(encoding="utf-8")
HOUSE_MARK = "Printed for the House of Test"


def sample_copy(folder: Path, **keys: str) -> Path:
    """The sample edition in `folder`, with extra top-level keys."""
    shutil.copytree(ROOT / "editions" / "sample", folder / "sample")
    extra = "".join(f'{key} = "{value}"\n' for key, value in keys.items())
    (folder / "e.toml").write_text(SAMPLE_TOML.replace('page_size = "A4"\n',
                                                       f'page_size = "A4"\n{extra}'),
                                   encoding="utf-8")
    return folder / "e.toml"


def words(pdf: Path, page: int) -> list[dict]:
    with pdfplumber.open(pdf) as document:
        return document.pages[page - 1].extract_words(extra_attrs=["fontname", "size"])


def page_of(pdf: Path, text: str) -> int:
    """The first page with `text` (in any case)."""
    for number, page in enumerate(PdfReader(pdf).pages, 1):
        if text.lower() in " ".join((page.extract_text() or "").split()).lower():
            return number
    raise AssertionError(f"{text!r} is not in {pdf}")


OPENING = "By Marta Lindgren"  # the byline of the first article (the cover shows its title)


def title_words(pdf: Path, first: str = "Dredging") -> list[dict]:
    found = words(pdf, page_of(pdf, OPENING))
    size = next(w["size"] for w in found if w["text"] == first)
    return [w for w in found if abs(w["size"] - size) < 0.1]


def epub_names(built) -> list[str]:
    with zipfile.ZipFile(built.epub) as z:
        return z.namelist()


def assert_epubcheck_clean(built) -> None:
    messages = epubcheck_messages(built.epub)
    assert messages == [], "\n".join(str(m) for m in messages)


# --- The magazine theme and layout ---------------------------------------------------

@pytest.fixture(scope="module")
def magazine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("magazine")
    return build_edition(sample_copy(folder, theme="magazine", layout="magazine"),
                         folder / "out")


@pytest.fixture(scope="module")
def magazine_theme(tmp_path_factory):
    folder = tmp_path_factory.mktemp("magazine-theme")
    return build_edition(sample_copy(folder, theme="magazine"), folder / "out")


def test_the_magazine_theme_has_its_own_stylesheet_in_both_outputs(magazine, sample):
    assert "EPUB/styles/themes/magazine.css" in epub_names(magazine)
    assert "EPUB/styles/themes/classic.css" not in epub_names(magazine)
    assert "EPUB/styles/themes/classic.css" in epub_names(sample)
    links = [link.get("href") for link in magazine.epub_xml("EPUB/a001.xhtml").iterfind(
        ".//x:link", NS)]
    assert links[-1] == "styles/themes/magazine.css"
    assert not any("layout" in href for href in links), "the EPUB stays one column"


def test_the_magazine_theme_sets_sans_headlines_and_leads_with_the_picture(
        magazine_theme, sample):
    classic = title_words(sample.pdf)
    themed = title_words(magazine_theme.pdf)
    assert all("Edition-Serif-Bold" in w["fontname"] for w in classic)
    assert all("Edition-Sans-Bold" in w["fontname"] for w in themed)
    assert themed[0]["size"] > classic[0]["size"] + 4
    with pdfplumber.open(magazine_theme.pdf) as pdf:
        page = pdf.pages[page_of(magazine_theme.pdf, OPENING) - 1]
        image_bottom = max(image["bottom"] for image in page.images)
    assert themed[0]["top"] > image_bottom, "the lead image opens the article"
    doc = magazine_theme.epub_xml("EPUB/a001.xhtml")
    first = [el for el in doc.find(".//x:article", NS) if el.get("role") != "doc-pagebreak"][0]
    assert first.get("class") == "lead-image"
    assert doc.findtext(".//x:span[@class='initial']", namespaces=NS) == "T"


def line_starts(found: list[dict], font: str, size: float) -> set[int]:
    """The x position of the first word of each line set in `font` at `size`."""
    lines: dict[int, float] = {}
    for word in found:
        if font in word["fontname"] and abs(word["size"] - size) < 0.2:
            top = round(word["top"])
            lines[top] = min(lines.get(top, word["x0"]), word["x0"])
    return {round(x) for x in lines.values()}


def body_size(found: list[dict]) -> float:
    return next(w["size"] for w in found if w["text"] == "Sandpiper")


def test_the_magazine_layout_sets_the_body_in_two_columns_under_a_spanning_head(
        magazine, sample):
    page = page_of(magazine.pdf, OPENING)
    found = words(magazine.pdf, page)
    starts = line_starts(found, "Edition-Serif", body_size(found))
    width = float(PdfReader(magazine.pdf).pages[page - 1].mediabox[2])
    left, right = [x for x in starts if x < width / 2], [x for x in starts if x > width / 2]
    assert left and right, f"body lines start at {sorted(starts)}"
    head = title_words(magazine.pdf)
    assert min(w["x0"] for w in head) < min(left) + 1
    assert max(w["x1"] for w in head) > min(right), "the headline spans both columns"
    classic = words(sample.pdf, page_of(sample.pdf, OPENING))
    assert all(x < width / 2 for x in line_starts(classic, "Edition-Serif",
                                                  body_size(classic)))


def test_footnotes_stay_at_the_foot_of_their_page_in_two_columns(magazine):
    texts = [" ".join((p.extract_text() or "").split()) for p in PdfReader(magazine.pdf).pages]
    for call, note in (("schedule1", "1. The schedule is posted"),
                       ("October2", "2. The cooperative had threatened")):
        calls = [n for n, t in enumerate(texts) if call in t]
        notes = [n for n, t in enumerate(texts) if note in t]
        assert len(calls) == 1 and calls == notes, (call, calls, notes)
    page = calls[0] + 1
    found = words(magazine.pdf, page)
    note_top = min(w["top"] for w in found if w["text"] == "cooperative" and w["size"] < 9)
    size = body_size(words(magazine.pdf, page_of(magazine.pdf, OPENING)))
    body_bottom = max(w["bottom"] for w in found if abs(w["size"] - size) < 0.05)
    assert note_top > body_bottom, "the notes are under both columns"


def test_themed_and_laid_out_edition_is_valid_and_complete(magazine):
    assert "refused" not in magazine.result.stderr  # the cover story's picture, say
    with pdfplumber.open(magazine.pdf) as pdf:
        assert pdf.pages[0].images, "the cover shows the cover story's picture"
    assert_epubcheck_clean(magazine)


# --- Figures, pull quotes, datelines ---------------------------------------------------

def test_a_titled_image_alone_in_a_paragraph_is_a_figure_with_its_caption(sample):
    doc = sample.epub_xml("EPUB/a003.xhtml")
    figure = doc.find(".//x:div[@class='body']/x:figure", NS)
    img = figure.find("x:img", NS)
    assert img.get("alt").startswith("Bar chart of the mean water level")
    assert img.get("title") is None
    assert figure.findtext("x:figcaption", namespaces=NS).startswith(
        "Mean water level at the harbour gauge, in centimetres, by month.")


@pytest.mark.parametrize("name", ["sample", "magazine"])
def test_the_caption_is_printed_under_its_image(name, request):
    built = request.getfixturevalue(name)
    page = page_of(built.pdf, "Mean water level at the harbour gauge")
    with pdfplumber.open(built.pdf) as pdf:
        chart = [i for i in pdf.pages[page - 1].images if i["width"] < i["height"] * 3]
        bottom = max(i["bottom"] for i in chart)
        left, right = min(i["x0"] for i in chart), max(i["x1"] for i in chart)
    caption = [w for w in words(built.pdf, page) if w["text"] == "Mean"]
    assert caption and 0 < caption[0]["top"] - bottom < 30
    assert left - 60 < caption[0]["x0"] < right


def test_pull_quotes_are_marked_for_readers_and_set_large(sample):
    doc = sample.epub_xml("EPUB/a001.xhtml")
    quote = doc.find(".//x:aside[@class='pullquote']", NS)
    assert quote.get("role") == "doc-pullquote"
    assert "".join(quote.itertext()).strip() == \
        "The question was never whether to dredge, only when."
    assert "[!pullquote]" not in sample.epub_file("EPUB/a001.xhtml").decode()
    found = words(sample.pdf, 4)
    quoted = next(w for w in found if w["text"] == "dredge," and "Italic" in w["fontname"])
    assert quoted["size"] > body_size(found) * 1.2


def test_the_dateline_opens_the_first_paragraph(sample):
    doc = sample.epub_xml("EPUB/a003.xhtml")
    first = doc.find(".//x:div[@class='body']/x:p", NS)
    assert first.findtext("x:span[@class='dateline']", namespaces=NS) == "Gull Point"
    assert "".join(first.itertext()).startswith("Gull Point — Three summers after")
    text = " ".join(PdfReader(sample.pdf).pages[6].extract_text().split())
    assert "GULL POINT — Three summers after volunteers" in text


def test_author_html_cannot_fake_what_the_builder_marks_up(tmp_path):
    article = textwrap.dedent("""\
        ---
        title: Tricks
        dateline: Dover
        ---

        <aside class="pullquote" role="doc-pullquote">Sneaked in</aside>

        > [!PULLQUOTE]
        > Upper case marker, still a pull quote.

        Between the quotes.

        > [!pullquote]

        ![Gauge](gauge.png "")
        """)
    folder = tmp_path / "ed"
    edition = sample_edition(folder, article)
    built = build_edition(edition, tmp_path / "out", "--format", "epub")
    doc = built.epub_xml("EPUB/a001.xhtml")
    asides = doc.findall(".//x:div[@class='body']//x:aside", NS)
    assert ["".join(a.itertext()).strip() for a in asides] == [
        "Upper case marker, still a pull quote."]
    assert "Sneaked in" in "".join(doc.find(".//x:div[@class='body']", NS).itertext())
    assert doc.find(".//x:div[@class='body']/x:blockquote", NS) is not None  # marker alone
    assert doc.find(".//x:figure[x:figcaption]", NS) is None  # an empty title: no caption
    assert doc.findtext(".//x:p[@class='dateline-alone']/x:span", namespaces=NS) == "Dover"
    assert_epubcheck_clean(built)


def sample_edition(folder: Path, article: str) -> Path:
    edition = write_edition(folder, GOOD.replace("Test Weekly", "House Weekly")
                            .replace("issue = 1", "issue = 3"), article)
    shutil.copy(ROOT / "editions" / "sample" / "images" / "water-levels.png",
                folder / "gauge.png")
    return edition


# --- House style: the edition's own templates and styles -------------------------------

def house_style(folder: Path) -> None:
    """Templates and styles of a publisher's own, in the edition's folder."""
    templates, styles = folder / "templates", folder / "styles"
    (styles / "fonts").mkdir(parents=True)
    templates.mkdir()
    article = (ROOT / "templates" / "article.html").read_text(encoding="utf-8")
    marked = article.replace('<header class="article-head">',
                             f'<header class="article-head">\n<p class="house">{HOUSE_MARK}</p>')
    assert marked != article
    (templates / "article.html").write_text(marked, encoding="utf-8")
    base = (ROOT / "styles" / "base.css").read_text(encoding="utf-8")
    (styles / "base.css").write_text(base + "\n.summary { font-size: 17pt; }\n",
                                     encoding="utf-8")
    shutil.copy(ROOT / "styles" / "fonts" / "NotoSans-Bold.ttf", styles / "fonts" / "Quay.ttf")
    (styles / "house.css").write_text(textwrap.dedent("""\
        @font-face { font-family: "Quay Display"; src: url("fonts/Quay.ttf"); }
        .article-head .title { font-family: "Quay Display"; font-size: 31pt; }
        """), encoding="utf-8")


@pytest.fixture(scope="module")
def house(tmp_path_factory):
    folder = tmp_path_factory.mktemp("house")
    edition = sample_copy(folder)
    house_style(folder)
    return build_edition(edition, folder / "out")


def test_an_override_template_is_used_in_both_outputs(house):
    assert HOUSE_MARK in house.epub_file("EPUB/a001.xhtml").decode()
    assert HOUSE_MARK in PdfReader(house.pdf).pages[page_of(house.pdf, OPENING)
                                                     - 1].extract_text()


def test_override_styles_replace_ours_and_house_css_comes_last(house):
    names = epub_names(house)
    assert house.epub_file("EPUB/styles/base.css").endswith(b".summary { font-size: 17pt; }\n")
    assert "EPUB/styles/house.css" in names and "EPUB/styles/fonts/Quay.ttf" in names
    opf = house.epub_file("EPUB/content.opf").decode()
    assert re.search(r'href="styles/fonts/Quay.ttf"[^>]*media-type="font/ttf"', opf)
    links = [link.get("href") for link in house.epub_xml("EPUB/a001.xhtml").iterfind(
        ".//x:link", NS)]
    assert links[-1] == "styles/house.css"
    head = title_words(house.pdf)
    assert round(head[0]["size"]) == 31 and "Quay-Display" in head[0]["fontname"]
    found = words(house.pdf, page_of(house.pdf, OPENING))
    assert round(next(w["size"] for w in found if w["text"] == "40,000")) == 17
    assert_epubcheck_clean(house)


def built_pdf(tree: Path, out: str, *extra: str) -> tuple[str, bytes]:
    result = run_edition("build", str(tree / "e.toml"), "--out", str(tree / out),
                         "--jobs", "2", *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout, (tree / out / "e.pdf").read_bytes()


def test_a_changed_or_added_override_rebuilds_and_reaches_the_pdf(tmp_path):
    sample_copy(tmp_path)
    house_style(tmp_path)
    said, first = built_pdf(tmp_path, "out")
    said, _ = built_pdf(tmp_path, "out")
    assert said.count("up to date") == 2
    sheet = tmp_path / "styles" / "house.css"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("31pt", "26pt"),
                     encoding="utf-8")
    said, changed = built_pdf(tmp_path, "out")
    assert "up to date" not in said and changed != first
    assert round(title_words(tmp_path / "out" / "e.pdf")[0]["size"]) == 26
    assert changed == built_pdf(tmp_path, "cold", "--no-cache")[1]
    (tmp_path / "templates" / "masthead.html").write_text(
        '<section class="masthead" id="title-page"><h1 class="masthead-title">'
        '{{ edition.title }}</h1><p>Our own title page</p></section>\n', encoding="utf-8")
    said, added = built_pdf(tmp_path, "out")
    assert "up to date" not in said
    assert "Our own title page" in PdfReader(tmp_path / "out" / "e.pdf").pages[1].extract_text()
    (tmp_path / "styles" / "house.css").unlink()
    said, removed = built_pdf(tmp_path, "out")
    assert "up to date" not in said
    assert round(title_words(tmp_path / "out" / "e.pdf")[0]["size"]) == 22


@pytest.mark.parametrize("where", ["templates/article.html", "styles/house.css",
                                   "styles/fonts/Evil.ttf"])
def test_an_override_may_not_lead_outside_the_edition_folder(tmp_path, where):
    folder = tmp_path / "ed"
    edition = sample_edition(folder, "---\ntitle: A\n---\n\nText.\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("not the publisher's", encoding="utf-8")
    link = folder / where
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    assert_fails(tmp_path, edition, "leads outside the edition's folder")


def test_a_mistake_in_an_override_template_names_its_file_and_line(tmp_path):
    folder = tmp_path / "ed"
    edition = sample_edition(folder, "---\ntitle: A\n---\n\nText.\n")
    (folder / "templates").mkdir()
    (folder / "templates" / "masthead.html").write_text(
        "<section>\n<h1>{{ edition.titel }}</h1>\n</section>\n", encoding="utf-8")
    result = assert_fails(tmp_path, edition, "template error")
    assert re.search(r"templates/masthead\.html:2: template error: .*titel", result.stderr)
    (folder / "templates" / "masthead.html").write_text("<h1>{% if %}</h1>\n",
                                                        encoding="utf-8")
    assert_fails(tmp_path, edition, "masthead.html:1: template error")


def test_a_font_file_that_is_not_a_font_is_refused(tmp_path):
    folder = tmp_path / "ed"
    edition = sample_edition(folder, "---\ntitle: A\n---\n\nText.\n")
    (folder / "styles" / "fonts").mkdir(parents=True)
    (folder / "styles" / "fonts" / "Broken.otf").write_text("<html>", encoding="utf-8")
    assert_fails(tmp_path, edition, "not a TrueType, OpenType or WOFF font file")
