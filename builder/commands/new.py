"""`edition new`: start the next edition file of a series from the latest one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import guarded

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    import argparse

    from ..series import EditionFile

HELP = "start the next edition of a series from the latest one"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write the next edition file of a series: the previous edition's settings and "
        "sections, the next issue number and date (by its 'period'), and empty article "
        "lists to fill in.")
    parser.add_argument("target", type=Path, metavar="TARGET.toml",
                        help="the new edition file (never overwritten)")
    parser.add_argument("--from", dest="previous", type=Path, metavar="PREVIOUS.toml",
                        help="the edition to continue (default: the latest edition file "
                             "in TARGET's folder, by date, then issue)")


def run(args: argparse.Namespace) -> int:
    return guarded(lambda: _new(args.target, args.previous), args.target)


def _new(target: Path, previous_path: Path | None) -> int:
    from .. import series
    from ..errors import BuildError, shown
    from ..output import write_atomic

    _check_target(target)
    if previous_path is not None:
        previous = series.read_edition_file(previous_path)
        others = series.editions_in(previous.path.parent, strict=False, exclude=previous.path)
    else:
        try:
            found = series.editions_in(target.parent)
        except BuildError as error:
            raise BuildError(f"{error.message} (fix it, or pass --from PREVIOUS.toml to "
                             f"choose the edition to continue)", error.path,
                             error.line, error.code, error.more) from None
        if not found:
            raise BuildError(f"no edition file in {shown(target.parent)}/ to continue from; "
                             f"pass --from PREVIOUS.toml", target)
        previous = series.latest(found)
        others = [e for e in found if e is not previous]
        titles = sorted({e.data["title"] for e in found if isinstance(e.data["title"], str)})
        if len(titles) > 1:
            _note(f"{shown(target.parent)}/ holds editions of {len(titles)} series; continued "
                  f"{shown(previous.path)}, the latest; pass --from to choose another")
    made = series.next_edition(previous, others)
    write_atomic(target, made.text.encode("utf-8"))

    if made.note:
        _note(made.note)
    _check_name(target, previous, made.issue)
    issue = f"issue {made.issue}, " if made.issue is not None else ""
    print(f"wrote {shown(target)} ({issue}{made.date.isoformat()}) "
          f"from {shown(previous.path)}")
    print(f"put this issue's articles in {shown(target.parent)}/ or a folder below it, "
          f"and list them in each section's `articles`:")
    for title, folder in made.sections:
        where = target.parent / folder
        new = "" if where.is_dir() else " (a new folder)"
        print(f"  {title}: e.g. under {shown(where)}/{new}" if folder else f"  {title}")
    print(f"until a section lists an article, `edition build {shown(target)}` stops with "
          f"\"the edition lists no articles\"")
    return 0


def _check_target(target: Path) -> None:
    from ..errors import BuildError, shown

    if not target.name.endswith(".toml") or target.name == ".toml":
        raise BuildError("the new edition file's name must end in .toml", target)
    if target.exists() or target.is_symlink():
        raise BuildError("the file already exists; `edition new` never overwrites one "
                         "(give the next edition's name)", target)
    if not target.parent.is_dir():
        raise BuildError(f"the folder {shown(target.parent)}/ does not exist; create it "
                         f"first (`edition new` does not, so that a mistyped path does not "
                         f"start a stray folder)", target)


def _check_name(target: Path, previous: EditionFile, issue: int | None) -> None:
    """When the series names its files by issue, say if the new name does not follow."""
    from ..errors import shown

    number = re.search(r"(\d+)$", previous.path.stem)
    if issue is None or not number or int(number[1]) != previous.data.get("issue"):
        return
    mine = re.search(r"(\d+)$", target.stem)
    if not mine or int(mine[1]) != issue:
        _note(f"{shown(target)} is issue {issue}, but its name does not end in {issue} "
              f"as {previous.path.name} ends in its issue number")


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)
