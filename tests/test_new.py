"""`edition new`: the next edition file of a series, made from the latest one."""

from __future__ import annotations

import datetime as dt
import textwrap
import tomllib
import zipfile

import pytest
import tomlkit
from lxml import etree
from pypdf import PdfReader

from builder import series
from conftest import NS, run_edition

WEEKLY = '''\
# The Harbour Weekly: one file per issue; articles live in a folder per issue.
title = "The Harbour Weekly"
subtitle = """News from the quay"""
issue = 47                       # bump every week
volume = 3
date = 2026-11-21                # a Saturday
language = "en"
publisher = "Harbour Press"
identifier = "urn:uuid:8c6e0c44-5a0e-4c7e-9d7e-1f9f0f3c2a11"  # from the shop
cover = "cover.jpg"
page_size = "A5"
remote_images = false
period = "weekly"

# Sections stay the same from week to week.
[[sections]]
title = "Local"
articles = [
  "47/local/harbour-dredging.md",   # lead story
  # "47/local/dropped.md",
  "47/local/ferry-*.md",
]

[[sections]]
title = "Opinion"   # the editorial page
articles = [
  { path = "47/opinion/quay-wall.txt", title = "The quay wall [cannot] wait", date = 2026-11-20 },
  { path = "47/opinion/letters # 1.md", title = 'Letters ] and "more"' },
]  # letters last

[[sections]]
title = "Notices"
articles = ["47/notices.md"]

[furniture]
remove = true
patterns = [\'\'\'^Listen to our podcast\'\'\']   # our own sign-off
'''

# The same text with the new issue and date, no identifier and empty article lists.
WEEKLY_NEXT = '''\
# The Harbour Weekly: one file per issue; articles live in a folder per issue.
title = "The Harbour Weekly"
subtitle = """News from the quay"""
issue = 48                       # bump every week
volume = 3
date = 2026-11-28                # a Saturday
language = "en"
publisher = "Harbour Press"
cover = "cover.jpg"
page_size = "A5"
remote_images = false
period = "weekly"

# Sections stay the same from week to week.
[[sections]]
title = "Local"
articles = []

[[sections]]
title = "Opinion"   # the editorial page
articles = []  # letters last

[[sections]]
title = "Notices"
articles = []

[furniture]
remove = true
patterns = [\'\'\'^Listen to our podcast\'\'\']   # our own sign-off
'''


def series_file(folder, name: str, date: str, period: str | None = '"weekly"',
                issue: int | None = 1, title: str = "Test Series", articles: str = '["a.md"]'):
    """An edition file whose articles do not exist: `new` must not need them."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'title = "{title}"', f"date = {date}", 'language = "en"']
    lines += [f"issue = {issue}"] if issue is not None else []
    lines += [f"period = {period}"] if period is not None else []
    lines += ["", "[[sections]]", 'title = "News"', f"articles = {articles}"]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / name


def new(folder, *args: str):
    return run_edition("new", *args, cwd=folder)  # from the folder, as a publisher would


def parsed(path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def assert_refused(result, expected: str):
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_weekly_next_issue_keeps_comments_and_layout(tmp_path):
    (tmp_path / "weekly-47.toml").write_text(WEEKLY, encoding="utf-8")
    result = new(tmp_path, "weekly-48.toml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "weekly-48.toml").read_text(encoding="utf-8") == WEEKLY_NEXT
    assert result.stderr == ""  # edited in place: no note about a rewritten layout
    assert "wrote weekly-48.toml (issue 48, 2026-11-28) from weekly-47.toml" in result.stdout
    for hint in ("Local: e.g. under 48/local/", "Opinion: e.g. under 48/opinion/",
                 "Notices: e.g. under 48/"):
        assert hint in result.stdout
    assert not (tmp_path / "48").exists()  # only the edition file is written


def test_weekly_next_issue_parses_to_the_same_edition_with_empty_sections(tmp_path):
    (tmp_path / "weekly-47.toml").write_text(WEEKLY, encoding="utf-8")
    assert new(tmp_path, "weekly-48.toml").returncode == 0
    before, after = parsed(tmp_path / "weekly-47.toml"), parsed(tmp_path / "weekly-48.toml")
    assert after["issue"] == 48 and after["date"] == dt.date(2026, 11, 28)
    assert "identifier" not in after
    assert after["sections"] == [{"title": "Local", "articles": []},
                                 {"title": "Opinion", "articles": []},
                                 {"title": "Notices", "articles": []}]
    for key in ("title", "subtitle", "volume", "language", "publisher", "cover", "page_size",
                "remote_images", "period", "furniture"):
        assert after[key] == before[key], key


@pytest.mark.parametrize("previous, expected", [
    ("2027-01-31", "2027-02-28"),  # clamped to the month's last day
    ("2028-01-31", "2028-02-29"),  # a leap year
    ("2026-03-31", "2026-04-30"),
    ("2026-12-15", "2027-01-15"),  # into the next year
    ("2027-02-28", "2027-03-28"),  # no earlier issue to say the series is on the 31st
])
def test_monthly_same_day_next_month(tmp_path, previous, expected):
    series_file(tmp_path, "m-1.toml", previous, period='"monthly"')
    result = new(tmp_path, "m-2.toml")
    assert result.returncode == 0, result.stderr
    assert parsed(tmp_path / "m-2.toml")["date"] == dt.date.fromisoformat(expected)
    assert f"(issue 2, {expected})" in result.stdout


@pytest.mark.parametrize("first, dates", [
    ("2027-01-31", ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]),
    ("2027-01-30", ["2027-02-28", "2027-03-30", "2027-04-30", "2027-05-30"]),
    ("2027-01-28", ["2027-02-28", "2027-03-28", "2027-04-28", "2027-05-28"]),
])
def test_monthly_series_returns_to_its_day_after_a_short_month(tmp_path, first, dates):
    series_file(tmp_path, "m-1.toml", first, period='"monthly"')
    for number, date in enumerate(dates, 2):
        result = new(tmp_path, f"m-{number}.toml")
        assert result.returncode == 0, result.stderr
        edition = parsed(tmp_path / f"m-{number}.toml")
        assert (edition["issue"], edition["date"]) == (number, dt.date.fromisoformat(date))


def test_period_in_days_and_a_series_without_issue_numbers(tmp_path):
    series_file(tmp_path, "digest.toml", "2026-12-28", period="10", issue=None)
    result = new(tmp_path, "digest-next.toml")
    assert result.returncode == 0, result.stderr
    edition = parsed(tmp_path / "digest-next.toml")
    assert edition["date"] == dt.date(2027, 1, 7)
    assert "issue" not in edition and edition["period"] == 10
    assert "wrote digest-next.toml (2027-01-07) from digest.toml" in result.stdout


def test_continues_the_latest_edition_in_the_folder(tmp_path):
    series_file(tmp_path, "w-10.toml", "2026-01-10", issue=10)
    series_file(tmp_path, "w-11.toml", "2026-01-10", issue=11)  # a special issue, same day
    series_file(tmp_path, "w-9.toml", "2026-01-03", issue=9)
    series_file(tmp_path, "zz-archive.toml", "2025-06-01", issue=99)  # last by name only
    (tmp_path / "settings.toml").write_text('[tool]\nname = "not an edition"\n')
    (tmp_path / "notes.txt").write_text("not toml at all = [\n")
    assert not (tmp_path / "a.md").exists()
    result = new(tmp_path, "w-12.toml")
    assert result.returncode == 0, result.stderr
    edition = parsed(tmp_path / "w-12.toml")
    assert (edition["issue"], edition["date"]) == (12, dt.date(2026, 1, 17))
    assert "from w-11.toml" in result.stdout


def test_from_names_the_previous_edition(tmp_path):
    series_file(tmp_path / "2025", "w-52.toml", "2025-12-27", issue=52)
    series_file(tmp_path / "2026", "w-1.toml", "2026-01-03", issue=1)
    result = new(tmp_path, "2026/w-53.toml", "--from", "2025/w-52.toml")
    assert result.returncode == 0, result.stderr
    assert parsed(tmp_path / "2026" / "w-53.toml")["date"] == dt.date(2026, 1, 3)


def test_refuses_to_overwrite(tmp_path):
    series_file(tmp_path, "w-1.toml", "2026-01-03")
    (tmp_path / "w-2.toml").write_bytes(b"# my notes for issue 2\n")
    result = new(tmp_path, "w-2.toml")
    assert_refused(result, "w-2.toml: the file already exists")
    assert (tmp_path / "w-2.toml").read_bytes() == b"# my notes for issue 2\n"


def test_missing_period_says_what_to_add(tmp_path):
    series_file(tmp_path, "w-1.toml", "2026-01-03", period=None)
    result = new(tmp_path, "w-2.toml")
    assert_refused(result, "w-1.toml: the edition has no 'period'")
    assert 'add period = "weekly" (or "monthly", or a number of days' in result.stderr
    assert not (tmp_path / "w-2.toml").exists()


def test_no_previous_edition_says_to_pass_from(tmp_path):
    (tmp_path / "settings.toml").write_text('name = "not an edition"\n')
    result = new(tmp_path, "w-1.toml")
    assert_refused(result, "w-1.toml: no edition file in ./ to continue from; "
                           "pass --from PREVIOUS.toml")
    assert not (tmp_path / "w-1.toml").exists()


@pytest.mark.parametrize("args, expected", [
    (["w-2.txt"], "w-2.txt: the new edition file's name must end in .toml"),
    (["w-2.toml", "--from", "gone.toml"], "gone.toml: edition file not found"),
    (["w-2.toml", "--from", "broken.toml"], "broken.toml:3: TOML syntax error"),
    (["w-2.toml", "--from", "bad-period.toml"],
     "bad-period.toml:5: period must be \"weekly\", \"monthly\" or a number of days"),
    (["nowhere/w-2.toml", "--from", "w-1.toml"],
     "nowhere/w-2.toml: the folder nowhere/ does not exist; create it first"),
    (["sub/w-2.toml"], "broken.toml:3: TOML syntax error"),
])
def test_bad_input_gives_one_clear_error(tmp_path, args, expected):
    series_file(tmp_path, "w-1.toml", "2026-01-03")
    series_file(tmp_path, "bad-period.toml", "2026-01-03", period='"fortnightly"')
    (tmp_path / "sub").mkdir()
    for folder in (tmp_path, tmp_path / "sub"):
        (folder / "broken.toml").write_text('title = "x"\ndate = 2026-01-01\nissue = = 2\n')
    result = new(tmp_path, *args)
    assert_refused(result, expected)
    assert not (tmp_path / args[0]).exists()


def test_dotted_keys_and_tables_of_articles_are_edited_in_place(tmp_path):
    (tmp_path / "w-1.toml").write_text(textwrap.dedent('''\
        title = "Tables"   # a comment that survives
        issue = 1
        date = 2026-01-03
        language = "en"
        period = "weekly"
        identifier = "urn:x"
        furniture.remove = false

        [[sections]]
        title = "News"

        [[sections.articles]]
        path = "1/a.md"
        title = "A"

        [[sections]]
        title = "Sport"
        articles = ["1/b.md"]
        '''), encoding="utf-8")
    result = new(tmp_path, "w-2.toml")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "w-2.toml").read_text(encoding="utf-8") == textwrap.dedent('''\
        title = "Tables"   # a comment that survives
        issue = 2
        date = 2026-01-10
        language = "en"
        period = "weekly"
        furniture.remove = false

        [[sections]]
        title = "News"
        articles = []

        [[sections]]
        title = "Sport"
        articles = []
        ''')
    assert parsed(tmp_path / "w-2.toml") == {
        "title": "Tables", "issue": 2, "date": dt.date(2026, 1, 10), "language": "en",
        "period": "weekly", "furniture": {"remove": False},
        "sections": [{"title": "News", "articles": []}, {"title": "Sport", "articles": []}]}


def test_inline_tables_keep_their_form_and_order(tmp_path):
    """Sections and furniture as inline tables, keys in an unusual order, a quoted key,
    Windows line ends: only the issue, the date and the article lists change."""
    lines = ['period = 14  # fortnightly',
             '"issue" = 0x2F',
             'date = 2026-01-03',
             'title = "Inline"',
             'language = "en"',
             "furniture = { patterns = ['^Share'], remove = true }",
             'sections = [ { articles = [ { path = "47/a.md", date = 2026-01-02 },',
             '                            "47/b.md" ], title = "News" },',
             '             { title = "Sport" } ]  # Sport is listed later']
    (tmp_path / "i-47.toml").write_bytes("\r\n".join(lines).encode() + b"\r\n")
    result = new(tmp_path, "i-48.toml")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines[1:3] = ['"issue" = 48', 'date = 2026-01-17']
    lines[6:8] = ['sections = [ { articles = [], title = "News" },']
    assert (tmp_path / "i-48.toml").read_bytes() == "\r\n".join(lines).encode() + b"\r\n"
    assert "News: e.g. under 48/" in result.stdout


TRICKY_STRINGS = r"""title = "Strings"
subtitle = '''
issue = 1
[[sections]]
articles = ["x.md"]  # not a key, not a comment'''
issue = 1
date = 2026-01-03
language = "en"
period = "weekly"
publisher = 'date = 2026-01-03 # '   # a literal string

[[sections]]
title = "It's \"quoted\" ] [[sections]]"
articles = ["1/a.md", '1/b ] ".md']
"""


def test_text_that_looks_like_toml_inside_strings_is_left_alone(tmp_path):
    (tmp_path / "s-1.toml").write_text(TRICKY_STRINGS, encoding="utf-8")
    assert new(tmp_path, "s-2.toml").returncode == 0
    expected = (TRICKY_STRINGS
                .replace("\nissue = 1\ndate = 2026-01-03\n", "\nissue = 2\ndate = 2026-01-10\n")
                .replace("""articles = ["1/a.md", '1/b ] ".md']""", "articles = []"))
    assert (tmp_path / "s-2.toml").read_text(encoding="utf-8") == expected
    assert parsed(tmp_path / "s-2.toml")["subtitle"] == parsed(tmp_path / "s-1.toml")["subtitle"]


def test_a_table_between_sections_keeps_its_comments(tmp_path):
    """tomlkit renders [furniture] below all the sections when it was written between two
    of them (python-poetry/tomlkit#601); the values and every comment must still be kept."""
    (tmp_path / "w-1.toml").write_text(textwrap.dedent('''\
        title = "Split"
        issue = 1
        date = 2026-01-03
        language = "en"
        period = "weekly"

        # first the news
        [[sections]]
        title = "News"
        articles = ["1/a.md"]

        # cut the sign-off
        [furniture]
        remove = true

        # then sport
        [[sections]]
        title = "Sport"
        '''), encoding="utf-8")
    result = new(tmp_path, "w-2.toml")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = (tmp_path / "w-2.toml").read_text(encoding="utf-8").splitlines()
    for comment in ("# first the news", "# cut the sign-off", "# then sport"):
        assert comment in lines
    assert parsed(tmp_path / "w-2.toml") == {
        "title": "Split", "issue": 2, "date": dt.date(2026, 1, 10), "language": "en",
        "period": "weekly", "furniture": {"remove": True},
        "sections": [{"title": "News", "articles": []}, {"title": "Sport"}]}


def tomlkit_fails(monkeypatch):
    def parse(text):
        raise tomlkit.exceptions.ParseError(1, 1, "cannot follow this file")
    monkeypatch.setattr(series.tomlkit, "parse", parse)


def tomlkit_edits_wrongly(monkeypatch):
    monkeypatch.setattr(series, "edited_text", lambda text, issue, date: text)


@pytest.mark.parametrize("failure", [tomlkit_fails, tomlkit_edits_wrongly])
def test_a_file_tomlkit_cannot_edit_is_written_afresh_with_a_note(tmp_path, monkeypatch,
                                                                  failure):
    (tmp_path / "weekly-47.toml").write_text(WEEKLY, encoding="utf-8")
    previous = series.read_edition_file(tmp_path / "weekly-47.toml")
    failure(monkeypatch)
    made = series.next_edition(previous, [])
    assert made.note == ("weekly-47.toml has a layout `edition new` cannot edit in place, "
                         "so the new file was written afresh from its values: its comments "
                         "and layout were not kept")
    fresh = tomllib.loads(made.text)
    assert fresh == series.carried_over(previous.data, 48, dt.date(2026, 11, 28))
    assert list(fresh)[:4] == ["title", "subtitle", "issue", "volume"]  # the previous order
    assert "# bump every week" not in made.text


def test_help_names_the_target_and_from():
    result = run_edition("new", "--help")
    assert result.returncode == 0
    assert "TARGET.toml" in result.stdout and "--from PREVIOUS.toml" in result.stdout


def test_new_then_build(tmp_path):
    folder = tmp_path / "editions"
    folder.mkdir()
    (folder / "weekly-47.toml").write_text(WEEKLY.replace('cover = "cover.jpg"\n', ""),
                                           encoding="utf-8")
    result = new(tmp_path, "editions/weekly-48.toml")
    assert result.returncode == 0, result.stderr
    target = folder / "weekly-48.toml"

    empty = run_edition("build", str(target), "--out", str(tmp_path / "out"))
    assert empty.returncode == 1 and "the edition lists no articles" in empty.stderr

    (folder / "48" / "local").mkdir(parents=True)
    (folder / "48" / "local" / "fish.md").write_text(
        "---\ntitle: Fish market reopens\n---\n\nThe stalls are back.\n", encoding="utf-8")
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("articles = []", 'articles = ["48/local/fish.md"]', 1),
                      encoding="utf-8")
    built = run_edition("build", str(target), "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr

    with zipfile.ZipFile(tmp_path / "out" / "weekly-48.epub") as epub:
        meta = etree.fromstring(epub.read("EPUB/content.opf")).find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "The Harbour Weekly, Issue 48"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-11-28"
    assert meta.find("opf:meta[@property='group-position']", NS).text == "48"
    identifier = meta.findtext("dc:identifier", namespaces=NS)
    assert identifier.startswith("urn:uuid:") and "8c6e0c44" not in identifier
    pdf = PdfReader(tmp_path / "out" / "weekly-48.pdf")
    assert pdf.metadata["/Title"] == "The Harbour Weekly, Issue 48"
    assert "Fish market reopens" in "".join(page.extract_text() for page in pdf.pages)
