"""The PDF of real editions, read back with pypdf: pages, numbers, outline, notes, fonts."""

from __future__ import annotations

import re
import textwrap

import pyphen
import pytest
from pypdf import PdfReader

from conftest import build_edition

HYPHENS = "\u2010\u00ad-"


def page_texts(path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def flat(text: str) -> str:
    """Undo line breaks and hyphenation so phrases can be searched for."""
    text = re.sub(rf"[{HYPHENS}]\n", "", text)
    return " ".join(text.split())


LEADER = re.compile(r"(?:\. ){4,}")


def contents_pages(texts: list[str]) -> list[int]:
    return [n for n, t in enumerate(texts, 1) if LEADER.search(t)]


def contents_entries(texts: list[str]) -> list[tuple[str, int]]:
    """(entry text, page number) from the contents pages, wrapped lines joined."""
    entries, pending = [], []
    for number in contents_pages(texts):
        for line in texts[number - 1].splitlines():
            match = re.match(r"^(.*?)\s*(?:\. ?)+\s*(\d+)$", line)
            if match:
                entries.append((" ".join([*pending, match[1]]), int(match[2])))
                pending = []
            elif line == "Contents" or line.isdigit() or (line.isupper() and not pending):
                continue
            else:
                pending.append(line)
    return entries


def start_page(texts: list[str], title: str, after: int) -> int:
    for number, text in enumerate(texts, 1):
        if number > after and title in flat(text):
            return number
    raise AssertionError(f"{title!r} not found after page {after}")


def check_contents(texts, titles):
    entries = contents_entries(texts)
    assert len(entries) == len(titles)
    contents_last = contents_pages(texts)[-1]
    for (line, number), title in zip(entries, titles, strict=True):
        assert line.startswith(title[:40])
        assert start_page(texts, title, contents_last) == number, title


def test_contents_numbers_are_the_pages_articles_start_on(sample):
    check_contents(page_texts(sample.pdf), [
        "Dredging returns to the inner harbour after six years",
        "Winter ferry timetable: fewer sailings, later last boat",
        "Seagrass returns to the bay", "Partnerstadt feiert ihr Hafenfest",
        "The quay wall cannot wait another winter"])


def test_contents_numbers_in_a_long_edition(corpus, corpus_edition):
    titles = [re.search(r'^title: "(.*)"$', p.read_text(encoding="utf-8"), re.M)[1]
              for p in sorted(corpus_edition.parent.glob("*.md"))]
    texts = page_texts(corpus.pdf)
    entries = contents_entries(texts)
    assert len(entries) == 50
    contents_last = contents_pages(texts)[-1]
    for line, number in entries:
        title = max((t for t in titles if line.startswith(t)), key=len)
        assert start_page(texts, title, contents_last) == number, title


def test_each_article_starts_a_page_with_its_section(sample):
    texts = page_texts(sample.pdf)
    assert texts[3].startswith("LOCAL\nDredging returns")
    assert texts[5].startswith("LOCAL\nWinter ferry timetable")
    assert texts[6].startswith("ENVIRONMENT\nSeagrass")


def test_running_heads_and_page_numbers(sample):
    texts = page_texts(sample.pdf)
    assert not re.search(r"(^|\n)1$", texts[0]), "the cover has no page number"
    assert "Harbour Press" in texts[0]
    for number, text in enumerate(texts[1:], 2):
        assert re.search(rf"(^|\n){number}$", text), f"page {number} lacks its number"
    assert "The Harbour Weekly LOCAL\n4" in texts[3]
    assert "The Harbour Weekly EUROPE\n8" in texts[7]


def outline(reader):
    def walk(items):
        result = []
        for item in items:
            if isinstance(item, list):
                result[-1] = (result[-1][0], result[-1][1], walk(item))
            else:
                result.append((item.title, reader.get_destination_page_number(item) + 1, []))
        return result
    return walk(reader.outline)


def test_outline_sections_over_articles(sample):
    tree = outline(PdfReader(sample.pdf))
    assert [(title, page) for title, page, _ in tree] == [
        ("Local", 4), ("Environment", 7), ("Europe", 8), ("Opinion", 9)]
    assert [(t, p) for t, p, _ in tree[0][2]] == [
        ("Dredging returns to the inner harbour after six years", 4),
        ("Winter ferry timetable: fewer sailings, later last boat", 6)]
    assert all(len(children) >= 1 for _, _, children in tree)


def test_document_metadata(sample):
    reader = PdfReader(sample.pdf)
    info = reader.metadata
    assert info["/Title"] == "The Harbour Weekly, Issue 47"
    assert info["/Author"] == ("Marta Lindgren, Jonas Feld, Aino Virtanen, Priya Raman, "
                               "Katrin Oberländer, Editorial Board")
    assert info["/CreationDate"].startswith("D:20261121")
    assert info["/ModDate"].startswith("D:20261121")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def fonts(reader) -> dict[str, bool]:
    """Font name -> whether the font program is embedded."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            base = descendant[0].get_object() if descendant else font
            descriptor = base["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = any(k in descriptor for k in
                                                ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


@pytest.mark.parametrize("name", ["sample", "corpus"])
def test_only_the_bundled_fonts_are_used_and_all_embedded(name, request):
    found = fonts(PdfReader(request.getfixturevalue(name).pdf))
    assert found and all(found.values())
    families = {re.sub(r"^/?[A-Z]{6}\+", "", f) for f in found}
    assert families <= {"Edition-Serif", "Edition-Serif-Italic", "Edition-Serif-Bold",
                        "Edition-Serif-Bold-Italic", "Edition-Sans", "Edition-Sans-Bold",
                        "Edition-Mono"}, families


def test_greek_and_cyrillic_text_survives(corpus):
    text = flat("\n".join(page_texts(corpus.pdf)))
    assert re.search(r"[\u0400-\u04ff]{4,}", text)
    assert re.search(r"[\u0370-\u03ff]{4,}", text)
    assert "\ufffd" not in text


@pytest.fixture(scope="session")
def typeset(tmp_path_factory):
    """A small-page edition that pushes footnotes and hyphenation."""
    folder = tmp_path_factory.mktemp("typeset")
    calls = " ".join(f"Sentence {n:02d} about the harbour and the tide ends here "
                     f"call{n:02d}[^{n}]. The ferry waited at the quay while the crane "
                     f"turned." for n in range(1, 41))
    notes = "\n".join(f"[^{n}]: note{n:02d} explains the source of sentence {n:02d}."
                      for n in range(1, 41))
    (folder / "notes.md").write_text(
        f"---\ntitle: Notes everywhere\n---\n\n{calls}\n\n{notes}\n", encoding="utf-8")
    german = ("Die Donaudampfschifffahrtsgesellschaft und die Hafenarbeitergenossenschaft "
              "verhandeln über Liegeplatzgebühren und Wartungsvereinbarungen. ") * 12
    (folder / "german.md").write_text(
        f"---\ntitle: Verhandlungen\nlang: de\n---\n\n{german}\n", encoding="utf-8")
    (folder / "edition.toml").write_text(textwrap.dedent("""\
        title = "Typesetting"
        date = 2026-01-02
        language = "en"
        page_size = "110 160"
        [[sections]]
        title = "Tests"
        articles = ["notes.md", "german.md"]
        """), encoding="utf-8")
    return build_edition(folder / "edition.toml", folder / "out", "--format", "pdf")


def test_each_footnote_is_on_the_page_of_its_call(typeset):
    texts = [flat(t) for t in page_texts(typeset.pdf)]
    for n in range(1, 41):
        call = [i for i, t in enumerate(texts) if f"call{n:02d}" in t]
        note = [i for i, t in enumerate(texts) if f"note{n:02d} explains" in t]
        assert len(call) == 1 and call == note, f"note {n}: call on {call}, note on {note}"
    assert len({i for i, t in enumerate(texts) if "note" in t and "explains" in t}) > 3


def test_hyphenation_follows_the_article_language(typeset):
    texts = page_texts(typeset.pdf)
    german = [t for t in texts if "Donaudampf" in t or "Hafenarbeiter" in t]
    dictionary = pyphen.Pyphen(lang="de_DE")
    breaks = 0
    for text in german:
        lines = text.splitlines()
        for line, following in zip(lines, lines[1:], strict=False):
            if line and line[-1] in HYPHENS and line[-2:-1].isalpha():
                head = re.findall(r"\w+$", line[:-1])[0]
                tail = re.findall(r"^\w+", following)[0]
                assert len(head) in dictionary.positions(head + tail), (head, tail)
                breaks += 1
    assert breaks >= 3, "the German article was not hyphenated"
