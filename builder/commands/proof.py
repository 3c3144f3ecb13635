"""`edition proof`: PNG images of chosen pages of the PDF, next to the outputs."""

from __future__ import annotations

import os
from pathlib import Path

from . import guarded, positive
from .build import sample

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    import argparse

HELP = "write PNG proofs of chosen PDF pages (cover, contents, an article, a footnote, a table)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("edition", nargs="?", type=Path,
                        help="edition file (default: the bundled sample edition)")
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                        help="output folder (default: out/); proofs go to DIR/<name>-proof/")
    parser.add_argument("--dpi", type=positive, default=110,
                        help="resolution of the images (default: 110)")
    parser.add_argument("--page", type=positive, action="append", default=[], metavar="N",
                        help="also this page (repeatable)")
    parser.add_argument("--jobs", type=positive, default=os.cpu_count() or 1, metavar="N",
                        help="processes typesetting the PDF, as for build")


def run(args: argparse.Namespace) -> int:
    edition = args.edition or sample()
    return guarded(lambda: _proof(args, edition), edition)


def _proof(args: argparse.Namespace, edition: Path) -> int:
    from ..build import build
    from ..errors import Report, shown
    from ..proof import write_proofs

    if args.dpi > 600:
        from ..errors import BuildError

        raise BuildError(f"--dpi {args.dpi} is more than a proof needs; use at most 600")
    outputs = build(edition, args.out, ("epub", "pdf"), Report(), jobs=args.jobs)
    pdf = next(o.path for o in outputs if o.format == "pdf")
    proofs = write_proofs(pdf, args.out / f"{edition.stem}-proof", args.dpi, tuple(args.page))
    for proof in proofs:
        print(f"{proof.label}: page {proof.page} -> {shown(proof.path)}")
    return 0
