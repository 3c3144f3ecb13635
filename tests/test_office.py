"""Word (.docx) and OpenDocument (.odt) articles: structure, notes, pictures, metadata
and tracked changes read as the author meant them; broken, encrypted and hostile
packages are one clear error; what is left out is said in a warning.

The fixtures are made by tests/fixtures/office/make_fixtures.py (pandoc, then small
edits to the packages)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from builder.assemble import assemble
from builder.clean import clean_body
from builder.edition import load_edition
from builder.errors import BuildError, Report
from builder.readers.notes import markdown_notes
from conftest import FIXTURES, NS, assert_fails, build_edition, epubcheck_messages, run_edition

OFFICE = FIXTURES / "office"
KINDS = ("harbour.docx", "harbour.odt")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def edition_of(folder: Path, *articles: str) -> Path:
    """An edition listing `articles` (names, or TOML tables), copying the fixtures in."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in KINDS:
        shutil.copy(OFFICE / name, folder / name)
    listed = ", ".join(a if a.startswith("{") else f'"{a}"' for a in articles)
    (folder / "e.toml").write_text(
        f'title = "Harbour Weekly"\ndate = 2026-11-21\nlanguage = "en"\n\n'
        f'[[sections]]\ntitle = "Works"\narticles = [{listed}]\n', encoding="utf-8")
    return folder / "e.toml"


def load(edition: Path):
    report = Report(stream=io.StringIO())
    return assemble(load_edition(edition), report), report


def body(article) -> str:
    return "".join(p for p in article.body if isinstance(p, str))


def codes(report: Report) -> list[str]:
    return [w.code for w in report.warnings]


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    edition, report = load(edition_of(tmp_path_factory.mktemp("office"), *KINDS))
    return {a.source.name: a for a in edition.articles}, report


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_metadata_from_title_style_and_document_properties(read, name):
    article = read[0][name]
    # the Title paragraph, not the stale title in the properties
    assert article.title == "Harbour Dredging Resumes"
    assert article.subtitle == "The channel will be deepened by two metres"
    assert article.date.isoformat() == "2026-10-05"  # created, not modified
    assert article.summary == "Dredgers are back in the harbour after a winter away."
    if name.endswith("docx"):  # "Mara Lind; Tomas Berg", keywords "harbour, works; dredging"
        assert article.authors == ("Mara Lind", "Tomas Berg")
        assert article.tags == ("harbour", "works", "dredging")
    else:  # the initial creator, not the last to save it; one keyword element each
        assert article.authors == ("Mara Lind",)
        assert article.tags == ("harbour", "works")


@pytest.mark.parametrize("name", KINDS)
def test_title_and_subtitle_are_not_repeated_in_the_body(read, name):
    text = body(read[0][name])
    assert "Harbour Dredging Resumes" not in text
    assert "deepened by two metres" not in text
    assert "Stale title" not in text


@pytest.mark.parametrize("name", KINDS)
def test_structure_is_kept(read, name):
    text = body(read[0][name])
    assert re.search(r"<h2[^>]*>(<span[^>]*></span>)?The works</h2>", text)  # h1 under the title
    assert re.search(r"<h3[^>]*>(<span[^>]*></span>)?Later</h3>", text)
    assert "<strong>resumes</strong>" in text and "<em>Monday</em>" in text
    assert '<a href="https://example.com/port">the port’s notice</a>' in text
    assert re.search(r"<blockquote>\s*<p>The channel must be safe", text)
    # the inner list inside the outer list's first item
    tree = etree.fromstring(f"<div>{text}</div>")
    inner = tree.find(".//ul/li/ul")
    assert [" ".join("".join(li.itertext()).split()) for li in inner] == [
        "Inner item A", "Inner item B"]
    table = tree.find(".//table")
    assert table.findtext("caption") == "Depths by berth"
    assert ["".join(th.itertext()).strip() for th in table.iter("th")] == ["Berth", "Depth"]


@pytest.mark.parametrize("name", KINDS)
def test_picture_is_attached_with_alt_text_and_caption(read, name):
    article = read[0][name]
    tree = etree.fromstring(f"<div>{body(article)}</div>")
    figure = tree.find(".//figure")
    assert figure.findtext("figcaption") == "The dredger Maren at the north quay"
    img = figure.find("img")
    assert img.get("alt") == "A red dredger moored at a quay"
    [resource] = article.resources
    assert img.get("src") == resource.name and resource.media_type == "image/png"
    assert resource.data == (OFFICE / "red.png").read_bytes()


@pytest.mark.parametrize("name", KINDS)
def test_footnotes_and_endnotes_become_notes(read, name):
    article = read[0][name]
    assert [n.inline for n in article.notes] == [
        "The port authority said so on Friday.",
        "Weather permitting, says the <em>harbour master</em>."]
    text = body(article)
    assert "[1]" not in text and "↑" not in text and "↩" not in text


@pytest.mark.parametrize("name", KINDS)
def test_tracked_changes_accepted_and_comments_dropped_with_warnings(read, name):
    articles, report = read
    text = body(articles[name])
    assert "moor at the new berth by the ferry" in text
    assert "old berth" not in text
    assert "Check this" not in text and "A careful estimate puts" in text
    mine = [w for w in report.warnings if w.path and Path(w.path).name == name]
    assert {"tracked-changes", "comments-dropped"} <= {w.code for w in mine}
    changes = next(w for w in mine if w.code == "tracked-changes")
    assert "read as if all were accepted (inserted text kept, " in changes.message
    assert "1 deletion" in changes.message


def test_the_edition_table_overrides_the_document(tmp_path):
    edition = edition_of(tmp_path, '{ path = "harbour.docx", title = "Dredgers Return", '
                                   'author = "Desk" }', "harbour.odt")
    edition_, _ = load(edition)
    docx, odt = edition_.articles
    assert (docx.title, docx.authors) == ("Dredgers Return", ("Desk",))
    assert docx.subtitle == "The channel will be deepened by two metres"
    assert "Harbour Dredging Resumes" not in body(docx)  # still the Title paragraph
    assert odt.title == "Harbour Dredging Resumes"


def test_notes_module_gives_markdowns_shape():
    body_ = etree.fromstring("<div><p>One<x/> and two<y/>.</p></div>")
    note = etree.fromstring("<li>First <em>note</em>.</li>")
    other = etree.fromstring("<li><p>Second.</p><ul><li>listed</li></ul></li>")
    markdown_notes(body_, [(body_.find(".//x"), "a"), (body_.find(".//y"), "b")],
                   {"a": note, "b": other})
    html = etree.tostring(body_, encoding="unicode")
    assert '<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup> and' in html
    cleaned = clean_body(html[len("<div>"):-len("</div>")], "a001", Path("x.docx"),
                         Path("."), (), Report(stream=io.StringIO()))
    assert [n.inline for n in cleaned.notes] == ["First <em>note</em>.", "Second. listed"]
    assert cleaned.notes[1].blocks.startswith("<p>Second.</p><ul>")


# --- the outputs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office-build")
    return build_edition(edition_of(folder / "ed", *KINDS), folder / "out")


def test_epubcheck_reports_nothing(built):
    messages = epubcheck_messages(built.epub)
    assert messages == [], "\n".join(str(m) for m in messages)


@pytest.mark.parametrize(("document", "name"), [("a001.xhtml", "docx"), ("a002.xhtml", "odt")])
def test_epub_article(built, document, name):
    tree = built.epub_xml(f"EPUB/{document}")
    article = tree.find(".//x:article", NS)
    assert "Harbour Dredging Resumes" in "".join(article.find(".//x:h1", NS).itertext())
    notes = tree.findall(".//x:aside[@epub:type='footnote']", NS)
    assert len(notes) == 2
    assert len(tree.findall(".//x:a[@epub:type='noteref']", NS)) == 2
    assert tree.find(".//x:table//x:th", NS) is not None
    assert tree.find(".//x:figure/x:img", NS).get("alt") == "A red dredger moored at a quay"
    text = "".join(article.itertext())
    assert "new berth" in text and "old berth" not in text


@pytest.mark.parametrize(("document", "authors"), [("a001.xhtml", "Mara Lind and Tomas Berg"),
                                                   ("a002.xhtml", "Mara Lind")])
def test_epub_article_heading_has_the_documents_metadata(built, document, authors):
    head = built.epub_xml(f"EPUB/{document}").find(".//x:header", NS)
    assert head.findtext("x:p[@class='subtitle']", namespaces=NS) == \
        "The channel will be deepened by two metres"
    byline = head.find("x:p[@class='byline']", NS)
    assert byline.findtext("x:span[@class='authors']", namespaces=NS) == f"By {authors}"
    assert byline.find("x:time", NS).get("datetime") == "2026-10-05"
    assert head.findtext("x:p[@class='summary']", namespaces=NS) == \
        "Dredgers are back in the harbour after a winter away."


def test_pdf_has_the_text_and_not_the_deletions(built):
    text = " ".join(page.extract_text() for page in PdfReader(built.pdf).pages)
    text = " ".join(text.split())
    assert "Harbour Dredging Resumes" in text
    assert "The port authority said so on Friday." in text
    assert "new berth" in text and "old berth" not in text and "Check this" not in text


# --- mistakes --------------------------------------------------------------------------


def repacked(source: Path, target: Path, edit: dict[str, bytes | None]) -> Path:
    """A copy of a package with entries replaced (None: removed) or added."""
    with zipfile.ZipFile(source) as old:
        entries = {i.filename: old.read(i) for i in old.infolist()}
    for name, data in edit.items():
        if data is None:
            entries.pop(name, None)
        else:
            entries[name] = data
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in entries.items():
            new.writestr(name, data)
    return target


def broken(kind: str, how: str) -> bytes:
    good = (OFFICE / f"harbour.{kind}").read_bytes()
    if how == "text":
        return b"Just some text, saved with the wrong extension.\n"
    if how == "corrupt":
        return good[:len(good) // 2]
    if how == "encrypted":
        return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                + "EncryptedPackage".encode("utf-16-le") + bytes(1000))
    if how == "doc":
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    if how == "bomb":
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as z:
            with zipfile.ZipFile(OFFICE / f"harbour.{kind}") as old:
                for info in old.infolist():
                    z.writestr(info.filename, old.read(info))
            z.writestr("word/media/huge.bin", bytes(50 * 1024 * 1024))
        return stream.getvalue()
    raise AssertionError(how)


MISTAKES = [
    ("text", "the file is not a {what}: it is not a zip package"),
    ("corrupt", "is damaged: its zip cannot be read"),
    ("encrypted", "is password-protected (encrypted); save a copy without a password"),
    ("doc", "Word 97-2003 (.doc) or other old Office file"),
    ("bomb", "'word/media/huge.bin' unpacks to 52 MB from"),
]
WHAT = {"docx": "Word document", "odt": "OpenDocument text"}


@pytest.mark.parametrize("kind", ["docx", "odt"])
@pytest.mark.parametrize(("how", "expected"), MISTAKES)
def test_broken_packages_are_one_clear_error(tmp_path, kind, how, expected):
    edition = edition_of(tmp_path, f"bad.{kind}")
    (tmp_path / f"bad.{kind}").write_bytes(broken(kind, how))
    with pytest.raises(BuildError, match=re.escape(expected.format(what=WHAT[kind]))) as caught:
        load(edition)
    assert caught.value.path.name == f"bad.{kind}"


def test_a_broken_docx_fails_the_build_cleanly(tmp_path):
    edition = edition_of(tmp_path / "ed", "bad.docx")
    (tmp_path / "ed" / "bad.docx").write_bytes(broken("docx", "corrupt"))
    assert_fails(tmp_path, edition, "bad.docx: the Word document is damaged")


@pytest.mark.parametrize(("kind", "edit", "expected"), [
    ("docx", {"word/document.xml": None}, "a zip but not a Word document"),
    ("docx", {"xl/workbook.xml": b"<workbook/>", "word/document.xml": None},
     "the file is an Excel workbook"),
    ("docx", {"word/document.xml": b"<w:document"}, "'word/document.xml' is not well-formed"),
    ("docx", {"word/x.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'},
     "'word/x.xml' declares a DTD"),
    ("odt", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"},
     "the file is a spreadsheet (.ods)"),
    ("odt", {"META-INF/manifest.xml": b"<manifest:encryption-data/>"}, "password-protected"),
    ("odt", {"content.xml": None}, "it has no content.xml"),
])
def test_wrong_packages_are_one_clear_error(tmp_path, kind, edit, expected):
    edition = edition_of(tmp_path, f"bad.{kind}")
    repacked(OFFICE / f"harbour.{kind}", tmp_path / f"bad.{kind}", edit)
    with pytest.raises(BuildError, match=re.escape(expected)):
        load(edition)


def docx_part(name: str) -> str:
    with zipfile.ZipFile(OFFICE / "harbour.docx") as z:
        return z.read(name).decode()


def test_a_picture_linked_outside_the_docx_is_refused_with_a_warning(tmp_path):
    (tmp_path / "secret.png").write_bytes((OFFICE / "red.png").read_bytes())
    document = docx_part("word/document.xml")
    embed = re.search(r'r:embed="([^"]+)"', document)[1]
    rels = docx_part("word/_rels/document.xml.rels").replace(
        "</Relationships>", '<Relationship Id="rIdOut" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/image" Target="file:///etc/secret.png" '
        'TargetMode="External"/></Relationships>')
    edition = edition_of(tmp_path, "linked.docx")
    repacked(OFFICE / "harbour.docx", tmp_path / "linked.docx", {
        "word/document.xml": document.replace(f'r:embed="{embed}"', 'r:link="rIdOut"').encode(),
        "word/_rels/document.xml.rels": rels.encode()})
    edition_, report = load(edition)
    [article] = edition_.articles
    assert article.resources == ()
    [warning] = [w for w in report.warnings if w.code == "image-refused"]
    assert "'file:///etc/secret.png' is a picture linked to a file outside" in warning.message


def test_a_picture_linked_outside_the_odt_is_refused_with_a_warning(tmp_path):
    with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
        content = z.read("content.xml").decode()
    edition = edition_of(tmp_path, "linked.odt")
    repacked(OFFICE / "harbour.odt", tmp_path / "linked.odt", {
        "content.xml": content.replace('xlink:href="Pictures/0.png"',
                                       'xlink:href="../secret.png"').encode()})
    edition_, report = load(edition)
    [article] = edition_.articles
    assert article.resources == ()
    assert "[A red dredger moored at a quay]" in body(article)
    [warning] = [w for w in report.warnings if w.code == "image-refused"]
    assert "'../secret.png' is a picture linked to a file outside" in warning.message


@pytest.mark.parametrize("kind, part, date", [
    ("docx", "docProps/core.xml", "2026-10-05T09:12:00Z"),
    ("odt", "meta.xml", "2026-10-05T09:12:00"),
])
def test_an_impossible_date_in_the_properties_is_one_clear_line(tmp_path, kind, part, date):
    with zipfile.ZipFile(OFFICE / f"harbour.{kind}") as z:
        properties = z.read(part).decode()
    assert date in properties
    edition = edition_of(tmp_path, f"dated.{kind}")
    repacked(OFFICE / f"harbour.{kind}", tmp_path / f"dated.{kind}",
             {part: properties.replace(date, "2026-13-45T00:00:00").encode()})
    result = run_edition("build", str(edition), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"dated.{kind}: the document's properties give the date '2026-13-45T00:00:00', "
            f"which does not exist") in result.stderr
    check = run_edition("check", str(edition))
    assert check.returncode == 1 and "which does not exist" in check.stdout
    # the edition's date is all the article needs
    edition_of(tmp_path, f'{{ path = "dated.{kind}", date = 2026-11-20 }}')
    edition_, _ = load(edition)
    assert edition_.articles[0].date.isoformat() == "2026-11-20"


def test_word_content_mammoth_cannot_read_is_a_warning(tmp_path):
    document = docx_part("word/document.xml").replace(
        "<w:body>", '<w:body><w:p><m:oMathPara><m:oMath><m:r><m:t>E=mc2</m:t></m:r>'
        '</m:oMath></m:oMathPara></w:p>', 1)
    edition = edition_of(tmp_path, "maths.docx")
    repacked(OFFICE / "harbour.docx", tmp_path / "maths.docx",
             {"word/document.xml": document.encode()})
    _, report = load(edition)
    assert any(w.code == "docx-content-dropped" and "an equation left out" in w.message
               for w in report.warnings), [str(w) for w in report.warnings]


def test_a_simple_fields_text_is_kept(tmp_path):
    document = docx_part("word/document.xml").replace(
        "<w:body>", '<w:body><w:p><w:pPr><w:pStyle w:val="Caption"/></w:pPr><w:r><w:t '
        'xml:space="preserve">Map </w:t></w:r><w:fldSimple w:instr=" SEQ Map \\* ARABIC ">'
        '<w:r><w:t>7</w:t></w:r></w:fldSimple><w:r><w:t>: the outer channel</w:t></w:r>'
        '</w:p>', 1)
    edition = edition_of(tmp_path, "field.docx")
    repacked(OFFICE / "harbour.docx", tmp_path / "field.docx",
             {"word/document.xml": document.encode()})
    edition_, report = load(edition)
    assert "<p>Map 7: the outer channel</p>" in body(edition_.articles[0])
    assert "docx-content-dropped" not in codes(report)


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_without_any_title_an_opening_heading_is_the_title(tmp_path, kind):
    if kind == "docx":
        document = re.sub(r'<w:p>\s*<w:pPr>\s*<w:pStyle w:val="(Title|Subtitle)" />.*?</w:p>',
                          "", docx_part("word/document.xml"), flags=re.S)
        core = re.sub(r"<dc:title>.*?</dc:title>", "", docx_part("docProps/core.xml"))
        edit = {"word/document.xml": document.encode(), "docProps/core.xml": core.encode()}
    else:
        with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
            content = z.read("content.xml").decode()
        content = re.sub(r'<text:p text:style-name="(Title|Subtitle)">.*?</text:p>', "",
                         content)
        edit = {"content.xml": content.encode(), "meta.xml": None}
    edition = edition_of(tmp_path, f"untitled.{kind}")
    repacked(OFFICE / f"harbour.{kind}", tmp_path / f"untitled.{kind}", edit)
    [article] = load(edition)[0].articles
    assert article.title == "The works"
    assert "The works" not in body(article) and "Later</h2>" in body(article)


def test_a_picture_of_a_kind_the_book_cannot_hold_is_left_out_with_a_warning(tmp_path):
    with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
        content = z.read("content.xml").decode()
    edition = edition_of(tmp_path, "wmf.odt")
    repacked(OFFICE / "harbour.odt", tmp_path / "wmf.odt", {
        "content.xml": content.replace("Pictures/0.png", "Pictures/0.wmf").encode(),
        "Pictures/0.png": None, "Pictures/0.wmf": b"\xd7\xcd\xc6\x9a" + bytes(60)})
    edition_, report = load(edition)
    [article] = edition_.articles
    assert article.resources == () and "[A red dredger moored at a quay]" in body(article)
    [warning] = [w for w in report.warnings if w.code == "image-refused"]
    assert "'Pictures/0.wmf' is a WMF picture" in warning.message


def test_a_missing_pandoc_is_a_clear_error(monkeypatch):
    import pypandoc

    from builder.readers.odt import read_odt

    def missing() -> str:
        raise OSError("No pandoc was found")

    monkeypatch.setattr(pypandoc, "get_pandoc_path", missing)
    path = OFFICE / "harbour.odt"
    with pytest.raises(BuildError, match=r"reading \.odt articles needs pandoc, which the "
                                         r"pypandoc-binary package provides"):
        read_odt(path, path.read_bytes(), {}, {"lang": "en"}, Report(stream=io.StringIO()))


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_page_headers_and_footers_are_left_out_with_a_warning(tmp_path, kind):
    if kind == "docx":
        edit = {"word/header1.xml": (
            f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>Harbour Authority</w:t></w:r>'
            '<w:r><w:t xml:space="preserve"> internal</w:t></w:r></w:p></w:hdr>').encode(),
            # a page number alone is no text lost
            "word/footer1.xml": (
                f'<w:ftr xmlns:w="{W}"><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar '
                'w:fldCharType="separate"/></w:r><w:r><w:t>Page 3</w:t></w:r><w:r><w:fldChar '
                'w:fldCharType="end"/></w:r></w:p></w:ftr>').encode()}
    else:
        with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
            styles = z.read("styles.xml").decode()
        edit = {"styles.xml": styles.replace(
            "<office:master-styles>", '<office:master-styles><style:master-page '
            'style:name="Standard"><style:header><text:p>Harbour Authority internal</text:p>'
            '</style:header></style:master-page>', 1).encode()}
    edition = edition_of(tmp_path, f"headed.{kind}")
    repacked(OFFICE / f"harbour.{kind}", tmp_path / f"headed.{kind}", edit)
    edition_, report = load(edition)
    assert "Harbour Authority" not in body(edition_.articles[0])
    [warning] = [w for w in report.warnings if w.code == "headers-dropped"]
    assert warning.message == "page headers and footers left out (“Harbour Authority internal”)"


def test_the_fixtures_warn_of_nothing_else(read):
    _, report = read
    assert sorted((Path(w.path).name, w.code) for w in report.warnings) == [
        ("harbour.docx", "comments-dropped"), ("harbour.docx", "tracked-changes"),
        ("harbour.odt", "comments-dropped"), ("harbour.odt", "tracked-changes")]


LIBREOFFICE_FIGURE = (
    '<text:p text:style-name="Standard"><draw:frame draw:name="Frame1" '
    'text:anchor-type="as-char"><draw:text-box><text:p text:style-name="Illustration">'
    '<draw:frame draw:name="Image1" text:anchor-type="as-char"><draw:image '
    'xlink:href="Pictures/0.png" xlink:type="simple" xlink:show="embed" '
    'xlink:actuate="onLoad"/><svg:desc>A red dredger moored at a quay</svg:desc></draw:frame>'
    '<text:line-break/>Illustration <text:sequence text:name="Illustration" '
    'text:formula="ooow:Illustration+1" style:num-format="1">1</text:sequence>: The dredger '
    'Maren</text:p></draw:text-box></draw:frame></text:p>')


def test_a_libreoffice_captioned_frame_becomes_a_figure(tmp_path):
    with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
        content = z.read("content.xml").decode()
    content = re.sub(r'<text:p text:style-name="FigureWithCaption">.*?</text:p>\s*'
                     r'<text:p text:style-name="FigureCaption">.*?</text:p>',
                     LIBREOFFICE_FIGURE, content, flags=re.S)
    edition = edition_of(tmp_path, "frame.odt")
    repacked(OFFICE / "harbour.odt", tmp_path / "frame.odt",
             {"content.xml": content.encode()})
    [article] = load(edition)[0].articles
    tree = etree.fromstring(f"<div>{body(article)}</div>")
    [figure] = tree.iter("figure")
    assert figure.find("img").get("alt") == "A red dredger moored at a quay"
    assert figure.findtext("figcaption") == "Illustration 1: The dredger Maren"


def test_a_picture_missing_from_the_docx_is_left_out_with_a_warning(tmp_path):
    edition = edition_of(tmp_path, "gone.docx")
    with zipfile.ZipFile(OFFICE / "harbour.docx") as z:
        [picture] = [n for n in z.namelist() if n.startswith("word/media/")]
    repacked(OFFICE / "harbour.docx", tmp_path / "gone.docx", {picture: None})
    edition_, report = load(edition)
    [article] = edition_.articles
    assert article.resources == () and "[A red dredger moored at a quay]" in body(article)
    [warning] = [w for w in report.warnings if w.code == "image-refused"]
    assert "a picture whose file is missing from the document" in warning.message


def test_an_odt_picture_named_to_climb_out_of_its_folder_is_refused(tmp_path):
    with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
        content = z.read("content.xml").decode()
    climbing = "Pictures/../../../climbed.png"
    edition = edition_of(tmp_path, "climb.odt")
    repacked(OFFICE / "harbour.odt", tmp_path / "climb.odt", {
        "content.xml": content.replace("Pictures/0.png", climbing).encode(),
        climbing: (OFFICE / "red.png").read_bytes()})
    edition_, report = load(edition)
    assert edition_.articles[0].resources == ()
    [warning] = [w for w in report.warnings if w.code == "image-refused"]
    assert f"'{climbing}' is a picture linked to a file outside" in warning.message


@pytest.mark.parametrize("href, inside", [
    ("{outside}", '<office:binary-data>iVBORw0KGgo=</office:binary-data>'),
    ("{encoded}", ""),
], ids=["binary data beside an outside link", "percent-encoded path"])
def test_an_odt_never_makes_pandoc_read_a_file_outside_it(tmp_path, href, inside):
    """Pandoc would follow the link (it decodes %2F) and embed the file: the picture is
    refused first, and pandoc runs sandboxed."""
    secret = tmp_path / "secret.png"
    shutil.copy(OFFICE / "red.png", secret)
    href = href.format(outside=secret, encoded=str(secret).replace("/", "%2F"))
    with zipfile.ZipFile(OFFICE / "harbour.odt") as z:
        content = z.read("content.xml").decode()
    folder = tmp_path / "src"
    folder.mkdir()
    edition = edition_of(folder, "sneaky.odt")
    image = re.search(r'<draw:image xlink:href="Pictures/0.png"[^>]*/>', content)[0]
    sneaky = f'<draw:image xlink:href="{href}">{inside}</draw:image>'
    repacked(OFFICE / "harbour.odt", folder / "sneaky.odt", {
        "content.xml": content.replace(image, sneaky).encode(), href: b"dummy entry"})
    edition_, report = load(edition)
    assert edition_.articles[0].resources == ()
    assert [w for w in report.warnings if w.code == "image-refused"]


ODT_HIDING = (
    '<text:p>Before <draw:frame draw:name="box"><draw:text-box><text:p>SIDEBAR WORDS'
    '</text:p></draw:text-box></draw:frame>after.</text:p>'
    '<text:p>Shape <draw:custom-shape><text:p>SHAPE WORDS</text:p></draw:custom-shape>'
    'here.</text:p>'
    '<text:p>Read <text:ruby><text:ruby-base>BASE</text:ruby-base>'
    '<text:ruby-text>READING</text:ruby-text></text:ruby> aloud.</text:p>')
DOCX_HIDING = (
    '<w:p><w:r><w:t xml:space="preserve">Read </w:t></w:r><w:ruby><w:rubyPr/>'
    '<w:rt><w:r><w:t>READING</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>BASE</w:t></w:r>'
    '</w:rubyBase></w:ruby><w:r><w:t xml:space="preserve"> aloud.</w:t></w:r></w:p>'
    '<w:p><w:dir w:val="rtl"><w:r><w:t>RIGHT TO LEFT WORDS</w:t></w:r></w:dir></w:p>'
    '<w:p><w:bdo w:val="rtl"><w:r><w:t>BDO WORDS</w:t></w:r></w:bdo></w:p>'
    '<w:p><w:r><w:drawing><wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/'
    'wordprocessingShape"><wps:txbx><w:txbxContent><w:p><w:r><w:t>BOX WORDS</w:t></w:r>'
    '</w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></w:r></w:p>')


@pytest.mark.parametrize("kind", ["odt", "docx"])
def test_text_in_boxes_shapes_ruby_and_right_to_left_runs_is_kept_or_named(tmp_path, kind):
    """Pandoc drops a text box's and a shape's text and ruby without a word, mammoth a
    right-to-left run, ruby and a text box without its older copy: kept, or named."""
    part = "content.xml" if kind == "odt" else "word/document.xml"
    with zipfile.ZipFile(OFFICE / f"harbour.{kind}") as z:
        content = z.read(part).decode()
    end = "</office:text>" if kind == "odt" else "<w:sectPr"
    assert end in content
    hiding = ODT_HIDING if kind == "odt" else DOCX_HIDING
    edition = edition_of(tmp_path, f"hiding.{kind}")
    repacked(OFFICE / f"harbour.{kind}", tmp_path / f"hiding.{kind}",
             {part: content.replace(end, hiding + end, 1).encode()})
    edition_, report = load(edition)
    text = body(edition_.articles[0])
    assert "BASE(READING)" in text
    if kind == "odt":
        for words in ("SIDEBAR WORDS", "SHAPE WORDS"):
            assert words in text
        assert text.index("Before") < text.index("SIDEBAR WORDS")
    else:
        assert "RIGHT TO LEFT WORDS" in text and "BDO WORDS" in text
        [dropped] = [w for w in report.warnings if w.code == "docx-content-dropped"
                     and "BOX WORDS" in w.message]
