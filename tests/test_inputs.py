"""Articles as they really arrive: mistakes in metadata and edition files, files that are
not what their names say, and photos straight from a camera."""

from __future__ import annotations

import io
import json
import zipfile

import pikepdf
import pytest
from PIL import Image

from builder.metadata import ARTICLE_KEYS
from conftest import GOOD, assert_fails, build_edition, run_edition, write_edition

# Values a front matter may hold that no key accepts as they are.
MALFORMED = {
    "a mapping": "{a: 1, b: [2]}",
    "a nested list": "[[1, 2], [3]]",
    "an impossible date": "2026-13-01",
    "a yes": "true",
    "a very long text": "x" * 5000,
}


def test_every_metadata_key_with_a_malformed_value_is_one_clear_line(tmp_path):
    """Each key with each malformed value in an article of its own: `check` names every
    article that cannot be read and the key; none crashes; `build` stops at the first."""
    names = []
    for key in ARTICLE_KEYS:
        for what, value in MALFORMED.items():
            name = f"{key}-{what.split()[-1]}.md"
            names.append(name)
            title = "" if key == "title" else "title: Fine\n"
            (tmp_path / name).write_text(f"---\n{key}: {value}\n{title}---\n\nText.\n",
                                         encoding="utf-8")
    toml = GOOD.replace('["a.md"]', json.dumps(names))
    (tmp_path / "e.toml").write_text(toml, encoding="utf-8")
    result = run_edition("check", "e.toml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "unexpectedly" not in result.stdout
    findings = json.loads(result.stdout)["findings"]
    for finding in findings:
        assert "report it" not in finding["message"], finding
    errors = {f["file"]: f for f in findings if f["severity"] == "error"}
    # Every value is refused, except those that are fine text for a text key (a long
    # 'x…' is not fine anywhere: each key has a length limit) and a date for 'date'.
    for name in names:
        key = name.rsplit("-", 1)[0]
        if name in errors:
            assert errors[name]["line"] == 2, errors[name]
            assert key in errors[name]["message"], errors[name]
    assert {f"{key}-text.md" for key in ARTICLE_KEYS} <= set(errors)
    assert {"date-date.md", "date-mapping.md", "date-yes.md", "lang-date.md",
            "dir-yes.md", "tags-mapping.md", "author-mapping.md"} <= set(errors)
    built = run_edition("build", "e.toml", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert built.stderr.count("error: ") == 1 and not (tmp_path / "o" / "e.epub").exists()


def test_an_article_a_glob_also_finds_is_read_once_where_it_is_named(tmp_path):
    toml = GOOD.replace('["a.md"]', '["*.md"]\n\n[[sections]]\ntitle = "Lead"\n'
                        'articles = [{ path = "b.md", title = "Named here" }]')
    edition = write_edition(tmp_path, toml)
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\n\nBee text.\n", encoding="utf-8")
    built = build_edition(edition, tmp_path / "o")
    assert "listed twice" not in built.result.stderr
    with zipfile.ZipFile(built.epub) as book:
        texts = [book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")]
    assert sum(text.count("Bee text.") for text in texts) == 1
    nav = next(t for t in texts if 'epub:type="toc"' in t)
    assert nav.index("News") < nav.index("Lead") < nav.index("Named here")


def test_two_sections_with_one_title_are_a_warning(tmp_path):
    toml = GOOD + '\n[[sections]]\ntitle = "News"\narticles = ["b.md"]\n'
    edition = write_edition(tmp_path, toml)
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\n\nBee text.\n", encoding="utf-8")
    result = run_edition("check", str(edition), "--format", "json")
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes.count("duplicate-section") == 1, result.stdout
    strict = run_edition("build", str(edition), "--out", str(tmp_path / "o"), "--strict")
    assert strict.returncode == 1 and "2 sections are titled 'News'" in strict.stderr


@pytest.mark.parametrize("name, data, expected", [
    ("a.md", b"PK\x03\x04" + b"\0" * 40, "a zip file (a Word .docx or OpenDocument .odt?)"),
    ("a.md", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "a Word 97-2003 (.doc) file"),
    ("a.txt", b"{\\rtf1\\ansi Hello}", "rich text (RTF)"),
    ("a.md", "Caf\xe9 cr\xe8me\n".encode("cp1252"), "a.md:1: the file is not UTF-8 (byte 0xe9"),
    ("a.doc", b"\xd0\xcf\x11\xe0", "unknown article type '.doc'; use one of"),
], ids=["zip as md", "doc as md", "rtf as txt", "cp1252", "doc"])
def test_a_file_that_is_not_what_its_name_says_is_one_clear_line(tmp_path, name, data,
                                                                 expected):
    edition = write_edition(tmp_path / "src", GOOD.replace("a.md", name))
    (tmp_path / "src" / name).write_bytes(data)
    result = assert_fails(tmp_path, edition, expected)
    if name.endswith(".doc"):
        assert "save it as .docx" in result.stderr


def test_a_reader_option_on_the_wrong_kind_of_file_names_the_edition_line(tmp_path):
    edition = write_edition(tmp_path / "src", GOOD.replace(
        '["a.md"]', '[{ path = "a.md", extract = false }]'))
    assert_fails(tmp_path, edition, "e.toml:8: 'extract' in the article table for a.md "
                                    "applies to")


def _camera_photo(path, size=(4000, 3000)):
    """A JPEG as a phone writes it: large, turned by its EXIF orientation (6: the
    camera was held upright, so the picture is to be turned a quarter clockwise)."""
    image = Image.new("RGB", size, (30, 90, 160))
    for x in range(0, size[0], 97):  # some detail, so that scaling has work to do
        image.paste((240, 200, 40), (x, 0, x + 20, size[1] // 3))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", quality=90, exif=exif)


def test_a_large_photo_is_scaled_down_for_both_outputs_and_its_file_untouched(tmp_path):
    folder = tmp_path / "src"
    edition = write_edition(folder, article="---\ntitle: Big\n---\n\n"
                                            "![The quay at dawn](photo.jpg)\n\nText.\n")
    _camera_photo(folder / "photo.jpg")
    original = (folder / "photo.jpg").read_bytes()
    first = build_edition(edition, tmp_path / "one", "--verbose")
    assert "image photo.jpg (4000x3000 px) scaled down to 2500 px" in first.result.stderr
    assert (folder / "photo.jpg").read_bytes() == original
    with zipfile.ZipFile(first.epub) as book:
        images = [n for n in book.namelist() if n.endswith(".jpg")]
        assert len(images) == 1
        with Image.open(io.BytesIO(book.read(images[0]))) as kept:
            assert kept.size == (1875, 2500)  # upright, 2500 on the long side
            assert 0x0112 not in kept.getexif()
    assert first.epub.stat().st_size < len(original)
    with pikepdf.open(first.pdf) as pdf:
        sizes = [(int(x.Width), int(x.Height)) for x in pdf.objects
                 if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Image"]
    assert (1875, 2500) in sizes
    second = build_edition(edition, tmp_path / "two", "--no-cache")
    assert second.epub.read_bytes() == first.epub.read_bytes()
    assert second.pdf.read_bytes() == first.pdf.read_bytes()


def test_a_photo_within_the_limit_is_kept_byte_for_byte(tmp_path):
    folder = tmp_path / "src"
    edition = write_edition(folder, article="---\ntitle: Small\n---\n\n"
                                            "![A quay](photo.jpg)\n\nText.\n")
    _camera_photo(folder / "photo.jpg", (1200, 900))
    built = build_edition(edition, tmp_path / "o", "--verbose")
    assert "scaled down" not in built.result.stderr
    with zipfile.ZipFile(built.epub) as book:
        images = [n for n in book.namelist() if n.endswith(".jpg")]
        assert book.read(images[0]) == (folder / "photo.jpg").read_bytes()


@pytest.mark.parametrize("heading", ["# <!-- draft -->", "# <b></b>", "# &#32;"])
def test_an_opening_heading_with_no_text_is_no_title_and_no_crash(tmp_path, heading):
    edition = write_edition(tmp_path, article=f"{heading}\n\nThe harbour opened.\n")
    built = build_edition(edition, tmp_path / "o", "--format", "epub")
    with zipfile.ZipFile(built.epub) as book:
        text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert "The harbour opened." in text and ">A<" in text  # titled by its file's name


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>
<updated>2026-11-20T00:00:00Z</updated>
<entry><title>Quay</title><id>urn:1</id><summary>S.</summary>
<published>{date}</published><content type="html">&lt;p&gt;Quay text.&lt;/p&gt;</content></entry>
</feed>
"""


@pytest.mark.parametrize("date", ["2026-13-01T09:00:00Z", "2026-02-30",
                                  "Tue, 31 Nov 2026 10:00:00 +0000"])
def test_an_impossible_date_in_a_feed_is_one_line_with_its_line(tmp_path, date):
    """feedparser would roll it on (2026-13-01 to 2027-01-01): a wrong date, silently."""
    edition = write_edition(tmp_path / "src", GOOD.replace('"a.md"', '{ feed = "w.xml" }'))
    (tmp_path / "src" / "w.xml").write_text(ATOM.format(date=date), encoding="utf-8")
    assert_fails(tmp_path, edition, f"w.xml:5: entry 1 'Quay': published date '{date}' "
                                    f"does not exist")
    check = run_edition("check", str(edition))
    assert check.returncode == 1 and f"published date '{date}' does not exist" in check.stdout


def test_an_impossible_date_in_a_header_block_is_one_line_with_its_line(tmp_path):
    edition = write_edition(tmp_path / "src", article="Title: H\nDate: 2026-02-30\n\nText.\n")
    assert_fails(tmp_path, edition, "a.md:2: 'date' must be a date like 2026-11-21, not "
                                    "'2026-02-30'")


def test_a_private_use_character_in_markdown_is_named_not_dropped(tmp_path):
    """Reading lists marks items with U+E000 inside; the author's own is never taken
    for one and silently dropped."""
    edition = write_edition(tmp_path / "src", article="# T\n\nText.\n\n- item \ue000 here\n")
    assert_fails(tmp_path, edition, "a.md:5: the file holds U+E000")


def test_a_large_photo_cut_short_is_one_clear_line(tmp_path):
    folder = tmp_path / "src"
    edition = write_edition(folder, article="---\ntitle: Big\n---\n\n![Quay](photo.jpg)\n")
    _camera_photo(folder / "photo.jpg")
    data = (folder / "photo.jpg").read_bytes()
    (folder / "photo.jpg").write_bytes(data[: len(data) // 2])
    assert_fails(tmp_path, edition, "a.md: image 'photo.jpg' is not a readable image")


@pytest.mark.parametrize("label", ["base64", "rot13", "utf-7", "punycode", "cp037"])
def test_a_web_page_declaring_no_real_encoding_is_read_with_a_warning(tmp_path, label):
    page = (f'<html><head><meta charset="{label}"><title>Quay</title></head><body><article>'
            f'<h1>Quay</h1>' + "<p>The quay reopened on Monday after the works.</p>" * 8 +
            "</article></body></html>")
    edition = write_edition(tmp_path / "src", GOOD.replace("a.md", "a.html"))
    (tmp_path / "src" / "a.html").write_text(page, encoding="utf-8")
    result = run_edition("build", str(edition), "--out", str(tmp_path / "o"), "--format",
                         "epub")
    assert result.returncode == 0, result.stderr
    assert f"declares an encoding this builder does not know, '{label}'" in result.stderr


def test_markdown_after_a_file_the_converter_gave_up_on_is_read_right(tmp_path):
    from builder.errors import BuildError, Report
    from builder.readers.markdown import read_markdown

    with pytest.raises(BuildError, match="gave up on this file"):
        read_markdown(tmp_path / "q.md", "# Q\n\n" + "- " * 500 + "x\n", {}, {"lang": "en"},
                      Report(quiet=True))
    good = read_markdown(tmp_path / "g.md", "# G\n\nIntro.\n\n*emph* text\n\n- a\n- b\n",
                         {}, {"lang": "en"}, Report(quiet=True))
    assert good.html == ("<p>Intro.</p>\n<p><em>emph</em> text</p>\n"
                         "<ul>\n<li>a</li>\n<li>b</li>\n</ul>")


def test_an_article_that_is_all_furniture_like_is_kept_and_named(tmp_path):
    """Nothing would be left: the blocks are the article, not the site's furniture."""
    edition = write_edition(tmp_path / "src", article="---\ntitle: Tips\n---\n\n"
                            "Read more:\n\n[The ferry timetable](https://example.org/ferry)\n")
    built = build_edition(edition, tmp_path / "o", "--format", "epub")
    assert "the whole article looks like site furniture" in built.result.stderr
    with zipfile.ZipFile(built.epub) as book:
        text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert "The ferry timetable" in text and "Read more:" in text
