"""The `edition` subcommands, one module each.

Each module has `HELP` (one line for `edition --help`), `add_arguments(parser)` and
`run(args) -> int`. Modules import only the standard library at the top, so that
`edition --help` stays fast; the heavy work is imported inside `run`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

NAMES = ("build", "new", "check", "preview", "publish", "proof")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def guarded(work: Callable[[], int], subject: Path | str | None) -> int:
    """Run `work`, turning every failure into one line on stderr and an exit status:
    1 for bad input (or a bug), 130 when interrupted. Never a traceback."""
    from ..errors import BuildError, shown

    try:
        return work()
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # the reader of our output left; the caller exits quietly
    except KeyboardInterrupt:
        print("interrupted: no output was changed", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, or input we did not foresee: still no traceback
        if os.environ.get("EDITION_DEBUG"):
            raise
        where = f"{shown(subject)}: " if subject else ""
        print(f"error: {where}the command failed unexpectedly "
              f"({type(exc).__name__}: {str(exc)[:200]}); no output was changed. "
              f"Set EDITION_DEBUG=1 to see where, and please report it.", file=sys.stderr)
        return 1
