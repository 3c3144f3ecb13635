"""`edition publish`: a static download site with OPDS and Atom feeds, checked in its
files, with feed parsers, and in a real headless Chromium."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import shutil
import threading
import zipfile
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import pytest
from lxml import etree, html
from PIL import Image

from conftest import FIXTURES, ROOT, run_edition, write_edition

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "dc": "http://purl.org/dc/terms/", "opf": "http://www.idpf.org/2007/opf",
      "dc11": "http://purl.org/dc/elements/1.1/"}
OPDS_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUISITION = "http://opds-spec.org/acquisition"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"
STEMS = ("harbour-47", "harbour-48")


@dataclass
class Site:
    folder: Path
    editions: list[Path]
    first: object  # CompletedProcess of the first publish
    second: object  # ... and of the second, with nothing changed
    before: dict  # site path -> (bytes, mtime_ns, inode) after the first
    after: dict  # ... and after the second

    def read(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()

    def page(self, name: str):
        return html.fromstring(self.read(name))

    def feed(self, name: str):
        return etree.fromstring(self.read(name))


def snapshot(folder: Path) -> dict:
    """Every file of the site but the build cache: bytes, modification time and inode."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and ".edition-cache" not in p.parts}


def publish(site: Path, *editions: Path, extra: tuple[str, ...] = ()):
    return run_edition("publish", *map(str, editions), "--site", str(site), "--jobs", "1",
                       *extra)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    work = tmp_path_factory.mktemp("publish")
    shutil.copytree(FIXTURES / "site", work / "src")
    editions = [work / "src" / f"{stem}.toml" for stem in STEMS]
    folder = work / "site"
    first = publish(folder, *editions)
    assert first.returncode == 0, first.stderr
    before = snapshot(folder)
    second = publish(folder, *editions)
    assert second.returncode == 0, second.stderr
    return Site(folder, editions, first, second, before, snapshot(folder))


# The command and the files it writes


def test_first_publish_builds_each_edition_and_names_the_site(site):
    out = site.first.stdout
    for edition in site.editions:
        assert re.search(rf"built: .*{edition.name} -> .*{edition.stem}/ \(EPUB [\d.]+ KB, "
                         rf"PDF [\d.]+ KB\)", out), out
    assert f"published 2 edition(s): {site.folder / 'index.html'}" in out
    for stem in STEMS:
        for name in (f"{stem}.epub", f"{stem}.pdf", "index.html"):
            assert (site.folder / stem / name).stat().st_size > 0
    assert {"index.html", "opds.xml", "feed.xml", "static/site.css"} <= set(site.before)


def test_second_publish_is_up_to_date_and_rewrites_nothing(site):
    out = site.second.stdout
    for edition in site.editions:
        assert re.search(rf"up to date: .*{edition.name} -> ", out), out
    assert "built:" not in out
    assert site.after.keys() == site.before.keys()
    for name, (data, mtime, inode) in site.after.items():
        assert (data, mtime, inode) == site.before[name], f"{name} was rewritten"


def test_index_lists_the_editions_newest_first(site):
    index = site.page("index.html")
    assert [h.text_content() for h in index.iter("h2")] == ["Issue 48", "Issue 47"]
    assert [a.get("href") for a in index.xpath("//h2/a")] == \
        ["harbour-48/index.html", "harbour-47/index.html"]


def test_index_shows_covers_contents_and_downloads_with_sizes(site):
    from builder.site_pages import human_size

    index = site.page("index.html")
    assert index.get("lang") == "en"
    cards = index.xpath("//li[contains(@class, 'edition-card')]")
    for card, stem in zip(cards, ("harbour-48", "harbour-47"), strict=True):
        image = card.xpath(".//img")[0]
        issue = stem.split("-")[1]
        assert image.get("alt") == f"Cover of The Harbour Weekly, Issue {issue}"
        assert (site.folder / image.get("src")).is_file()
        for fmt in ("epub", "pdf"):
            link = card.xpath(f".//a[@href='{stem}/{stem}.{fmt}']")[0]
            size = (site.folder / stem / f"{stem}.{fmt}").stat().st_size
            assert human_size(size) in link.text_content()
            assert fmt.upper() in link.text_content()
    text = cards[0].text_content()
    for title in ("The fish market moves indoors", "Partnerstadt feiert ihr Hafenfest"):
        assert title in text
    # Metadata is text: the title's markup is shown as characters, never made elements.
    assert "Q&A: <b>who</b> pays for the new pontoons?" in text
    assert not cards[0].xpath(".//b")
    assert index.xpath("//link[@rel='alternate'][@type=$t]/@href", t=OPDS_TYPE) == ["opds.xml"]
    assert index.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href") == \
        ["feed.xml"]


def test_edition_page_has_the_contents_and_downloads(site):
    page = site.page("harbour-48/index.html")
    assert page.xpath("//h1")[0].text_content() == "The Harbour Weekly"
    sections = page.xpath("//section[contains(@class, 'toc-section')]")
    assert [s.xpath("h3")[0].text_content() for s in sections] == ["Local", "Europe"]
    local = sections[0].xpath(".//li")
    assert [li.xpath("h4")[0].text_content() for li in local] == \
        ["The fish market moves indoors for the winter",
         "Q&A: <b>who</b> pays for the new pontoons?"]
    assert "By Priya Raman" in local[0].text_content()
    assert "Stalls open in the old customs shed" in local[0].text_content()
    assert "<script>alert(1)</script> stays text" in local[1].text_content()
    assert not page.xpath("//script")
    german = sections[1].xpath(".//li")[0]
    assert german.get("lang") == "de" and "Von Katrin Oberländer" in german.text_content()
    assert page.xpath("//a[@href='harbour-48.epub'][@type='application/epub+zip']")
    assert page.xpath("//a[@href='harbour-48.pdf'][@type='application/pdf']")
    assert page.xpath("//a[@href='../index.html']")


def test_covers_are_the_editions_own_or_generated_with_thumbnails(site):
    own = site.folder / "harbour-47"
    assert (own / "cover.jpg").read_bytes() == (FIXTURES / "site" / "cover.jpg").read_bytes()
    generated = site.folder / "harbour-48"
    with zipfile.ZipFile(generated / "harbour-48.epub") as epub:
        assert (generated / "cover.png").read_bytes() == epub.read("EPUB/images/cover.png")
    for folder, kind in ((own, "JPEG"), (generated, "PNG")):
        suffix = ".jpg" if kind == "JPEG" else ".png"
        with Image.open(folder / f"cover-thumb{suffix}") as thumb:
            assert thumb.format == kind and thumb.width == 320
        with Image.open(folder / f"cover{suffix}") as cover:
            assert abs(thumb.height / thumb.width - cover.height / cover.width) < 0.01


# The feeds


def links(entry, rel: str) -> list:
    return entry.xpath("a:link[@rel=$rel]", namespaces=NS, rel=rel)


def target(feed_url: str, href: str, site: Site) -> Path:
    """The file a feed link points at (relative links resolve against the feed)."""
    assert not urlsplit(href).scheme, href
    return site.folder / unquote(urljoin(feed_url, href))


def epub_identifier(path: Path) -> str:
    with zipfile.ZipFile(path) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    return opf.xpath("//dc11:identifier", namespaces=NS)[0].text


def check_feed_head(feed, self_type: str, name: str) -> None:
    assert feed.tag == f"{{{ATOM}}}feed"
    for child in ("id", "title", "updated"):
        assert feed.xpath(f"a:{child}", namespaces=NS)[0].text.strip()
    assert feed.xpath("a:id", namespaces=NS)[0].text.startswith("urn:uuid:")
    assert feed.xpath("a:author/a:name", namespaces=NS)[0].text == "Harbour Press"
    assert RFC3339.match(feed.xpath("a:updated", namespaces=NS)[0].text)
    assert [(link.get("href"), link.get("type")) for link in links(feed, "self")] == \
        [(name, self_type)]


def test_opds_catalogue_follows_opds_1_2(site):
    feed = site.feed("opds.xml")
    assert feed.nsmap[None] == ATOM and feed.nsmap["dc"] == "http://purl.org/dc/terms/"
    check_feed_head(feed, OPDS_TYPE, "opds.xml")
    assert [(link.get("href"), link.get("type")) for link in links(feed, "start")] == \
        [("opds.xml", OPDS_TYPE)]
    entries = feed.xpath("a:entry", namespaces=NS)
    assert len(entries) == 2
    for entry, stem, date in zip(entries, ("harbour-48", "harbour-47"),
                                 ("2026-11-28", "2026-11-21"), strict=True):
        value = functools.partial(lambda e, path: e.xpath(path, namespaces=NS)[0].text, entry)
        assert value("a:id") == epub_identifier(site.folder / stem / f"{stem}.epub")
        assert value("a:title") == f"The Harbour Weekly, Issue {stem[-2:]}"
        assert value("a:updated") == f"{date}T00:00:00Z"
        assert value("a:author/a:name") == "Harbour Press"
        assert value("dc:issued") == date and value("dc:language") == "en"
        assert "Local:" in value("a:summary")
        acquisitions = {link.get("type"): link for link in links(entry, ACQUISITION)}
        assert set(acquisitions) == {"application/epub+zip", "application/pdf"}
        for kind, link in acquisitions.items():
            path = target("opds.xml", link.get("href"), site)
            assert path.suffix == {"application/epub+zip": ".epub",
                                   "application/pdf": ".pdf"}[kind]
            assert path.stat().st_size == int(link.get("length"))
        for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
            (image,) = links(entry, rel)
            with Image.open(target("opds.xml", image.get("href"), site)) as picture:
                assert image.get("type") == Image.MIME[picture.format]
        assert target("opds.xml", links(entry, "alternate")[0].get("href"), site).is_file()
    kinds = [links(e, "http://opds-spec.org/image")[0].get("type") for e in entries]
    assert kinds == ["image/png", "image/jpeg"]  # generated cover; the edition's own


def test_opds_catalogue_parses_with_feedparser(site):
    parsed = feedparser.parse(site.read("opds.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "The Harbour Weekly"
    assert [e.title for e in parsed.entries] == ["The Harbour Weekly, Issue 48",
                                                 "The Harbour Weekly, Issue 47"]
    for entry, day in zip(parsed.entries, (28, 21), strict=True):
        assert entry.updated_parsed[:3] == (2026, 11, day)
        assert entry.published == f"2026-11-{day}"  # dc:issued, as feedparser names it
        assert entry.dcterms_language == "en"
        assert {link.type for link in entry.links if link.rel == ACQUISITION} == \
            {"application/epub+zip", "application/pdf"}


def test_atom_feed_lists_new_editions_linking_to_their_pages(site):
    feed = site.feed("feed.xml")
    check_feed_head(feed, "application/atom+xml", "feed.xml")
    entries = feed.xpath("a:entry", namespaces=NS)
    pages = [links(e, "alternate")[0].get("href") for e in entries]
    assert pages == ["harbour-48/index.html", "harbour-47/index.html"]
    for entry, page in zip(entries, pages, strict=True):
        assert target("feed.xml", page, site).is_file()
        assert RFC3339.match(entry.xpath("a:updated", namespaces=NS)[0].text)
        for link in links(entry, "enclosure"):
            assert target("feed.xml", link.get("href"), site).stat().st_size == \
                int(link.get("length"))
    parsed = feedparser.parse(site.read("feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.link for e in parsed.entries] == pages
    assert parsed.entries[0].updated_parsed[:3] == (2026, 11, 28)
    assert parsed.feed.updated == "2026-11-28T00:00:00Z"


def test_base_url_makes_the_feed_links_absolute(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site.folder, copy)
    result = publish(copy, *site.editions, extra=("--base-url", "https://example.org/harbour"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("up to date:") == 2
    for name in ("opds.xml", "feed.xml"):
        hrefs = etree.fromstring((copy / name).read_bytes()).xpath("//a:link/@href",
                                                                   namespaces=NS)
        assert hrefs and all(h.startswith("https://example.org/harbour/") for h in hrefs)
        for href in hrefs:
            assert (copy / href.removeprefix("https://example.org/harbour/")).is_file()
        assert not feedparser.parse((copy / name).read_bytes()).bozo
    assert b"example.org" not in (copy / "index.html").read_bytes()


def test_an_edition_built_but_not_published_from_here_is_read_again(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site.folder, copy)
    (copy / "harbour-47" / ".edition-cache" / "site-harbour-47.json").unlink()
    (copy / "harbour-48" / "cover-thumb.png").unlink()
    result = publish(copy, *site.editions)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("up to date:") == 2
    assert {name: data for name, (data, _, _) in snapshot(copy).items()} == \
        {name: data for name, (data, _, _) in site.after.items()}


def test_ordering_and_sizes_units():
    from builder.published import newest_first
    from builder.site_pages import human_size

    def made(stem, date, issue):
        return _published(stem, dt.date.fromisoformat(date), issue)

    editions = [made("a", "2026-01-01", 2), made("b", "2026-02-01", 1),
                made("c", "2026-01-01", 3), made("d", "2026-01-01", None)]
    assert [e.stem for e in newest_first(editions)] == ["b", "c", "a", "d"]
    assert [human_size(n) for n in (850, 312_400, 1_234_567, 56_000_000)] == \
        ["850 bytes", "312 KB", "1.2 MB", "56 MB"]


def _published(stem: str, date: dt.date, issue: int | None, title: str = "T",
               articles: int = 0):
    from builder.covers import Picture
    from builder.published import Download, Listing, Part, Published

    picture = Picture("cover.png", "image/png", 10, 15)
    listed = tuple(Listing(f"Article {n}", (), None, "en") for n in range(articles))
    return Published(stem=stem, title=title, date=date, language="en", identifier=stem,
                     updated=dt.datetime.combine(date, dt.time()),
                     sections=(Part("All", listed),), cover=picture, thumbnail=picture,
                     issue=issue, downloads=(Download("epub", f"{stem}.epub", 2048),))


def test_editions_of_different_titles_without_issue_or_publisher():
    from builder.site_pages import render_site

    editions = [_published("spring", dt.date(2026, 3, 1), None, "Spring Digest", 9),
                _published("w", dt.date(2026, 2, 1), 4, "The Weekly & Co", 1)]
    files = render_site(editions)
    index = html.fromstring(files["index.html"])
    assert index.xpath("//h1")[0].text_content() == "Editions"
    assert [h.text_content() for h in index.iter("h2")] == ["Spring Digest", "The Weekly & Co"]
    assert [p.text_content() for p in index.xpath("//p[@class='edition-meta']")] == \
        ["1 March 2026", "Issue 4 · 1 February 2026"]
    assert index.xpath("//a[@href='spring/index.html']")[-1].text_content() == \
        "All 9 articles of Spring Digest, 1 March 2026"
    for name in ("opds.xml", "feed.xml"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo and parsed.feed.author == "Editions"
        assert parsed.entries[0].summary.endswith("And 3 more articles.")
        assert parsed.entries[1].id.startswith("urn:uuid:")  # 'w' is not an IRI


# Mistakes


def test_two_editions_with_one_name_are_an_error(tmp_path):
    first = write_edition(tmp_path / "one")
    second = write_edition(tmp_path / "two")
    result = publish(tmp_path / "site", first, second)
    assert result.returncode == 1
    assert "two editions would share the folder 'e/'" in result.stderr
    assert str(first) in result.stderr and str(second) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_an_edition_cannot_take_the_sites_own_folder_name(tmp_path):
    edition = write_edition(tmp_path / "src")
    static = edition.rename(edition.with_name("static.toml"))
    result = publish(tmp_path / "site", static)
    assert result.returncode == 1 and "cannot be named 'static'" in result.stderr


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://"])
def test_base_url_must_be_a_web_address(tmp_path, url):
    result = publish(tmp_path / "site", write_edition(tmp_path / "src"),
                     extra=("--base-url", url))
    assert result.returncode == 2 and "--base-url" in result.stderr


def test_help_lists_the_publish_options():
    result = run_edition("publish", "--help")
    assert result.returncode == 0
    for option in ("EDITION", "--site DIR", "--base-url URL", "--strict", "--jobs N"):
        assert option in result.stdout


# In a real browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(site.folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


# For each element with its own text: its colour, the colour behind it (the first opaque
# background up the tree) and its size, so the test can compute WCAG contrast.
COLOURS = """() => [...document.querySelectorAll('body *')].filter(e =>
  [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
  && e.getClientRects().length && !e.closest('.visually-hidden, .skip-link')).map(e => {
    let back = e, bg = 'rgb(255, 255, 255)';  /* the canvas, if nothing is opaque */
    for (; back; back = back.parentElement) {
      const colour = getComputedStyle(back).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour)) { bg = colour; break; } }
    const s = getComputedStyle(e);
    return {text: e.textContent.trim().slice(0, 40), color: s.color, bg,
            size: parseFloat(s.fontSize), bold: parseInt(s.fontWeight) >= 700};
  })"""


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    a, b = sorted((luminance(one), luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def check_page(page, url: str, width: int) -> set[str]:
    """Loads `url`, checks what a reader meets, and returns every URL it links to."""
    page.goto(url, wait_until="networkidle")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.currentSrc, e.complete, e.naturalWidth, e.alt])")
    assert images
    for src, complete, natural_width, alt in images:
        assert complete and natural_width > 0, f"{src} did not load"
        assert alt.startswith("Cover of The Harbour Weekly, Issue"), alt
    assert page.eval_on_selector("html", "e => e.lang") == "en"
    assert page.locator("meta[name=viewport]").count() == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.locator(landmark).count() >= 1, landmark
    levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6",
                                       "els => els.map(e => +e.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
        return [e.className, e.getAttribute('href'), r.top >= 0 && r.height > 0,
                getComputedStyle(e).outlineStyle]; }""")
    assert skip[:3] == ["skip-link", "#main", True], skip
    assert skip[3] != "none", "the focused skip link shows no focus outline"
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    return set(page.eval_on_selector_all(
        "a[href], link[href], img[src]", "els => els.map(e => e.href || e.src)"))


def check_contrast(page) -> None:
    texts = page.evaluate(COLOURS)
    assert len(texts) > 10
    for item in texts:
        large = item["size"] >= 24 or (item["bold"] and item["size"] >= 18.66)
        ratio = contrast(item["color"], item["bg"])
        assert ratio >= (3 if large else 4.5), f"{item} has contrast {ratio:.2f}"


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Chromium is not at /usr/bin/chromium (CI installs Debian's)")
def test_the_site_in_a_real_browser(site, served):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    pages = ["index.html", *(f"{stem}/index.html" for stem in STEMS)]
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            linked: set[str] = set()
            for width, name, scheme in ((390, "phone", "light"), (1280, "desktop", "light"),
                                        (390, "phone-dark", "dark")):
                page = browser.new_page(viewport={"width": width, "height": 844},
                                        color_scheme=scheme)
                page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
                page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
                        if r.status >= 400 else None)
                for path in pages:
                    linked |= check_page(page, served + path, width)
                    check_contrast(page)
                page.goto(served + "index.html", wait_until="networkidle")
                page.screenshot(path=str(ARTIFACTS / f"site-index-{name}.png"), full_page=True)
                page.goto(served + pages[1], wait_until="networkidle")
                page.screenshot(path=str(ARTIFACTS / f"site-edition-{name}.png"),
                                full_page=True)
                page.close()
            request = browser.new_context().request
            for url in sorted(linked):
                if url.startswith("data:"):
                    continue
                assert url.startswith(served), url
                response = request.get(url.split("#")[0])
                assert response.status == 200, url
        finally:
            browser.close()
    assert not problems, problems
    with Image.open(ARTIFACTS / "site-index-phone.png") as screenshot:
        assert screenshot.width == 390


# Last, as it breaks an edition of the module's site and mends it again.


def test_a_broken_edition_fails_and_leaves_the_site_as_it_was(site):
    broken = site.editions[1]
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace('"articles/hafenfest.md"', '"articles/gone.md"'),
                      encoding="utf-8")
    try:
        result = publish(site.folder, *site.editions)
    finally:
        broken.write_text(good, encoding="utf-8")
    assert result.returncode == 1
    assert re.search(rf"error: .*{broken.name}:\d+: article 'articles/gone.md' not found",
                     result.stderr), result.stderr
    assert f"1 of 2 edition(s) failed ({broken}); the site lists the earlier version of " \
        f"1 of them" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert "up to date: " in result.stdout and site.editions[0].name in result.stdout
    # The index still lists the broken edition's last good build: nothing was replaced.
    assert snapshot(site.folder) == site.after


def test_a_broken_edition_beside_a_changed_one_keeps_pages_true_to_the_files(site):
    """The changed edition's new files are described; the broken one's earlier files,
    still in place, stay listed as they were."""
    changed, broken = site.editions
    article = changed.parent / "articles" / "dredging.md"
    good_article, good_edition = article.read_text(encoding="utf-8"), broken.read_text()
    article.write_text(good_article.replace("Dredging returns", "Dredging resumes", 1))
    broken.write_text(good_edition.replace('"articles/hafenfest.md"', '"articles/gone.md"'))
    try:
        result = publish(site.folder, *site.editions)
    finally:
        article.write_text(good_article, encoding="utf-8")
        broken.write_text(good_edition, encoding="utf-8")
    assert result.returncode == 1
    index = (site.folder / "index.html").read_text(encoding="utf-8")
    assert "Dredging resumes" in index and "Dredging returns" not in index
    assert "Dredging resumes" in (site.folder / changed.stem / "index.html").read_text()
    assert f"{broken.stem}/{broken.stem}.epub" in index  # still listed, its files kept
    assert (site.folder / broken.stem / f"{broken.stem}.epub").stat().st_size > 10_000


def test_a_site_inside_the_editions_folder_is_refused(tmp_path):
    shutil.copytree(ROOT / "editions", tmp_path / "editions")
    before = sorted(p.name for p in (tmp_path / "editions" / "sample").rglob("*"))
    result = run_edition("publish", "editions/sample.toml", "--site", "editions",
                         cwd=tmp_path)
    assert result.returncode == 1
    assert "the site would write into this edition's own folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "editions" / "sample").rglob("*")) == before
