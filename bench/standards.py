"""What a PDF validator says of an edition's PDF in each variant, typeset in one piece
and in chunks: one line per build, with the rules that failed.

The validator is page (`pip install page-validation`: veraPDF's rules for PDF/A-1 to 3
and PDF/UA-1, offline). PDF/A-3b is held to its own profile and PDF/UA-1 to its own;
no validator here knows PDF/X, so a PDF/X book is held to PDF/A-2b, whose rules on the
file's syntax, fonts, colour and images PDF/X-4 shares (the failures of PDF/A's own
identification, XMP schema declarations and printable annotations are listed apart).

    python bench/standards.py                       # the sample edition
    python bench/standards.py path/to/edition.toml --variants pdf/a-3b --jobs 2
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {"pdf/a-3b": "3b", "pdf/x-4": "2b", "pdf/x-3": "2b", "pdf/ua-1": "ua1"}
PDF_A_ONLY = re.compile(r"PDFA2B-(ID-SCHEMA|XMP-[A-Z-]+|ANNOTATION-FLAGS-PRESENT)-\d+")


def with_variant(source: Path, variant: str, target: Path) -> Path:
    """A copy of the edition file beside it, with `pdf_variant` set."""
    text = re.sub(r"(?m)^pdf_variant\s*=.*\n", "", source.read_text(encoding="utf-8"))
    target.write_text(f'pdf_variant = "{variant}"\n{text}', encoding="utf-8")
    return target


def build(edition: Path, out: Path, jobs: int) -> Path:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "builder.cli", "build", str(edition), "--out", str(out),
               "--format", "pdf", "--no-cache", "-q", "--jobs", str(jobs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return out / f"{edition.stem}.pdf"


def findings(pdf: Path, profile: str) -> dict[str, object]:
    """The rules that failed, and what the file itself shows: interpolated images,
    stream data ending in CR before `endstream`, qpdf's complaints."""
    import page
    import pikepdf

    report = page.validate_pdf(str(pdf), profile=profile)
    rules = collections.Counter(f.rule_id for f in report.failures)
    with pikepdf.open(pdf) as opened:
        images = [o for o in opened.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        qpdf = opened.check_pdf_syntax()
    data = pdf.read_bytes()
    return {"rules": rules, "images": len(images),
            "interpolated": sum(o.get("/Interpolate") is True for o in images),
            "cr": data.count(b"\rendstream") + data.count(b"\r\nendstream"),
            "qpdf": len(qpdf)}


def line(variant: str, jobs: int, profile: str, found: dict) -> str:
    rules = found["rules"]
    shared = {r: n for r, n in rules.items() if not PDF_A_ONLY.match(r)}
    apart = sorted(set(rules) - set(shared))
    return (f"{variant:9} {'one piece' if jobs == 1 else 'chunked':9} {profile:4} "
            f"failed {len(rules):2} (shared {len(shared):2})  "
            f"images {found['images']} interpolated {found['interpolated']}  "
            f"CR endstream {found['cr']}  qpdf {found['qpdf']}  "
            f"{' '.join(sorted(shared))}" + (f"  [PDF/A only: {' '.join(apart)}]"
                                              if apart else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edition", nargs="?", type=Path, default=ROOT / "editions" / "sample.toml")
    ap.add_argument("--variants", nargs="+", default=list(PROFILES), choices=list(PROFILES))
    ap.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="standards-") as scratch:
        for variant in args.variants:
            edition = with_variant(args.edition, variant,
                                   args.edition.with_name(f".standards-{variant[4:]}.toml"))
            try:
                for jobs in args.jobs:
                    pdf = build(edition, Path(scratch) / f"{variant[4:]}-{jobs}", jobs)
                    print(line(variant, jobs, PROFILES[variant],
                               findings(pdf, PROFILES[variant])), flush=True)
            finally:
                edition.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
