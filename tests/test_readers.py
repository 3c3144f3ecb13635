"""Readers and cleaning: metadata from all three kinds of file, text kept as text,
site furniture removed and real closing paragraphs kept."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest

from builder.assemble import assemble
from builder.edition import load_edition
from builder.errors import BuildError, Report
from conftest import FIXTURES, SHARED, build_edition, epubcheck_messages


def load(path):
    report = Report(stream=io.StringIO())
    return assemble(load_edition(path), report), report


def edition_of(folder, *articles: str, extra: str = ""):
    """A minimal edition file listing `articles`; returns its path."""
    listed = ", ".join(f'"{a}"' for a in articles)
    (folder / "e.toml").write_text(
        f'title = "T"\ndate = 2026-01-01\nlanguage = "en"\n{extra}\n'
        f'[[sections]]\ntitle = "S"\narticles = [{listed}]\n', encoding="utf-8")
    return folder / "e.toml"


@pytest.fixture(scope="module")
def kinds():
    edition, report = load(FIXTURES / "kinds" / "edition.toml")
    return {a.source.name: a for a in edition.articles}, report


def body(article) -> str:
    return "".join(p for p in article.body if isinstance(p, str))


def test_yaml_front_matter(kinds):
    article = kinds[0]["front-matter.md"]
    assert article.title == "Lighthouse keepers' cottages to be sold"
    assert article.subtitle == "The council says the buildings cost too much to keep"
    assert article.authors == ("Ana Sousa", "Ben Okri-Hale")
    assert article.date == dt.date(2026, 10, 2)
    assert article.summary == "Three cottages at the point go to auction in spring."
    assert article.tags == ("housing", "council")
    assert article.lang == "en-GB"
    assert article.section == "Local"


def test_unknown_front_matter_key_is_kept_and_warned(kinds):
    articles, report = kinds
    assert ("mood", "wistful") in articles["front-matter.md"].extra
    assert any("unknown metadata key 'mood'" in str(w) and w.line == 10
               for w in report.warnings)


def test_english_gets_smart_typography(kinds):
    text = body(kinds[0]["front-matter.md"])
    assert "“keepers’ cottages”" in text
    assert "point – a decision" in text


def test_author_ids_and_footnote_lookalikes_are_kept(kinds):
    article = kinds[0]["front-matter.md"]
    text = body(article)
    assert "Correction: an earlier version gave the wrong month." in text
    assert 'id="a001-id-fn-1"' in text
    assert [n.id for n in article.notes] == ["a001-fn-1"]
    assert article.notes[0].inline == "The council confirmed the date on Monday."


def test_quotation_marks_follow_the_language(tmp_path):
    (tmp_path / "de.markdown").write_text(
        '---\ntitle: Zitat\nlang: de\n---\n\nEr sagte: "Wir kommen" -- sicher.\n',
        encoding="utf-8")
    (tmp_path / "fr.md").write_text(
        '---\ntitle: Citation\nlang: fr\n---\n\nIl a dit : "Nous venons".\n',
        encoding="utf-8")
    edition_of(tmp_path, "de.markdown", "fr.md")
    edition, _ = load(tmp_path / "e.toml")
    german, french = (body(a) for a in edition.articles)
    assert "„Wir kommen“ – sicher" in german
    assert "«\u202fNous venons\u202f»" in french


def test_edition_table_errors_name_the_edition_file(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "e.toml").write_text(
        'title = "T"\ndate = 2026-01-01\nlanguage = "en"\n[[sections]]\ntitle = "S"\n'
        'articles = [\n  { path = "a.md", date = "next tuesday" },\n]\n', encoding="utf-8")
    with pytest.raises(BuildError) as error:
        load(tmp_path / "e.toml")
    assert error.value.path == tmp_path / "e.toml" and error.value.line == 7
    assert "'date' must be a date" in error.value.message


def test_edition_table_image_is_relative_to_the_edition_file(tmp_path):
    from PIL import Image

    (tmp_path / "articles").mkdir()
    (tmp_path / "images").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "images" / "lead.png")
    (tmp_path / "articles" / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "e.toml").write_text(
        'title = "T"\ndate = 2026-01-01\nlanguage = "en"\n[[sections]]\ntitle = "S"\n'
        'articles = [{ path = "articles/a.md", image = "images/lead.png" }]\n',
        encoding="utf-8")
    edition, _ = load(tmp_path / "e.toml")
    assert edition.articles[0].image.resource.media_type == "image/png"


def test_text_in_other_scripts_asks_for_their_fonts(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nBeijing is 北京, Cairo القاهرة.\n",
                                   encoding="utf-8")
    edition_of(tmp_path, "a.md")
    edition, report = load(tmp_path / "e.toml")
    assert edition.articles[0].scripts == ("Arabic", "SC")
    assert edition.scripts == ("Arabic", "SC") and not report.warnings


def test_characters_no_bundled_font_has_stop_the_build(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nText.\n\nMeetei \uabc0.\n", encoding="utf-8")
    edition_of(tmp_path, "a.md")
    with pytest.raises(BuildError) as raised:
        load(tmp_path / "e.toml")
    assert raised.value.line == 5 and "U+ABC0" in raised.value.message


def test_huge_table_spans_are_capped(tmp_path):
    (tmp_path / "a.md").write_text(
        '# A\n\n<table><tr><td colspan="1000000">x</td><td rowspan="0">y</td></tr></table>\n',
        encoding="utf-8")
    edition_of(tmp_path, "a.md")
    edition, _ = load(tmp_path / "e.toml")
    text = body(edition.articles[0])
    assert '<td colspan="100">x</td>' in text and "<td>y</td>" in text


def test_header_block(kinds):
    article = kinds[0]["header-block.md"]
    assert article.title == "Night buses return on Saturdays"
    assert article.authors == ("Carla Mendes",)
    assert article.date == dt.date(2026, 9, 30)
    assert article.summary == "A trial of late buses starts next month."
    assert article.tags == ("transport", "nightlife")
    assert article.lang == "pt"
    assert "Title:" not in body(article)
    assert body(article).startswith("<p>A empresa de transportes")


def test_plain_text_is_never_markup(kinds):
    article = kinds[0]["plain.txt"]
    text = body(article)
    assert "*asterisks*" in text
    assert "&lt;b&gt;angle brackets&lt;/b&gt;" in text
    assert "<h" not in text and "<em>" not in text
    assert "<p># Not a heading</p>" in text
    assert "<p>A second paragraph that was wrapped by hand.</p>" in text


def test_edition_table_supplies_plain_text_metadata(kinds):
    article = kinds[0]["plain.txt"]
    assert article.title == "From the wire"
    assert article.authors == ("Wire Desk",)
    assert article.date == dt.date(2026, 10, 4)
    assert article.lang == "en"


def test_plain_text_title_falls_back_to_file_name(kinds):
    assert kinds[0]["02-library.txt"].title == "02 library"


def test_glob_entries_sorted_by_name(kinds):
    assert list(kinds[0]) == ["front-matter.md", "header-block.md", "plain.txt",
                              "01-storm.txt", "02-library.txt"]


def test_furniture_removed_and_reported(kinds):
    articles, report = kinds
    storm = articles["01-storm.txt"]
    text = body(storm)
    assert "coastguard said the wind would ease" in text
    for gone in ("Share this", "Follow us", "All rights reserved"):
        assert gone not in text
    assert [r.rule for r in storm.removed] == ["share links", "follow links",
                                               "copyright line"]
    assert sum("removed site furniture" in str(w) and "01-storm" in str(w)
               for w in report.warnings) == 3


def test_closing_paragraph_that_mentions_newsletters_is_kept(kinds):
    library = kinds[0]["02-library.txt"]
    assert "subscribe to the library's newsletter" in body(library)
    assert library.removed == ()


@pytest.mark.parametrize("closing", [
    "Too much is at stake to let this conflict carry on indefinitely.",
    "She said she would share the prize with her crew.",
    "The council will publish the results in its newsletter next month.",
    "Follow-up talks are planned for the spring.",
    "Copyright lawyers say the case could take years.",
    "The council's new privacy policy will be put to a public vote in March.",
])
def test_normal_closing_paragraphs_are_never_removed(tmp_path, closing):
    (tmp_path / "a.txt").write_text(f"First paragraph.\n\n{closing}\n", encoding="utf-8")
    edition_of(tmp_path, "a.txt")
    edition, _ = load(tmp_path / "e.toml")
    assert closing.replace("'", "’") in body(edition.articles[0]) or closing in \
        body(edition.articles[0])
    assert edition.articles[0].removed == ()


def test_seed_article_loses_its_sign_up_block(tmp_path):
    seed = next((SHARED / "seeds").glob("*.txt"), None)
    if seed is None:
        pytest.skip("no seed article in shared/seeds")
    shutil.copy(seed, tmp_path / "seed.txt")
    edition_of(tmp_path, "seed.txt")
    edition, _ = load(tmp_path / "e.toml")
    text = body(edition.articles[0])
    assert text.rstrip().endswith(
        "Too much is at stake to let this conflict carry on indefinitely.</p>")
    assert "newsletter" not in text.lower() and "Mailchimp" not in text
    assert len(edition.articles[0].removed) == 3


def _furniture_edition(tmp_path, furniture: str):
    (tmp_path / "a.txt").write_text(
        "Real text.\n\nListen to our podcast on the quay.\n\nShare this article\n",
        encoding="utf-8")
    edition, _ = load(edition_of(tmp_path, "a.txt", extra=furniture))
    return body(edition.articles[0])


def test_edition_can_add_furniture_rules(tmp_path):
    text = _furniture_edition(tmp_path, '[furniture]\npatterns = ["^listen to our podcast"]')
    assert "podcast" not in text and "Share this" not in text and "Real text." in text


def test_edition_can_switch_furniture_removal_off(tmp_path):
    text = _furniture_edition(tmp_path, "[furniture]\nremove = false")
    assert "Share this article" in text and "podcast" in text


def test_all_kinds_build_to_valid_epub_and_pdf(tmp_path):
    built = build_edition(FIXTURES / "kinds" / "edition.toml", tmp_path)
    assert epubcheck_messages(built.epub) == []
    doc = built.epub_xml("EPUB/a002.xhtml")
    assert doc.get("lang") == "pt"
    from pypdf import PdfReader

    reader = PdfReader(built.pdf)
    assert [item.title for item in reader.outline[1]] == [
        "Lighthouse keepers' cottages to be sold", "Night buses return on Saturdays",
        "From the wire", "01 storm", "02 library"]
    assert "removed site furniture" in built.result.stderr


@pytest.mark.parametrize("front", ["date: 2026-13-01", "date: 2026-02-30"])
def test_an_impossible_date_in_front_matter_is_one_clear_error(tmp_path, front):
    (tmp_path / "a.md").write_text(f"---\ntitle: A\n{front}\n---\n\nText.\n", encoding="utf-8")
    edition_of(tmp_path, "a.md")
    with pytest.raises(BuildError) as raised:
        load(tmp_path / "e.toml")
    assert raised.value.line == 3 and front.split()[1] in raised.value.message


def test_a_level_one_heading_opening_an_untitled_article_is_its_title(tmp_path):
    (tmp_path / "a.md").write_text("# Gulls return to the *quay*\n\nThe gulls are back.\n",
                                   encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: Given\n---\n# Kept\n\nText.\n",
                                   encoding="utf-8")
    edition_of(tmp_path, "a.md", "b.md")
    edition, _ = load(tmp_path / "e.toml")
    first, second = edition.articles
    assert first.title == "Gulls return to the quay" and "<h1" not in body(first)
    assert second.title == "Given" and ">Kept</h2>" in body(second)  # (demoted, as ever)


SPACES = {"no-break": "\u00a0", "narrow no-break": "\u202f", "thin": "\u2009",
          "ideographic": "\u3000"}


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_plain_text_and_feed_text_keep_no_break_thin_and_ideographic_spaces(tmp_path, space):
    """Only XML's whitespace (spaces, tabs, line breaks) is squeezed into one space, as
    in Markdown: the others are the author's (`10 km`, `« Oui »`, a Japanese indent)."""
    (tmp_path / "a.txt").write_text(f"0{space}0 and\n\t  more\n\n{space}Indented.\n",
                                    encoding="utf-8")
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>F</title><entry><title>E</title><id>urn:x:1</id>"
        "<updated>2026-01-01T00:00:00Z</updated>"
        f'<content type="text">1{space}1 and\n  more</content></entry></feed>\n',
        encoding="utf-8")
    (tmp_path / "e.toml").write_text(
        'title = "T"\ndate = 2026-01-01\nlanguage = "en"\nmachine_fonts = true\n'
        '[[sections]]\ntitle = "S"\narticles = ["a.txt", { feed = "feed.xml" }]\n',
        encoding="utf-8")
    edition, _ = load(tmp_path / "e.toml")
    text, entry = edition.articles
    assert body(text) == f"<p>0{space}0 and more</p><p>{space}Indented.</p>"
    assert body(entry) == f"<p>1{space}1 and more</p>"
