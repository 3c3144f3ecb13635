"""Benchmark: how well the built-in furniture rules separate site furniture from story.

    .venv/bin/python bench/furniture.py [--verbose]

Reads the endings in tests/fixtures/endings/ and cleans each as the build does
(`clean.clean_body` with the built-in rules). Three batches, each a `*furniture.toml`
(story paragraphs, then the furniture after them) and a `*genuine.toml` (last
paragraphs that mention subscribing, sharing, following or newsletters as part of
the story): the first written before the rules, "held-out" after the first rules and
"fresh" after the second, each measured before the rules were fitted to it (see the
comments in the files). It counts, block by block:

- precision: of the blocks removed, the share that were furniture;
- recall: of the furniture blocks, the share removed;
- story blocks kept: of the story blocks (both files), how many stay.

`--verbose` lists every furniture block missed and every story block removed. Takes
well under a second; not part of the test run (tests/test_furniture.py asserts the same).
"""

from __future__ import annotations

import argparse
import io
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder import clean, furniture  # noqa: E402
from builder.errors import Report  # noqa: E402

ENDINGS = ROOT / "tests" / "fixtures" / "endings"
SETS = (("endings", ""), ("held-out endings", "held-out-"), ("fresh endings", "fresh-"))
LEAD = "The story starts with a paragraph of its own, before the ending."  # not counted


@dataclass(frozen=True)
class Ending:
    name: str
    kept: tuple[str, ...]
    removed: tuple[str, ...]


def load(name: str) -> list[Ending]:
    """The endings of `name`.toml, each named after its file and number."""
    data = tomllib.loads((ENDINGS / f"{name}.toml").read_text(encoding="utf-8"))
    return [Ending(f"{name} {number}", tuple(e["kept"]), tuple(e.get("removed", ())))
            for number, e in enumerate(data["ending"], 1)]


def markup(block: str) -> str:
    """A block as HTML: as written when it starts with '<', else one paragraph."""
    if block.startswith("<"):
        return block
    return f"<p>{clean._escape(block)}</p>"


def text(block: str) -> str:
    """A block's text as furniture removal reports it (whitespace squeezed)."""
    return " ".join(lxml.html.fragment_fromstring(markup(block)).text_content().split())


def removed_by_build(ending: Ending) -> list[str]:
    """The texts of the blocks the build removes from `ending`."""
    blocks = (LEAD, *ending.kept, *ending.removed)
    html = "\n".join(markup(block) for block in blocks)
    report = Report(stream=io.StringIO(), quiet=True)
    rules = furniture.rules_for(True, ())
    cleaned = clean.clean_body(html, "a001", ENDINGS / "ending.html", ENDINGS, rules, report)
    return [block.text for block in cleaned.removed]


@dataclass
class Count:
    furniture: int = 0  # furniture blocks in the endings
    story: int = 0  # story blocks in the endings
    hits: int = 0  # furniture blocks removed
    misses: list[str] | None = None  # furniture blocks kept
    wrong: list[str] | None = None  # story blocks removed


def count(endings: list[Ending]) -> Count:
    result = Count(misses=[], wrong=[])
    for ending in endings:
        gone = removed_by_build(ending)
        wanted = [text(block) for block in ending.removed]
        result.furniture += len(wanted)
        result.story += len(ending.kept)
        result.hits += sum(block in gone for block in wanted)
        result.misses += [f"{ending.name}: {block}" for block in wanted if block not in gone]
        result.wrong += [f"{ending.name}: {block}" for block in gone if block not in wanted]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    every: list[Ending] = []
    for title, prefix in SETS:
        furniture_set, genuine_set = load(f"{prefix}furniture"), load(f"{prefix}genuine")
        print(f"{title}: {len(furniture_set)} endings with furniture, "
              f"{len(genuine_set)} genuine")
        show(count(furniture_set + genuine_set), args.verbose)
        every += furniture_set + genuine_set
    print(f"all batches: {len(every)} endings")
    show(count(every), verbose=False)


def show(result: Count, verbose: bool) -> None:
    removed = result.hits + len(result.wrong)
    precision = result.hits / removed if removed else 1.0
    recall = result.hits / result.furniture
    kept = result.story - len(result.wrong)
    print(f"  precision {precision:6.1%}  ({result.hits} of {removed} removed blocks were "
          f"furniture)")
    print(f"  recall    {recall:6.1%}  ({result.hits} of {result.furniture} furniture blocks "
          f"removed)")
    print(f"  story blocks kept {kept} of {result.story}")
    if verbose:
        for line in result.misses:
            print(f"  missed:  {line}")
        for line in result.wrong:
            print(f"  removed: {line}")


if __name__ == "__main__":
    main()
