"""`edition new`: not written yet."""

from __future__ import annotations

HELP = "new (not written yet)"


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    print("edition new: not written yet")
    return 2
