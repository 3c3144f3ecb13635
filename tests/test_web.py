"""Saved web pages: the article without the site around it, the page's metadata, its
encoding; `extract = false` for a page that is all article; mistakes are clear."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from builder.assemble import assemble
from builder.edition import load_edition
from builder.errors import BuildError, Report
from builder.readers.web import KEPT_AT_LEAST, check_kept, fragment, page_text, parse_page
from conftest import FIXTURES, NS, assert_fails, build_edition, epubcheck_messages

WEB = FIXTURES / "web"

# Every paragraph of the saved article (harbour.html), as a reader sees it.
PARAGRAPHS = (
    "The island ferry will sail less often from the first of December, the harbour "
    "authority said on Thursday, after a year in which the crossings ran half empty on "
    "most weekday afternoons.",
    "Under the new timetable the first boat still leaves the mainland quay at 06:40, but "
    "the last crossing of the day will leave at 21:15 instead of 22:15, and there will be "
    "no sailings in the middle of the afternoon.",
    "Commuters who work on the mainland will notice little difference in the morning. The "
    "changes fall mostly on the evening, when the Nordlys will make three return trips "
    "instead of five.",
    "The harbour authority published the evening departures for weekdays from December, "
    "which it says will be reviewed again before the summer season.",
    "Not everyone on the island is pleased. The chair of the residents' association, "
    "Ingrid Holm, said the evening cuts would make it harder to see a film or a concert "
    "on the mainland and still get home the same night.",
    "We were told the ferry is our road. You do not close a road at nine in the evening.",
    "The authority said it would look again at the timetable in March, when it expects to "
    "have the numbers from the first winter under the new pattern of sailings.",
)
# What the page holds around the article, one phrase of each part.
FURNITURE = {
    "cookie banner": "We use cookies",
    "cookie buttons": "Manage preferences",
    "site navigation": "Weather and tides",
    "subscribe button": "Subscribe from 1 krone",
    "advertisement": "Fresh herring at Kaimarkt",
    "inline advertisement": "Book your winter cabin",
    "share buttons": "Share on Facebook",
    "share bar": "LinkedIn",
    "byline link": "Email this story",
    "newsletter box": "Harbour Briefing",
    "newsletter text": "straight to your inbox",
    "related stories": "Study finds a bridge",
    "comments": "Harbourwatcher42",
    "comment text": "Shameful decision",
    "comment form": "Post comment",
    "footer": "Editor in chief",
    "footer links": "Contact the newsroom",
}


def copy_site(folder: Path) -> Path:
    """The fixture pages in `folder`, with the image the saved page shows."""
    shutil.copytree(WEB, folder)
    (folder / "harbour_files").mkdir()
    Image.new("RGB", (60, 40), (20, 90, 160)).save(folder / "harbour_files" / "ferry.png")
    return folder / "edition.toml"


def load(path: Path):
    report = Report(stream=io.StringIO())
    return assemble(load_edition(path), report), report


def body(article) -> str:
    return "".join(p for p in article.body if isinstance(p, str))


def text_of(html: str) -> str:
    root = etree.fromstring(f"<div>{html}</div>".encode())
    return " ".join("".join(root.itertext()).split())


def page_edition(folder: Path, page: str | bytes, entry: str = '"page.html"',
                 extra: str = "") -> Path:
    """An edition of one page (`page`: its HTML, or its bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = page.encode() if isinstance(page, str) else page
    (folder / "page.html").write_bytes(data)
    (folder / "e.toml").write_text(textwrap.dedent(f"""\
        title = "T"
        date = 2026-11-21
        language = "en"
        {extra}
        [[sections]]
        title = "S"
        articles = [{entry}]
        """), encoding="utf-8")
    return folder / "e.toml"


def article_page(head: str = "", lang: str = "en", paragraphs: int = 4) -> str:
    """A small page with a real article and a head of our choosing."""
    text = "".join(f"<p>Paragraph {n} says what the harbour master saw on the quay this "
                   f"morning, when the fog lifted and the boats went out again.</p>"
                   for n in range(1, paragraphs + 1))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">\n{head}\n'
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>Fog lifts</h1>"
            f"{text}</article><footer>Site footer</footer></body></html>")


# --- reading: the fixture pages, assembled once ---------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    edition, report = load(copy_site(tmp_path_factory.mktemp("web") / "site"))
    return {a.source.name: a for a in edition.articles}, report


def test_every_paragraph_of_the_article_is_kept(pages):
    text = text_of(body(pages[0]["harbour.html"]))
    for paragraph in PARAGRAPHS:
        assert paragraph in text, paragraph


@pytest.mark.parametrize("phrase", FURNITURE.values(), ids=FURNITURE.keys())
def test_the_site_around_the_article_is_left_out(pages, phrase):
    assert phrase not in text_of(body(pages[0]["harbour.html"]))


def test_structure_is_kept(pages):
    html = body(pages[0]["harbour.html"])
    assert re.findall(r"<h2>(.*?)</h2>", html) == [
        "What changes for commuters", "The new evening departures", "Islanders divided"]
    assert re.findall(r"<li>(.*?)</li>", html) == [
        "The 13:30 and 15:00 sailings are withdrawn on weekdays.",
        "The last boat from the mainland leaves at 21:15.",
        "Weekend sailings stay as they are until the end of March."]
    assert "<thead><tr><th>Departure</th><th>From</th><th>Arrives</th></tr></thead>" in html
    assert "<td>Island pier</td>" in html
    assert re.search(r"<blockquote>\s*<p>We were told", html)
    assert "<strong>06:40</strong>" in html


def test_the_figure_keeps_its_image_and_caption(pages):
    article = pages[0]["harbour.html"]
    (image,) = article.resources
    assert image.source.name == "ferry.png"
    assert (f'<figure><img src="{image.name}" alt="The ferry Nordlys at the mainland quay"/>'
            f"<figcaption>The Nordlys will make three evening trips instead of five."
            f"</figcaption></figure>") in body(article)


def test_metadata_comes_from_the_page(pages):
    article = pages[0]["harbour.html"]
    assert article.title == "Ferry timetable changes for the winter"  # JSON-LD headline
    assert article.authors == ("Mara Lind", "Tomas Berg")  # JSON-LD people
    assert article.date == dt.date(2026, 11, 20)  # as written, in its own time zone
    assert article.summary == ("The island ferry will sail less often from December, and "
                               "the last crossing leaves an hour earlier.")
    assert article.lang == "en-GB"  # <html lang>


def test_the_title_is_not_repeated_as_the_first_heading(pages):
    html = body(pages[0]["harbour.html"])
    assert "Ferry timetable changes" not in html and "<h1" not in html


def test_links_within_the_site_become_web_links(pages):
    assert ('<a href="https://harbourgazette.example/documents/winter-timetable.pdf">new '
            'timetable</a>') in body(pages[0]["harbour.html"])


def test_a_windows_1252_page_is_read_as_it_says(pages):
    article = pages[0]["inselbote.html"]
    text = text_of(body(article))
    assert "„Wir haben lange auf dieses Schiff gewartet“, sagte der Kapitän" in text
    assert "dreißig Jahren" in text and "zehn Minuten kürzer dauern – und" in text
    assert "Startseite" not in text and "Alle Rechte vorbehalten" not in text
    # "<title>Headline – Site</title>" and the same headline opening the article
    assert article.title == "Neue Fähre für die Inseln"
    assert (article.lang, article.authors, article.date, article.summary) == (
        "de", ("Anna Schmidt",), dt.date(2026, 11, 19), "Die Reederei stellt ihr neues "
                                                        "Schiff vor.")


def test_extract_false_takes_the_fragment_as_it_is(pages):
    article = pages[0]["cms-export.html"]
    assert article.title == "Notes from the lighthouse keeper"  # its opening <h1>
    html = body(article)
    assert "<h3>Visitors</h3>" in html  # extraction would have dropped it, and the list
    assert "<li>Saturdays, 10:00 to 16:00</li><li>Groups of eight at most</li>" in html
    assert "keeper’s log now runs to <strong>forty</strong> volumes" in html
    assert "class=" not in html  # (the sanitiser's work, as for any article)
    assert "Follow us on Instagram" not in html  # trailing site furniture, as ever


def test_extract_false_on_a_whole_page_keeps_its_body_and_reads_its_head(tmp_path):
    edition = page_edition(tmp_path, article_page(
        '<title>Fog lifts</title><meta name="author" content="Ola Berg">'),
        '{ path = "page.html", extract = false }')
    built, _ = load(edition)
    article = built.articles[0]
    assert (article.title, article.authors) == ("Fog lifts", ("Ola Berg",))
    assert "Home" in body(article) and "Site footer" in body(article)  # all of it, as asked
    assert "<h1" not in body(article)  # the title, shown once


def test_the_fixture_pages_give_only_the_furniture_warning(pages):
    assert [w.code for w in pages[1].warnings] == ["furniture-removed"]


# --- reading: small pages written by the tests ------------------------------------------


def test_the_edition_table_wins_over_the_page(tmp_path):
    head = ('<title>Page title</title><meta name="author" content="Page Author">'
            '<meta property="article:published_time" content="2026-02-30">')
    edition = page_edition(tmp_path, article_page(head), '{ path = "page.html", title = '
                           '"Edition title", date = 2026-03-01, author = "Ed Itor" }')
    built, report = load(edition)
    article = built.articles[0]
    assert (article.title, article.date, article.authors) == (
        "Edition title", dt.date(2026, 3, 1), ("Ed Itor",))
    assert report.warnings == []  # the page's impossible date is not used, so not named


@pytest.mark.parametrize(("head", "line"), [
    ('<meta property="article:published_time" content="2026-13-45T08:00:00Z">', 2),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Fog lifts",'
     '\n "datePublished": "2026-02-30"}</script>', 3),
    ('<meta name="date" content="last Tuesday">', 2),
])
def test_an_impossible_date_in_the_page_is_named_and_left_out(tmp_path, head, line):
    built, report = load(page_edition(tmp_path, article_page(head)))
    assert built.articles[0].date is None
    (warning,) = report.warnings
    assert warning.code == "web-metadata" and warning.line == line
    assert re.fullmatch(r"the page's date is left out: 'date' must be a date like "
                        r"2026-11-21, not '.+' \(give 'date' in the edition's article "
                        r"table to set it\)", warning.message), warning.message


@pytest.mark.parametrize(("head", "expected"), [
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Site"},'
     '{"@type": ["NewsArticle", {"x": 1}], "headline": "From the graph", "author": '
     '"Ola Berg", "datePublished": "2026-10-05T23:30:00-05:00"}]}</script>',
     ("From the graph", ("Ola Berg",), dt.date(2026, 10, 5))),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
     '<meta property="og:title" content="From Open Graph">'
     '<meta name="date" content="Mon, 05 Oct 2026 08:00:00 +0200">',
     ("From Open Graph", (), dt.date(2026, 10, 5))),
])
def test_metadata_in_other_shapes(tmp_path, head, expected):
    built, report = load(page_edition(tmp_path, article_page(head)))
    article = built.articles[0]
    assert (article.title, article.authors, article.date) == expected
    assert report.warnings == []


def test_other_bad_metadata_is_named_and_left_out(tmp_path):
    head = f'<meta name="description" content="{"Long. " * 600}"><title>Fog lifts</title>'
    built, report = load(page_edition(tmp_path, article_page(head, lang="English")))
    article = built.articles[0]
    assert article.lang == "en" and article.summary is None and article.title == "Fog lifts"
    assert sorted(w.message.split(":")[0] for w in report.warnings) == [
        "the page's lang is left out", "the page's summary is left out"]


@pytest.mark.parametrize("page", [
    "<html><body><nav><a href='/a'>News</a> <a href='/b'>Sport</a></nav>"
    "<footer>© 2026 Example</footer></body></html>",
    "<html><body><nav><ul><li><a href='/a'>News</a></li><li><a href='/b'>Sport</a></li></ul>"
    "</nav><main><ul class='teasers'><li><a href='/x'>Ferry timetable changes for the "
    "winter</a></li><li><a href='/y'>New pier opens at the island harbour</a></li><li>"
    "<a href='/z'>Fares frozen for pensioners</a></li></ul></main></body></html>",
    "<html><body><div id='cookie'>We use cookies. Accept all</div><div class='error'>"
    "<h1>Page not found</h1></div></body></html>",
], ids=["menu", "headlines", "not found"])
def test_a_page_without_an_article_is_a_clear_error(tmp_path, page):
    assert_fails(tmp_path, page_edition(tmp_path / "ed", page),
                 'page.html: no article found in the page; if the whole page is the '
                 'article (an export from a CMS, say), list it as { path = "page.html", '
                 'extract = false }')


def test_an_empty_body_is_a_clear_error_even_without_extraction(tmp_path):
    page = "<html><head><title>T</title></head><body><script>x()</script></body></html>"
    assert_fails(tmp_path, page_edition(tmp_path / "ed", page, '{ path = "page.html", '
                                                               'extract = false }'),
                 "page.html: the page has no text in its <body>")


def test_trafilatura_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # (import fails)
    with pytest.raises(BuildError) as raised:
        load(page_edition(tmp_path, article_page()))
    assert raised.value.message.startswith("web pages need trafilatura, which cannot be "
                                           "loaded (")
    assert raised.value.message.endswith("); install the builder's dependencies again, or "
                                         "give the page with extract = false")


def test_extract_is_for_web_pages_only(tmp_path):
    edition = page_edition(tmp_path / "ed", article_page(), '{ path = "a.md", '
                                                            'extract = false }')
    (tmp_path / "ed" / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    assert_fails(tmp_path, edition, "e.toml:7: 'extract' in the article table for a.md "
                                    "applies to .htm, .html files only")


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "page.html: the page is empty"),
    (b"PK\x03\x04rest of a zip", "page.html: the file is a zip file"),
])
def test_files_that_are_no_pages(tmp_path, data, expected):
    assert_fails(tmp_path, page_edition(tmp_path / "ed", data), expected)


def test_remote_images_are_refused_unless_the_edition_allows_them(tmp_path):
    page = article_page().replace(
        "</article>", '<figure><img src="https://cdn.example/fog.jpg" alt="Fog">'
                      "<figcaption>The fog over the quay.</figcaption></figure>"
                      "<p>After the picture, the last paragraph of the article.</p></article>")
    built, report = load(page_edition(tmp_path, page))
    assert '<span class="image-missing">[Fog]</span>' in body(built.articles[0])
    assert [w.code for w in report.warnings] == ["image-refused"]


def test_numbered_lists_definitions_code_and_captions_are_kept(tmp_path):
    prose = ("<p>The keeper wrote down the weather at every change of watch, and the log "
             "shows how often the lamp had to be tended by hand.</p>")
    page = (f"<html><head><meta property='og:title' content='The keeper&amp;#39;s log'>"
            f"</head><body><article><h1>The keeper's log</h1>{prose}"
            "<ol><li>Trim<ul><li>the wick</li></ul></li><li>Light</li></ol>"
            f"{prose}<pre><code>lamp.trim()\nlamp.light()</code></pre>"
            "<table><caption>Lamp hours by month</caption><tr><th>Month</th><th>Hours</th>"
            f"</tr><tr><td>Jan</td><td>400</td></tr></table>{prose}"
            "<figure><img src='lamp.png' alt='The lamp'><figcaption>The lamp, <em>1902</em>."
            f"</figcaption></figure><dl><dt>Watch</dt><dd>Four hours on duty.</dd></dl>{prose}"
            "</article></body></html>")
    Image.new("RGB", (8, 8)).save(tmp_path / "lamp.png")
    built, _ = load(page_edition(tmp_path, page))
    article = built.articles[0]
    assert article.title == "The keeper's log"  # (a site's escaping undone, once)
    html = body(article)
    assert "<h1" not in html
    assert "<ol><li>Trim<ul><li>the wick</li></ul></li><li>Light</li></ol>" in html
    assert "<pre>lamp.trim()\nlamp.light()</pre>" in html
    assert re.search(r"<table id=\"a001-table-1\"><caption>Lamp hours by month</caption>"
                     r"<thead><tr><th>Month</th><th>Hours</th></tr></thead>", html)
    assert re.search(r"<figure><img [^>]+/><figcaption>The lamp, 1902\.</figcaption>"
                     r"</figure><dl><dt>Watch</dt><dd>Four hours on duty\.</dd></dl>", html)


def test_images_on_the_sites_server_are_web_images(tmp_path):
    page = article_page('<link rel="canonical" href="https://harbour.example/news/fog">')
    page = page.replace("<p>Paragraph 2", "<img src='/img/fog.jpg' alt='Fog'><img src="
                        "'//cdn.example/quay.jpg' alt='Quay'><p>Paragraph 2")
    built, report = load(page_edition(tmp_path, page))
    refused = "is not a file in the edition folder (remote and absolute references are refused)"
    fog, quay = (w.message for w in report.warnings)
    assert fog == f"image left out: 'https://harbour.example/img/fog.jpg' {refused}"
    # (trafilatura itself gives an address without a scheme one)
    assert re.fullmatch(rf"image left out: 'https?://cdn\.example/quay\.jpg' {re.escape(refused)}",
                        quay)


def test_an_image_alone_in_a_paragraph_becomes_the_figure(tmp_path):
    page = article_page().replace(
        "<p>Paragraph 2", "<figure><p><img src='lamp.png' alt='The lamp'></p><figcaption>"
                          "The lamp in 1902.</figcaption></figure><p>Paragraph 2")
    Image.new("RGB", (8, 8)).save(tmp_path / "lamp.png")
    built, _ = load(page_edition(tmp_path, page))
    assert re.search(r"</p><figure>\s*<img [^>]+/><figcaption>The lamp in 1902\."
                     r"</figcaption></figure><p>Paragraph 2", body(built.articles[0]))


# --- how much extraction keeps ------------------------------------------------------------


def test_extraction_that_drops_most_of_the_article_warns(tmp_path):
    paragraph = ("<p>The keeper wrote down the weather at every change of watch, and the "
                 "entries from the long winter show how often the lamp had to be tended "
                 "through the night by hand.</p>")
    page = (f"<html><body><article><h1>The keeper's log</h1>{paragraph}"
            f"<div class='comments-area'>{paragraph * 6}</div></article></body></html>")
    built, report = load(page_edition(tmp_path, page))
    assert built.articles[0].title == "The keeper's log"
    (warning,) = report.warnings
    assert warning.code == "web-extract"
    assert re.fullmatch(r"extraction kept 3\d of the 2\d\d words of the page's article "
                        r"\(1\d%\); check that nothing of the article is missing, or give "
                        r"the page with extract = false", warning.message), warning.message


@pytest.mark.parametrize(("kept", "warned"), [(49, True), (50, False), (100, False)])
def test_the_warning_threshold(kept, warned):
    assert KEPT_AT_LEAST == 0.5
    page = parse_page("<article>" + "<p>word</p>" * 100 + "</article>", Path("p.html"))
    # (words in blocks side by side are counted apart)
    report = Report(stream=io.StringIO())
    check_kept(fragment("<p>" + "word " * kept + "</p>"), page, Path("p.html"), report)
    assert [w.code for w in report.warnings] == (["web-extract"] if warned else [])


def test_a_short_page_is_not_measured():
    page = parse_page("<article><p>Three short words</p><nav>and a menu</nav></article>",
                      Path("p.html"))
    report = Report(stream=io.StringIO())
    check_kept(fragment("<p>Three short words</p>"), page, Path("p.html"), report)
    assert report.warnings == []


def test_verbose_says_how_much_was_kept(tmp_path):
    report = Report(stream=io.StringIO(), verbose=True)
    assemble(load_edition(copy_site(tmp_path / "site")), report)
    assert re.search(r"harbour\.html: kept 2\d\d of the 3\d\d words of the page's article "
                     r"\([6-9]\d%\)", report.stream.getvalue())


# --- encodings --------------------------------------------------------------------------


def decoded(data: bytes) -> tuple[str, list[str]]:
    report = Report(stream=io.StringIO())
    return page_text(Path("p.html"), data, report), [w.message for w in report.warnings]


@pytest.mark.parametrize(("data", "expected"), [
    ('<meta charset="utf-8"><p>Fähre</p>'.encode(), "Fähre"),
    ('<meta charset="ISO-8859-1"><p>Fähre – “neu”</p>'.encode("cp1252"), "Fähre – “neu”"),
    ("<meta http-equiv='content-type' content='text/html;charset=koi8-r'><p>Паром</p>"
     .encode("koi8-r"), "Паром"),
    ('<?xml version="1.0" encoding="iso-8859-15"?><p>10 €</p>'.encode("iso-8859-15"),
     "10 €"),
    (b"\xef\xbb\xbf<p>F\xc3\xa4hre</p>", "Fähre"),  # a byte-order mark
    ("\ufeff<p>Fähre</p>".encode("utf-16-le"), "Fähre"),
    ("<p>Fähre</p>".encode(), "Fähre"),  # nothing declared: UTF-8 if it is
    ("<p>Fähre</p>".encode("cp1252"), "Fähre"),  # else as browsers read it
])
def test_pages_are_decoded_as_they_declare(data, expected):
    text, warnings = decoded(data)
    assert expected in text and not text.startswith("\ufeff") and "<?xml" not in text
    assert warnings == []


def test_a_page_that_is_not_what_it_declares_is_warned_about():
    text, warnings = decoded('<meta charset="utf-8">\n<p>Fähre</p>'.encode("cp1252"))
    assert "F\ufffdhre" in text
    assert warnings == ["the page says it is utf-8, but byte 0xe4 at offset 27 is not; "
                        "such bytes are shown as '\ufffd'"]


def test_an_unknown_encoding_is_warned_about():
    text, warnings = decoded('<meta charset="x-klingon"><p>Fähre</p>'.encode())
    assert "Fähre" in text
    assert warnings == ["the page declares an encoding this builder does not know, "
                        "'x-klingon'; ignored"]


def test_a_bad_page_is_an_error_not_a_traceback():
    with pytest.raises(BuildError):
        parse_page("   ", Path("p.html"))


# --- the outputs --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-out")
    return build_edition(copy_site(folder / "site"), folder / "out")


def test_the_build_shows_nothing_but_its_warnings(built):
    assert all(line.startswith("warning: ") for line in built.result.stderr.splitlines())


def test_epubcheck_reports_nothing(built):
    messages = epubcheck_messages(built.epub)
    assert messages == [], "\n".join(str(m) for m in messages)


def test_the_epub_has_the_article_and_its_metadata(built):
    doc = built.epub_xml("EPUB/a001.xhtml")
    article = doc.find(".//x:article", NS)
    assert article.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert [h.text for h in article.iter("{*}h1")] == [
        "Ferry timetable changes for the winter"]  # once, as the title
    assert [h.text for h in article.iter("{*}h2")] == [
        "What changes for commuters", "The new evening departures", "Islanders divided"]
    assert [th.text for th in article.iterfind(".//x:thead//x:th", NS)] == [
        "Departure", "From", "Arrives"]
    assert article.findtext(".//x:figure/x:figcaption", namespaces=NS) == \
        "The Nordlys will make three evening trips instead of five."
    byline = " ".join("".join(article.find(".//x:p[@class='byline']", NS).itertext()).split())
    assert byline == "By Mara Lind and Tomas Berg · 20 November 2026"
    text = " ".join("".join(article.itertext()).split())
    for paragraph in PARAGRAPHS:
        assert paragraph in text, paragraph
    for phrase in FURNITURE.values():
        assert phrase not in text, phrase
    opf = built.epub_file("EPUB/content.opf").decode()
    assert "Mara Lind" in opf


def test_the_pdf_has_the_articles_text(built):
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(built.pdf).pages)
    for expected in ("Ferry timetable changes for the winter", "By Mara Lind and Tomas Berg",
                     "The island ferry will sail less often from the first of December",
                     "Neue Fähre für die Inseln", "dreißig Jahren",
                     "Notes from the lighthouse keeper"):
        assert expected in text, expected
    for phrase in ("We use cookies", "Harbourwatcher42", "Editor in chief"):
        assert phrase not in text, phrase
