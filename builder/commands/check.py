"""`edition check`: not written yet."""

from __future__ import annotations

HELP = "check (not written yet)"


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    print("edition check: not written yet")
    return 2
