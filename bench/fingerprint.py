"""Fingerprints of the builder's outputs: one line per output, its SHA-256 and size.

For a change that must not change the outputs (a refactor, a patch turned off): run it
before and after, and compare the two listings (`diff`). It builds the bundled sample,
the many-scripts fixture and a generated corpus, in one piece and in parallel, in each
theme, layout and PDF variant, and EPUB or PDF alone.

    python bench/fingerprint.py > before.txt   # (on the old code)
    python bench/fingerprint.py > after.txt
    diff before.txt after.txt

Options: `--corpus N` (articles in the generated edition, default 24; 0 leaves it out),
`--quick` (the sample only, in fewer variants).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# name -> (keys added to the edition file, build options)
VARIANTS = {
    "plain": ({}, ()),
    "one-piece": ({}, ("--jobs", "1")),
    "epub-only": ({}, ("--format", "epub")),
    "pdf-only": ({}, ("--format", "pdf")),
    "magazine": ({"theme": '"magazine"', "layout": '"magazine"'}, ()),
    "pdf-x4-bleed": ({"pdf_variant": '"pdf/x-4"', "bleed": '"3mm"', "crop_marks": "true"}, ()),
    "pdf-a3b": ({"pdf_variant": '"pdf/a-3b"'}, ()),
    "pdf-ua1": ({"pdf_variant": '"pdf/ua-1"'}, ()),
    "no-fonts": ({"embed_fonts": "false"}, ("--format", "epub")),
}
QUICK = ("plain", "one-piece", "epub-only")


def with_keys(source: Path, keys: dict[str, str], target: Path) -> Path:
    """A copy of the edition file beside it, with top-level `keys` set."""
    text = source.read_text(encoding="utf-8")
    for key in keys:
        text = re.sub(rf"(?m)^{key}\s*=.*\n", "", text)
    head = "".join(f"{key} = {value}\n" for key, value in keys.items())
    target.write_text(head + text, encoding="utf-8")
    return target


def build(edition: Path, out: Path, options: tuple[str, ...]) -> list[Path]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", "import sys; from builder.cli import main; "
               "sys.exit(main(sys.argv[1:]))", "build", str(edition), "--out", str(out),
               "--no-cache", "-q", "--jobs", "2", *options]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return sorted(p for p in out.iterdir() if p.suffix in (".epub", ".pdf"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=int, default=24)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fingerprint-", dir=ROOT.parent) as scratch:
        scratch = Path(scratch)
        editions = {"sample": ROOT / "editions" / "sample.toml"}
        if not args.quick:
            editions["scripts"] = ROOT / "tests" / "fixtures" / "scripts" / "scripts.toml"
            if args.corpus:
                corpus = scratch / "corpus"
                subprocess.run([sys.executable, str(SHARED / "corpus" / "make_corpus.py"),
                                str(corpus), "--articles", str(args.corpus)],
                               check=True, capture_output=True)
                editions["corpus"] = next(corpus.glob("*.toml"))
        for name, source in editions.items():
            for variant, (keys, options) in VARIANTS.items():
                if args.quick and variant not in QUICK:
                    continue
                edition = with_keys(source, keys, source.with_name(f".fp-{variant}.toml")) \
                    if keys else source
                try:
                    for path in build(edition, scratch / name / variant, options):
                        data = path.read_bytes()
                        print(f"{name}/{variant}/{path.suffix[1:]}  "
                              f"{hashlib.sha256(data).hexdigest()[:16]}  {len(data)}",
                              flush=True)
                finally:
                    if keys:
                        edition.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
