"""`edition publish`: not written yet."""

from __future__ import annotations

HELP = "publish (not written yet)"


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    print("edition publish: not written yet")
    return 2
