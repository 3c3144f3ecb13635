"""Site furniture: the endings in tests/fixtures/endings/, cleaned as the build cleans
them. No story paragraph is ever removed (precision 100 %), and the furniture blocks
are removed (recall: all of them in the sets the rules were written against, and at
least what the rules reach on the batch written last). bench/furniture.py prints the
same numbers."""

from __future__ import annotations

import io
import pickle
import tomllib

import lxml.html
import pytest

from builder import clean, furniture
from builder.errors import Report
from conftest import FIXTURES, SHARED

ENDINGS = FIXTURES / "endings"
LEAD = "The story starts with a paragraph of its own, before the ending."
RULES = furniture.rules_for(True, ())
BATCHES = ("", "held-out-", "fresh-")
FRESH_FURNITURE_REMOVED = 11  # of 13: "More in Politics" and "Buy us a coffee" stay


def endings(name: str) -> list[tuple[str, list[str], list[str]]]:
    """(name, kept blocks, removed blocks) of each ending in `name`.toml."""
    data = tomllib.loads((ENDINGS / f"{name}.toml").read_text(encoding="utf-8"))
    return [(f"{name}-{number}", e["kept"], e.get("removed", []))
            for number, e in enumerate(data["ending"], 1)]


def markup(block: str) -> str:
    return block if block.startswith("<") else f"<p>{clean._escape(block)}</p>"


def text(block: str) -> str:
    return " ".join(lxml.html.fragment_fromstring(markup(block)).text_content().split())


def removed(blocks: list[str], rules: tuple[furniture.Rule, ...] = RULES) -> list[str]:
    """The texts of the blocks the build takes off the end of an article of `blocks`."""
    html = "\n".join(markup(block) for block in [LEAD, *blocks])
    report = Report(stream=io.StringIO(), quiet=True)
    cleaned = clean.clean_body(html, "a001", ENDINGS / "a.html", ENDINGS, rules, report)
    return [block.text for block in cleaned.removed]


GENUINE = [e for batch in BATCHES for e in endings(f"{batch}genuine")]
FURNITURE = [e for batch in BATCHES for e in endings(f"{batch}furniture")]


def test_the_sets_are_large_enough():
    assert len(endings("genuine")) >= 20 and len(endings("furniture")) >= 20


@pytest.mark.parametrize("name, kept, _", GENUINE, ids=[e[0] for e in GENUINE])
def test_a_genuine_ending_is_kept_whole(name, kept, _):
    assert removed(kept) == []


@pytest.mark.parametrize("name, kept, gone", FURNITURE, ids=[e[0] for e in FURNITURE])
def test_only_furniture_is_removed_and_the_story_is_kept(name, kept, gone):
    """What is removed is the ending's furniture, last blocks first: never a story block."""
    taken = removed(kept + gone)
    wanted = [text(block) for block in gone]
    assert taken == wanted[len(wanted) - len(taken):]


@pytest.mark.parametrize("batch", ["", "held-out-"])
def test_every_furniture_block_is_removed(batch):
    for _, kept, gone in endings(f"{batch}furniture"):
        assert removed(kept + gone) == [text(block) for block in gone]


def test_recall_on_the_batch_written_last_stays_where_it_was_measured():
    found = sum(len(removed(kept + gone)) for _, kept, gone in endings("fresh-furniture"))
    assert found >= FRESH_FURNITURE_REMOVED


def test_the_seed_article_loses_its_three_sign_up_blocks():
    seed = next((SHARED / "seeds").glob("*.txt"), None)
    if seed is None:
        pytest.skip("no seed article in shared/seeds")
    paragraphs = [" ".join(p.split()) for p in seed.read_text(encoding="utf-8").split("\n\n")
                  if p.strip()]
    assert removed(paragraphs) == paragraphs[-3:]
    assert paragraphs[-4] == "Too much is at stake to let this conflict carry on indefinitely."


def test_related_links_go_only_under_a_related_label():
    links = '<ul><li><a href="/a">Harbour wall</a></li><li><a href="/b">Ferry</a></li></ul>'
    assert removed(["Read more:", links]) == ["Read more:", "Harbour wallFerry"]
    assert removed(["<h2>Further reading</h2>", links]) == []
    assert removed(["Sources:", links]) == []


def test_a_list_is_not_read_as_a_sign_up_box():
    assert removed(["<ul><li>Sign up at the desk</li><li>Share a review</li></ul>"]) == []


def test_quoted_or_reported_furniture_words_are_the_story():
    assert removed(["“Sign up for our newsletter,” she told the meeting."]) == []
    assert removed(["Follow us on Instagram, the baker says."]) == []


def test_an_edition_rule_applies_to_any_block_as_written():
    rules = furniture.rules_for(True, ("^listen to our podcast",))
    assert removed(["Listen to our podcast on the quay."], rules) == [
        "Listen to our podcast on the quay."]
    assert [r.name for r in rules[-1:]] == ["edition rule"]
    assert removed(["Share this article"], furniture.rules_for(False, ())) == []


def test_rules_can_be_sent_to_worker_processes():
    rules = furniture.rules_for(True, ("^x",))
    assert pickle.loads(pickle.dumps(rules)) == rules


def test_match_still_takes_a_paragraphs_text():
    assert furniture.match("  Share   this article ", RULES).name == "share links"
    assert furniture.match("Subscribe to the council's text alerts for road closures.",
                           RULES) is None
