"""The `edition` command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .assets import EDITIONS

SAMPLE = EDITIONS / "sample.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edition", description="Build periodic editions as EPUB 3 and print-ready PDF.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build an edition to EPUB and PDF",
                                description="Build an edition file to EPUB and PDF.")
    build.add_argument("edition", nargs="?", type=Path,
                       help="edition file (default: the bundled sample edition)")
    build.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                       help="output folder (default: out/)")
    build.add_argument("--format", choices=("epub", "pdf", "all"), default="all",
                       help="what to build (default: all)")
    build.add_argument("--strict", action="store_true",
                       help="treat warnings as errors (for publishers' CI)")
    build.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N",
                       help="processes typesetting the PDF in parallel (default: one per "
                            "CPU; 1 typesets it in one piece)")
    build.add_argument("--no-cache", action="store_true",
                       help="neither use nor update the build cache (DIR/.edition-cache/, "
                            "which can be deleted at any time)")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .build import build
    from .errors import BuildError, Report, shown

    signal.signal(signal.SIGTERM, _terminate)
    report = Report()
    edition = args.edition or SAMPLE
    formats = ("epub", "pdf") if args.format == "all" else (args.format,)
    started = time.perf_counter()
    try:
        outputs = build(edition, args.out, formats, report, strict=args.strict,
                        jobs=args.jobs, use_cache=not args.no_cache)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: no output was changed", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, or input we did not foresee: still no traceback
        if os.environ.get("EDITION_DEBUG"):
            raise
        print(f"error: {shown(edition)}: the build failed unexpectedly "
              f"({type(exc).__name__}: {str(exc)[:200]}); no output was changed. "
              f"Set EDITION_DEBUG=1 to see where, and please report it.", file=sys.stderr)
        return 1
    for output in outputs:
        verb = "wrote" if output.fresh else "up to date:"
        print(f"{verb} {shown(output.path)} ({output.size / 1024:.0f} KB)")
    print(f"built {edition} in {time.perf_counter() - started:.1f} s"
          + (f" with {len(report.warnings)} warning(s)" if report.warnings else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
