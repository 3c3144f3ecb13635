"""`edition build`: one edition file to EPUB and PDF."""

from __future__ import annotations

import os
import time
from pathlib import Path

from . import guarded, positive

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    import argparse

    from ..build import Output
    from ..errors import Report

HELP = "build an edition to EPUB and PDF"


def sample() -> Path:
    """The bundled sample edition (found on use: `edition --help` imports nothing more)."""
    from ..assets import EDITIONS

    return EDITIONS / "sample.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Build an edition file to EPUB and PDF."
    parser.add_argument("edition", nargs="?", type=Path,
                        help="edition file (default: the bundled sample edition)")
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                        help="output folder (default: out/)")
    parser.add_argument("--format", choices=("epub", "pdf", "all"), default="all",
                        help="what to build (default: all)")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors (for publishers' CI)")
    parser.add_argument("--jobs", type=positive, default=os.cpu_count() or 1, metavar="N",
                        help="processes typesetting the PDF in parallel (default: one per "
                             "CPU; 1 typesets it in one piece)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither use nor update the build cache (DIR/.edition-cache/, "
                             "which can be deleted at any time)")
    add_verbosity(parser)


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true",
                      help="print only warnings and errors: no progress, no summary")
    talk.add_argument("-v", "--verbose", action="store_true",
                      help="also say what the build does: each article read, what came "
                           "from the cache, each output")


def reporter(args: argparse.Namespace) -> Report:
    """A `Report` with progress drawn on stderr when it is a terminal (and not --quiet)."""
    import sys

    from ..errors import Report

    report = Report(verbose=args.verbose)
    if sys.stderr.isatty() and not args.quiet:
        from ..progress import Terminal

        report.progress = Terminal(sys.stderr)
    return report


def describe(output: Output) -> str:
    """'out/x.pdf (1.2 MB, 14 pages)'."""
    from ..errors import shown
    from ..text import human_size

    pages = f", {output.pages} pages" if output.pages is not None else ""
    return f"{shown(output.path)} ({human_size(output.size)}{pages})"


def run(args: argparse.Namespace) -> int:
    edition = args.edition or sample()
    return guarded(lambda: _build(args, edition), edition)


def _build(args: argparse.Namespace, edition: Path) -> int:
    from ..build import build
    from ..errors import shown

    report = reporter(args)
    formats = ("epub", "pdf") if args.format == "all" else (args.format,)
    started = time.perf_counter()
    try:
        outputs = build(edition, args.out, formats, report, strict=args.strict,
                        jobs=args.jobs, use_cache=not args.no_cache)
    finally:
        report.progress.clear()
    if args.quiet:
        return 0
    for output in outputs:
        print(f"{'wrote' if output.fresh else 'up to date:'} {describe(output)}")
    warnings = len(report.warnings)
    print(f"built {shown(edition)} in {time.perf_counter() - started:.1f} s"
          + (f" with {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""))
    return 0
