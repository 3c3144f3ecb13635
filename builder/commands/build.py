"""`edition build`: one edition file to EPUB and PDF."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..assets import EDITIONS
from . import guarded, positive

HELP = "build an edition to EPUB and PDF"
SAMPLE = EDITIONS / "sample.toml"


def add_arguments(parser) -> None:
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


def run(args) -> int:
    edition = args.edition or SAMPLE
    return guarded(lambda: _build(args, edition), edition)


def _build(args, edition: Path) -> int:
    from ..build import build
    from ..errors import Report, shown

    report = Report()
    formats = ("epub", "pdf") if args.format == "all" else (args.format,)
    started = time.perf_counter()
    outputs = build(edition, args.out, formats, report, strict=args.strict,
                    jobs=args.jobs, use_cache=not args.no_cache)
    for output in outputs:
        verb = "wrote" if output.fresh else "up to date:"
        print(f"{verb} {shown(output.path)} ({output.size / 1024:.0f} KB)")
    print(f"built {edition} in {time.perf_counter() - started:.1f} s"
          + (f" with {len(report.warnings)} warning(s)" if report.warnings else ""))
    return 0
