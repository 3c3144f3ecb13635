"""`edition preview`: not written yet."""

from __future__ import annotations

HELP = "preview (not written yet)"


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    print("edition preview: not written yet")
    return 2
