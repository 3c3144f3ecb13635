"""The EPUB of real editions: valid, navigable, described, with working notes."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import NS, epubcheck_messages


@pytest.mark.parametrize("name", ["sample", "corpus"])
def test_epubcheck_reports_nothing(name, request):
    built = request.getfixturevalue(name)
    messages = epubcheck_messages(built.epub)
    assert messages == [], "\n".join(str(m) for m in messages)


def test_nav_nests_articles_under_sections(sample):
    nav = sample.epub_xml("EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    top = toc.findall("x:ol/x:li", NS)
    labels = [(li.find("x:a", NS) if li.find("x:a", NS) is not None
               else li.find("x:span", NS)).text for li in top]
    assert labels[2:] == ["Local", "Environment", "Europe", "Opinion"]
    local = top[2]
    articles = [a.text for a in local.findall("x:ol/x:li/x:a", NS)]
    assert articles == ["Dredging returns to the inner harbour after six years",
                        "Winter ferry timetable: fewer sailings, later last boat"]
    hrefs = [a.get("href") for a in local.findall("x:ol/x:li/x:a", NS)]
    assert hrefs == ["a001.xhtml", "a002.xhtml"]


def test_ncx_has_the_same_nesting(sample):
    ncx = sample.epub_xml("EPUB/toc.ncx")
    sections = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    nested = [p for p in sections if p.findall("ncx:navPoint", NS)]
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS) for p in nested] == \
        ["Local", "Environment", "Europe", "Opinion"]
    assert len(nested[0].findall("ncx:navPoint", NS)) == 2


def test_spine_starts_with_cover_title_and_contents_all_linear(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    refs = opf.findall("opf:spine/opf:itemref", NS)
    assert [r.get("idref") for r in refs[:3]] == ["cover", "title", "contents"]
    assert all(r.get("linear", "yes") == "yes" for r in refs)
    cover_item = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover_item is not None and cover_item.get("media-type") == "image/png"
    cover_page = sample.epub_xml("EPUB/cover.xhtml")
    assert cover_page.find(".//x:img", NS).get("src") == cover_item.get("href")


def test_title_page_has_the_masthead(sample):
    text = " ".join(sample.epub_xml("EPUB/title.xhtml").itertext())
    for expected in ("The Harbour Weekly", "Issue 47", "Volume 3", "21 November 2026",
                     "Harbour Press"):
        assert expected in text


def test_contents_page_links_every_article(sample):
    contents = sample.epub_xml("EPUB/contents.xhtml")
    hrefs = [a.get("href") for a in contents.iterfind(".//x:li/x:a", NS)]
    assert hrefs == [f"a00{n}.xhtml" for n in range(1, 6)]


def test_package_metadata(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "The Harbour Weekly, Issue 47"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:publisher", namespaces=NS) == "Harbour Press"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-11-21"
    assert meta.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    modified = meta.findtext("opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert modified == "2026-11-21T00:00:00Z"
    series = meta.find("opf:meta[@property='belongs-to-collection']", NS)
    assert series.text == "The Harbour Weekly"
    position = meta.find(f"opf:meta[@refines='#{series.get('id')}']"
                         f"[@property='group-position']", NS)
    assert position.text == "47"
    creators = [c.text for c in meta.findall("dc:creator", NS)]
    assert creators == ["Marta Lindgren", "Jonas Feld", "Aino Virtanen", "Priya Raman",
                        "Katrin Oberländer", "Editorial Board"]  # the publisher is no author


def test_language_set_on_documents(sample):
    german = sample.epub_xml("EPUB/a004.xhtml")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert german.get("lang") == "de" and german.get(xml_lang) == "de"
    article = german.find(".//x:article", NS)
    assert article.get("lang") == "de" and article.get(xml_lang) == "de"
    english = sample.epub_xml("EPUB/a001.xhtml")
    assert english.get("lang") == "en"


def test_byline_date_and_summary_shown(sample):
    doc = sample.epub_xml("EPUB/a002.xhtml")
    assert doc.findtext(".//x:p[@class='byline']/x:span", namespaces=NS) == \
        "By Jonas Feld and Aino Virtanen"
    assert doc.find(".//x:time", NS).get("datetime") == "2026-11-18"
    assert doc.findtext(".//x:p[@class='summary']", namespaces=NS).startswith(
        "The island ferries move")


def test_footnotes_are_epub3_notes_that_link_back(sample):
    doc = sample.epub_xml("EPUB/a001.xhtml")
    refs = doc.findall(".//x:a[@epub:type='noteref']", NS)
    notes = doc.findall(".//x:aside[@epub:type='footnote']", NS)
    assert len(refs) == 2 and len(notes) == 2
    for ref, note in zip(refs, notes, strict=True):
        assert ref.get("href") == f"#{note.get('id')}"
        back = note.find(".//x:a[@role='doc-backlink']", NS)
        assert back.get("href") == f"#{ref.get('id')}"
    assert "posted at the harbour office" in "".join(notes[0].itertext())
    body_text = "".join(doc.find(".//x:div[@class='body']", NS).itertext())
    assert "posted at the harbour office" not in body_text


def test_images_packaged_with_media_types_and_nothing_external(sample):
    opf = sample.epub_xml("EPUB/content.opf")
    items = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", NS)}
    with zipfile.ZipFile(sample.epub) as z:
        names = set(z.namelist())
        for href, media_type in items.items():
            assert f"EPUB/{href}" in names
            if href.endswith(".png"):
                assert media_type == "image/png"
                assert z.read(f"EPUB/{href}")[:8] == b"\x89PNG\r\n\x1a\n"
        for name in names:
            if name.endswith(".xhtml"):
                text = z.read(name).decode()
                for src in re.findall(r'src="([^"]*)"', text):
                    assert src in items, f"{name} loads {src}, which is not in the book"
                for href in re.findall(r'href="([^"#]+)', text):
                    assert href in items or href.startswith(("https://", "http://", "mailto:")), \
                        f"{name} links to {href}"
    doc = sample.epub_xml("EPUB/a001.xhtml")
    lead = doc.find(".//x:figure[@class='lead-image']/x:img", NS)
    assert items[lead.get("src")] == "image/png"


def test_zip_layout(sample):
    with zipfile.ZipFile(sample.epub) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
