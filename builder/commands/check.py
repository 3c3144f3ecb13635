"""`edition check`: validate an edition and its articles without building."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import guarded

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    import argparse

HELP = "check an edition and its articles without building"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("edition", type=Path, help="edition file")
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                        help="where the last build is, for EPUBCheck (default: out/)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for machines")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 on the warnings that make `build --strict` fail too")


def run(args: argparse.Namespace) -> int:
    return guarded(lambda: _check(args), args.edition)


def _check(args: argparse.Namespace) -> int:
    from ..check import check
    from ..errors import shown, where

    findings = check(args.edition, args.out)
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    # --strict fails where `build --strict` would: on the warnings a build prints
    failed = counts["error"] > 0 or (
        args.strict and any(f.severity == "warning" and f.build for f in findings))
    if args.format == "json":
        json.dump({"edition": shown(args.edition), "ok": not failed, "counts": counts,
                   "findings": [f.as_dict() for f in findings]},
                  sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        for finding in findings:
            print(f"{where(finding.path, finding.line)}{finding.severity}: "
                  f"{finding.message} [{finding.code}]")
        print(f"{shown(args.edition)}: {counts['error']} error(s), "
              f"{counts['warning']} warning(s)"
              + (f", {counts['info']} note(s)" if counts["info"] else ""))
    return 1 if failed else 0
