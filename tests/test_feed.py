"""Feeds: each Atom or RSS entry becomes an article, cleaned like every other article;
bad feeds are clear errors; nothing outside the edition is read, nothing fetched."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import socket
import textwrap
import uuid
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.assemble import assemble
from builder.edition import load_edition
from builder.errors import BuildError, Report
from conftest import (
    FIXTURES,
    NS,
    assert_fails,
    build_edition,
    epubcheck_messages,
    run_edition,
)

FEEDS = FIXTURES / "feeds"


def load(path: Path):
    report = Report(stream=io.StringIO())
    return assemble(load_edition(path), report), report


def body(article) -> str:
    return "".join(p for p in article.body if isinstance(p, str))


def rss(*items: str, channel: str = "") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f'<title>T</title>{channel}\n' + "\n".join(items) + "\n</channel></rss>\n")


def item(title: str, text: str = "Some text.") -> str:
    return f"<item><title>{title}</title><description>{text}</description></item>"


def feed_edition(folder: Path, feed: str, entry: str = '{ feed = "feed.xml" }',
                 extra: str = "") -> Path:
    """An edition with one Markdown article and one feed (`feed` is the feed's text)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    (folder / "e.toml").write_text(textwrap.dedent(f"""\
        title = "T"
        date = 2026-11-21
        language = "en"
        {extra}
        [[sections]]
        title = "S"
        articles = [
          "a.md",
          {entry},
        ]
        """), encoding="utf-8")
    return folder / "e.toml"


# --- reading: the fixture edition, assembled once -------------------------------------


@pytest.fixture(scope="module")
def feeds():
    edition, report = load(FEEDS / "edition.toml")
    return {a.id: a for a in edition.articles}, [str(w) for w in report.warnings]


def test_entries_become_articles_in_feed_order_after_the_others(feeds):
    articles, _ = feeds
    assert [(i, a.source.name, a.title) for i, a in articles.items()] == [
        ("a001", "local.md", "Quay lights repaired"),
        ("a002", "atom.xml", "Tide tables revised for the winter"),
        ("a003", "atom.xml", "Gulls nested on the ferry terminal roof for…"),
        ("a004", "atom.xml", "Harbour notes: use <b> for bold"),
        ("a005", "atom.xml", "Le port en hiver"),
        ("a006", "rss.xml", "Neue Fähre für die Inseln"),
        ("a007", "rss.xml", "Der Leuchtturm bleibt bis zum Frühjahr geschlossen, sagt…"),
    ]


def test_atom_metadata(feeds):
    tide = feeds[0]["a002"]
    assert tide.authors == ("Mara Lind", "Tomas Berg")
    # the date as the feed wrote it (23:30 at UTC-5), not the UTC day after
    assert tide.date == dt.date(2026, 11, 20)
    assert tide.summary == "New tables for the winter months."
    assert tide.lang == "en-GB"


def test_entry_without_a_title_is_called_by_its_opening_words(feeds):
    gulls = feeds[0]["a003"]
    assert gulls.title == "Gulls nested on the ferry terminal roof for…"
    assert gulls.date == dt.date(2026, 11, 18)  # only <updated>
    assert gulls.summary is None  # the content is the body, not also a summary


def test_entry_without_authors_takes_the_feeds(feeds):
    assert feeds[0]["a003"].authors == ("Wire Desk",)


def test_plain_text_stays_text(feeds):
    notes = feeds[0]["a004"]
    assert notes.title == "Harbour notes: use <b> for bold"
    assert body(notes) == ("<p>Plain text keeps &lt;b&gt;its angle brackets&lt;/b&gt; as "
                           "text.</p><p>A second paragraph of harbour notes.</p>")


def test_entry_language_from_xml_lang(feeds):
    port = feeds[0]["a005"]
    assert port.lang == "fr"
    assert "Le port ferme à <em>dix-huit heures</em> en hiver." in body(port)


def test_rss_metadata(feeds):
    ferry, lighthouse = feeds[0]["a006"], feeds[0]["a007"]
    assert ferry.authors == ("Anna Schmidt",)  # dc:creator
    assert lighthouse.authors == ("Jo Smith",)  # "jo@example.com (Jo Smith)"
    assert (ferry.date, lighthouse.date) == (dt.date(2026, 11, 21), dt.date(2026, 11, 20))
    assert ferry.lang == lighthouse.lang == "de-DE"
    # with content:encoded the description is the summary; alone it is the body
    assert ferry.summary == "Die Reederei stellt ihr neues Schiff vor."
    assert "Platz für <strong>400 Fahrgäste</strong>" in body(ferry)
    assert lighthouse.summary is None
    assert "Der Leuchtturm bleibt bis zum Frühjahr geschlossen" in body(lighthouse)


def test_limit_keeps_the_newest_entries_in_feed_order(feeds):
    titles = [a.title for a in feeds[0].values()]
    assert not any("Alter Bericht" in t for t in titles)  # 2020: the oldest of three


def test_content_is_cleaned_like_any_article(feeds):
    tide = body(feeds[0]["a002"])
    assert "script" not in tide and "alert" not in tide and "onclick" not in tide
    assert "alert" not in feeds[0]["a002"].summary
    assert '<h2 id="a002-id-top">' in tide and 'href="#a002-id-top"' in tide
    # a relative image is read from beside the feed file (not from its xml:base)
    images = feeds[0]["a002"].resources
    assert len(images) == 1 and images[0].source == FEEDS / "wire" / "pic.png"
    assert f'<img src="{images[0].name}" alt="Tide gauge"/>' in tide
    assert '<span class="image-missing">[Old gauge]</span>' in tide
    assert "Sign up for our newsletter" not in tide


def test_warnings_name_the_feed_and_the_entry(feeds):
    warnings = feeds[1]
    # the feed file and the line in it the problem is on, then the entry
    where = r"tests/fixtures/feeds/wire/atom\.xml:\d+: entry 1 'Tide tables revised for the winter'"
    assert any(re.match(f"{where}: image left out: 'http://images.example.com/old.png'", w)
               for w in warnings), warnings
    assert any(re.match(f"{where}: removed site furniture", w) for w in warnings), warnings


def test_entry_without_content_is_skipped_with_a_warning(feeds):
    assert "tests/fixtures/feeds/wire/atom.xml: entry 5 'An empty promise' has no content " \
           "(no content, summary or description); skipped" in feeds[1]
    assert not any(a.title == "An empty promise" for a in feeds[0].values())


# --- reading: small feeds written by the tests ------------------------------------------


def test_entry_whose_content_cleans_to_nothing_is_skipped(tmp_path):
    edition = feed_edition(tmp_path, rss(
        item("Kept"), item("Only a script", "&lt;script&gt;alert(1)&lt;/script&gt;")))
    built, report = load(edition)
    assert [a.title for a in built.articles] == ["A", "Kept"]
    assert any("entry 2 'Only a script' has no content" in str(w) for w in report.warnings)


def test_feed_language_overridden_by_the_table_and_bad_ones_ignored(tmp_path):
    feed = rss(item("One"), channel="<language>English</language>")
    built, report = load(feed_edition(tmp_path / "bad", feed))
    assert built.articles[1].lang == "en"  # the edition's
    assert [str(w) for w in report.warnings] == [
        f"{tmp_path / 'bad' / 'feed.xml'}: the feed's language must be a BCP 47 language "
        f"tag such as 'en' or 'pt-BR', not 'English'; ignored (set 'lang' in the edition's "
        f"feed table to choose one)"]
    built, report = load(feed_edition(tmp_path / "set", feed, '{ feed = "feed.xml", '
                                                              'lang = "nl" }'))
    assert built.articles[1].lang == "nl" and report.warnings == []


def test_limit_without_dates_keeps_the_first_entries(tmp_path):
    edition = feed_edition(tmp_path, rss(item("One"), item("Two"), item("Three")),
                           '{ feed = "feed.xml", limit = 2 }')
    assert [a.title for a in load(edition)[0].articles] == ["A", "One", "Two"]


def test_a_date_not_understood_is_reported_and_left_out(tmp_path):
    edition = feed_edition(tmp_path, rss(
        "<item><title>One</title><pubDate>someday</pubDate><description>Text.</description>"
        "</item>"))
    built, report = load(edition)
    assert built.articles[1].date is None
    assert [w.message for w in report.warnings] == [
        "entry 1 'One': published date 'someday' not understood; the article has no date"]


def test_feed_globs_are_sorted_by_name(tmp_path):
    edition = feed_edition(tmp_path, rss(item("From b")), '{ feed = "*.xml" }')
    (tmp_path / "a-feed.xml").write_text(rss(item("From a")), encoding="utf-8")
    assert [a.title for a in load(edition)[0].articles] == ["A", "From a", "From b"]


def test_errors_inside_an_entry_name_it(tmp_path):
    edition = feed_edition(tmp_path, rss(item("x" * 600)))
    with pytest.raises(BuildError) as error:
        load(edition)
    assert error.value.path == tmp_path / "feed.xml"
    assert error.value.message.startswith(f"entry 1 '{'x' * 39}…': 'title' is 600 characters")


# --- errors, through the command --------------------------------------------------------


def test_malformed_feed_names_the_file_and_line(tmp_path):
    edition = feed_edition(tmp_path, rss(item("One"), "<item><title>Two</item>"))
    assert_fails(tmp_path, edition, "feed.xml:4: the feed is not well-formed XML: Opening "
                                    "and ending tag mismatch: title line 4 and item")


def test_undefined_entity_names_the_line(tmp_path):
    edition = feed_edition(tmp_path, rss(item("One"), item("Two&nbsp;three")))
    assert_fails(tmp_path, edition, "feed.xml:4: the feed is not well-formed XML: "
                                    "Entity 'nbsp' not defined")


@pytest.mark.parametrize("page", [
    "<html><body><p>A web page<br></body></html>",
    '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>A page</p>'
    "</body></html>",
    "",
])
def test_a_web_page_or_an_empty_file_is_not_a_feed(tmp_path, page):
    expected = {"<html>": "feed.xml:1: the feed is not well-formed XML",
                "<?xml ": "feed.xml: the file is not an Atom or RSS feed",
                "": "feed.xml: the feed file is empty"}[page[:6]]
    assert_fails(tmp_path, feed_edition(tmp_path, page), expected)


def test_a_feed_without_entries_names_the_edition_line(tmp_path):
    edition = feed_edition(tmp_path, rss())
    assert_fails(tmp_path, edition, "e.toml:9: the feed feed.xml has no entries with content")


@pytest.mark.parametrize(("entry", "expected"), [
    ('{ feed = "feed.xml", limt = 3 }',
     "e.toml:9: unknown key 'limt' in the feed table for 'feed.xml' (did you mean "
     "'limit'?); known keys: feed, limit, lang"),
    ('{ feed = "feed.xml", title = "Wire" }', "e.toml:9: unknown key 'title' in the feed "
                                              "table for 'feed.xml'"),
    ('{ feed = "feed.xml", limit = "3" }',
     "e.toml:9: 'limit' in the feed table for 'feed.xml' must be an integer"),
    ('{ feed = "feed.xml", limit = 0 }', "e.toml:9: 'limit' in the feed table for "
                                         "'feed.xml' must be 1 or more"),
    ('{ feed = "feed.xml", lang = "English" }', "e.toml:9: 'lang' must be a BCP 47"),
    ('{ feed = "feed.xml", path = "a.md" }', "e.toml:9: a table in 'articles' has either "
                                             "'path' (an article) or 'feed'"),
    ('{ feed = "gone.xml" }', "e.toml:9: feed 'gone.xml' not found"),
    ('{ feed = "../outside.xml" }', "e.toml:9: feed '../outside.xml' is outside the "
                                    "edition's folder"),
    ('"feed.xml"', "feed.xml: unknown article type '.xml'; use one of .docx, .htm, .html, "
                   ".markdown, .md, .odt, .txt "
                   '(for an Atom or RSS feed, list it as { feed = "feed.xml" })'),
    ('{ feed = "feed.xml" }, { feed = "feed.xml" }', "e.toml:9: feed feed.xml is listed "
                                                     "twice"),
])
def test_feed_table_errors(tmp_path, entry, expected):
    (tmp_path / "outside.xml").write_text(rss(item("Out")), encoding="utf-8")
    edition = feed_edition(tmp_path / "ed", rss(item("One")), entry)
    assert_fails(tmp_path, edition, expected)


def test_feed_content_naming_a_file_is_not_read_as_that_file(tmp_path):
    """Given bytes, feedparser opens the file they name: `<a/>` is well-formed XML and
    also the path of a file `>` in a folder `<a` of the working folder. We hand it a
    stream instead, so this is a feed with no entries, not that file's."""
    (tmp_path / "<a").mkdir()
    (tmp_path / "<a" / ">").write_text(rss(item("Outside secret")), encoding="utf-8")
    edition = feed_edition(tmp_path / "ed", "<a/>")
    result = assert_fails(tmp_path, edition, "feed.xml: the file is not an Atom or RSS feed")
    assert "Outside secret" not in result.stderr


# --- the outputs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_edition(FEEDS / "edition.toml", tmp_path_factory.mktemp("feeds-out"))


def test_epubcheck_reports_nothing(built):
    messages = epubcheck_messages(built.epub)
    assert messages == [], "\n".join(str(m) for m in messages)


def test_epub_has_a_document_per_entry(built):
    nav = built.epub_xml("EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    wire = [li for li in toc.findall("x:ol/x:li", NS) if li.findtext("x:span", namespaces=NS)
            == "Wire" or li.findtext("x:a", namespaces=NS) == "Wire"][0]
    assert [(a.get("href"), a.text) for a in wire.findall("x:ol/x:li/x:a", NS)] == [
        ("a002.xhtml", "Tide tables revised for the winter"),
        ("a003.xhtml", "Gulls nested on the ferry terminal roof for…"),
        ("a004.xhtml", "Harbour notes: use <b> for bold"),
        ("a005.xhtml", "Le port en hiver")]
    french = built.epub_xml("EPUB/a005.xhtml").find(".//x:article", NS)
    assert french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    with zipfile.ZipFile(built.epub) as z:
        names = z.namelist()
        tide = z.read("EPUB/a002.xhtml").decode()
    image = [n for n in names if n.startswith("EPUB/images/") and "cover" not in n]
    assert len(image) == 1 and image[0].removeprefix("EPUB/") in tide
    assert (FEEDS / "wire" / "pic.png").read_bytes() == built.epub_file(image[0])


def test_pdf_has_the_entries_titles_and_text(built):
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(built.pdf).pages)
    for expected in ("Tide tables revised for the winter", "By Mara Lind and Tomas Berg",
                     "The harbour office measured the spring tides again this autumn.",
                     "Gulls nested on the ferry terminal roof",
                     "Plain text keeps <b>its angle brackets</b> as text.",
                     "Le port ferme à dix-huit heures en hiver.",
                     "Neue Fähre für die Inseln", "Die neue Fähre bietet Platz für 400",
                     "Der Leuchtturm bleibt bis zum Frühjahr geschlossen"):
        assert expected in text, expected
    assert "Alter Bericht" not in text and "alert" not in text


def test_build_reports_the_warnings(built):
    assert "wire/atom.xml: entry 5 'An empty promise' has no content" in built.result.stderr
    assert "with 3 warnings" in built.result.stdout
    # nothing else on stderr: no library's own warnings (this build is typeset in parallel)
    assert all(line.startswith("warning: ") for line in built.result.stderr.splitlines())


def test_editing_the_feed_rebuilds(tmp_path):
    shutil.copytree(FEEDS, tmp_path / "ed")
    edition, out = tmp_path / "ed" / "edition.toml", tmp_path / "out"

    def build():
        result = run_edition("build", str(edition), "--out", str(out), "--format", "epub")
        assert result.returncode == 0, result.stderr
        return result.stdout

    build()
    assert "up to date:" in build()
    feed = tmp_path / "ed" / "rss.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace(
        "Neue Fähre für die Inseln", "Zweite Fähre für die Inseln"), encoding="utf-8")
    assert "wrote" in build()
    with zipfile.ZipFile(out / "edition.epub") as z:
        assert "Zweite Fähre für die Inseln" in z.read("EPUB/a006.xhtml").decode()


# --- hostile feeds: external entities and DTDs are never read or fetched -----------------


def connections_made(server: socket.socket) -> int:
    """Connections the kernel accepted for `server` (it queues them unanswered)."""
    server.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-feeds")
    token = f"SECRET-{uuid.uuid4().hex}"
    secret = base / "secret.txt"
    secret.write_text(token, encoding="utf-8")
    folder = base / "edition"
    folder.mkdir()
    (folder / "inside.txt").write_text(token, encoding="utf-8")
    (folder / "evil.dtd").write_text(f'<!ENTITY leak SYSTEM "file://{secret}">',
                                     encoding="utf-8")
    server = socket.create_server(("127.0.0.1", 0), backlog=16)
    web = f"http://127.0.0.1:{server.getsockname()[1]}"
    use = ('<item><title>{name} &leak; title</title><description>{name} &leak; text '
           f'&lt;img src="{web}/i.png" alt="web image"&gt;</description></item>')
    feeds = {  # each DOCTYPE on the line of the XML declaration, as feedparser keeps it
        "file-entity": f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>',
        "relative-entity": '<!DOCTYPE rss [<!ENTITY leak SYSTEM "inside.txt">]>',
        "web-entity": f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "{web}/entity">]>',
        "parameter-entity": f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{folder}/evil.dtd">'
                            f' %p;]>',
        "local-dtd": '<!DOCTYPE rss SYSTEM "evil.dtd">',
        "web-dtd": f'<!DOCTYPE rss SYSTEM "{web}/evil.dtd">',
    }
    for name, doctype in feeds.items():
        (folder / f"{name}.xml").write_text(
            f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>T</title>'
            f'{use.format(name=name)}</channel></rss>', encoding="utf-8")
    listed = ", ".join(f'{{ feed = "{name}.xml" }}' for name in feeds)
    (folder / "e.toml").write_text(
        f'title = "X"\ndate = 2026-01-01\nlanguage = "en"\nremote_images = true\n'
        f'[[sections]]\ntitle = "S"\narticles = [{listed}]\n', encoding="utf-8")
    built = build_edition(folder / "e.toml", base / "out")
    # the same entity declared on a line of its own: feedparser drops the DOCTYPE
    (folder / "lines.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY leak SYSTEM "file://{secret}">\n'
        f']>\n<rss version="2.0"><channel><title>T</title>{use.format(name="lines")}'
        f'</channel></rss>', encoding="utf-8")
    (folder / "e.toml").write_text(
        'title = "X"\ndate = 2026-01-01\nlanguage = "en"\n[[sections]]\ntitle = "S"\n'
        'articles = [{ feed = "lines.xml" }]\n', encoding="utf-8")
    failed = run_edition("build", str(folder / "e.toml"), "--out", str(base / "out2"))
    connections = connections_made(server)
    server.close()
    return built, failed, token, connections, feeds


def test_external_entities_and_dtds_are_never_read(hostile):
    built, _, token, _, feeds = hostile
    with zipfile.ZipFile(built.epub) as z:
        epub = {n: z.read(n) for n in z.namelist()}
    pdf = " ".join(page.extract_text() for page in PdfReader(built.pdf).pages)
    assert all(f"{name} title" in pdf for name in feeds)  # every feed was built
    assert not any(token.encode() in data for data in epub.values())
    assert token not in pdf and token.encode() not in built.pdf.read_bytes()
    assert token not in built.result.stdout + built.result.stderr


def test_nothing_is_fetched(hostile):
    built, _, _, connections, _ = hostile
    assert connections == 0
    assert "an address on this machine or a private network" in built.result.stderr


def test_an_entity_feedparser_cannot_read_is_a_clear_error(hostile):
    _, failed, token, _, _ = hostile
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "lines.xml: the feed cannot be read: undefined entity; entities from a DOCTYPE " \
           "or another file are not read" in failed.stderr
    assert token not in failed.stderr
