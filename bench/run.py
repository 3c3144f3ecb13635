"""Benchmark: our builds against Pandoc and against WeasyPrint alone, side by side.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/run.py [--sizes 10 50 200 500] [--runs 3]

For each size it generates an edition with ../shared/corpus/make_corpus.py (seed 1) and
times, each in its own process: our cold build (EPUB, PDF, both), our rebuild after
editing one article and with nothing changed, Pandoc to EPUB, Pandoc to PDF through
WeasyPrint, and the "floor" (WeasyPrint alone on our own final HTML). It prints a
table of medians with ratios, pages/s and peak memory, and writes it as JSON to
bench/results/ for comparison between commits. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("EDITION_SHARED", ROOT.parent / "shared")) / "corpus"
BIN = Path(sys.executable).parent

# WeasyPrint alone on our final HTML: everything before write_pdf is set-up, not timed.
FLOOR = """
import sys, time, resource
from pathlib import Path
from builder.assemble import assemble
from builder.build import modified_time
from builder.edition import load_edition
from builder.errors import Report
from builder.assets import look_of, style_files
from builder.render import render_print
from builder.writers.pdf import BASE_URL, _fetcher
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
report = Report(quiet=True)
edition = assemble(load_edition(Path(sys.argv[1])), report)
html = render_print(edition, modified_time(edition))
files = dict(style_files("print", look_of(edition)))
files.update({r.name: (r.media_type, r.data) for r in edition.resources})
start = time.perf_counter()
data = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(files, [])).write_pdf(
    font_config=FontConfiguration())
print(time.perf_counter() - start)
Path(sys.argv[2]).write_bytes(data)
"""


def run(command: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall time in seconds, peak RSS in MB (of the process and its children), stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stdout, stderr = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def corpus(size: int, work: Path) -> Path:
    folder = work / f"corpus-{size}"
    if not (folder / "edition.toml").exists():
        subprocess.run([sys.executable, str(CORPUS / "make_corpus.py"), str(folder),
                        "--articles", str(size), "--seed", "1"], check=True,
                       capture_output=True)
    return folder / "edition.toml"


def measurements(edition: Path, out: Path) -> dict:
    """name -> (command, pdf produced or None); each run in a fresh output folder."""
    articles = sorted(str(p) for p in edition.parent.glob("*.md"))
    edition_cmd = [str(BIN / "edition"), "build", str(edition), "--out", str(out)]
    env_path = f"--pdf-engine={BIN / 'weasyprint'}"
    return {
        "ours: EPUB": (edition_cmd + ["--format", "epub"], None),
        "ours: PDF": (edition_cmd + ["--format", "pdf"], out / "edition.pdf"),
        "ours: EPUB+PDF": (edition_cmd, out / "edition.pdf"),
        "ours: rebuild, one article edited": (edition_cmd, out / "edition.pdf"),
        "ours: rebuild, nothing changed": (edition_cmd, out / "edition.pdf"),
        "pandoc: EPUB": ([pandoc(), "--file-scope", "--toc", "-o", str(out / "p.epub"),
                          "--metadata", "title=The Synthetic Gazette", *articles], None),
        "pandoc: PDF (WeasyPrint)": ([pandoc(), "--file-scope", "--toc", env_path, "-o",
                                      str(out / "p.pdf"), "--metadata",
                                      "title=The Synthetic Gazette", *articles],
                                     out / "p.pdf"),
        "floor: WeasyPrint alone": ([sys.executable, "-c", FLOOR, str(edition),
                                     str(out / "floor.pdf")], out / "floor.pdf"),
    }


def touch_one_article(edition: Path) -> None:
    first = sorted(edition.parent.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nEdited for the benchmark.\n",
                     encoding="utf-8")


def bench_size(size: int, runs: int, work: Path) -> list[dict]:
    """Runs go round by round (each measure once, then again), not measure by measure,
    so that the machine's drift over minutes falls on every measure alike."""
    edition = corpus(size, work)
    pristine = edition.parent.with_name(edition.parent.name + "-pristine")
    if not pristine.exists():
        shutil.copytree(edition.parent, pristine)
    names = list(measurements(edition, work))
    times: dict[str, list[float]] = {name: [] for name in names}
    peaks: dict[str, list[float]] = {name: [] for name in names}
    page_count: dict[str, int | None] = dict.fromkeys(names)
    for round_number in range(runs):
        for name in names:
            shutil.rmtree(edition.parent)
            shutil.copytree(pristine, edition.parent)
            with tempfile.TemporaryDirectory(dir=work) as out:
                command, pdf = measurements(edition, Path(out))[name]
                if name.startswith("ours: rebuild"):
                    run(measurements(edition, Path(out))["ours: EPUB+PDF"][0])
                    if "edited" in name:
                        touch_one_article(edition)
                elapsed, peak, stdout = run(command)
                if name.startswith("floor"):
                    elapsed = float(stdout.strip().splitlines()[-1])
                times[name].append(elapsed)
                peaks[name].append(peak)
                page_count[name] = pages(pdf) if pdf else page_count[name]
            print(f"  {size:>4} round {round_number + 1}: {name:<36} {elapsed:8.2f} s",
                  file=sys.stderr)
    return [{"articles": size, "measure": name, "median_s": statistics.median(times[name]),
             "runs": times[name], "peak_mb": max(peaks[name]), "pages": page_count[name]}
            for name in names]


def paired(rows: list[dict]) -> dict:
    """The two speed targets' ratios taken round by round (runs of one round are minutes
    apart, not a quarter of an hour), and their medians."""
    out = {}
    for n in sorted({r["articles"] for r in rows}):
        by = {r["measure"]: r["runs"] for r in rows if r["articles"] == n}
        both = [a / (b + c) for a, b, c in zip(by["ours: EPUB+PDF"], by["pandoc: EPUB"],
                                                by["pandoc: PDF (WeasyPrint)"], strict=True)]
        floor = [a / b for a, b in zip(by["ours: PDF"], by["floor: WeasyPrint alone"],
                                        strict=True)]
        out[n] = {"epub_pdf_vs_pandoc": both, "pdf_vs_floor": floor}
    return out


def ratios(rows: list[dict]) -> None:
    by = {(r["articles"], r["measure"]): r for r in rows}
    for row in rows:
        n = row["articles"]
        cold = by[(n, "ours: EPUB+PDF")]["median_s"]
        pandoc_both = by[(n, "pandoc: EPUB")]["median_s"] + \
            by[(n, "pandoc: PDF (WeasyPrint)")]["median_s"]
        floor = by[(n, "floor: WeasyPrint alone")]["median_s"]
        row["vs_cold"] = row["median_s"] / cold
        row["vs_pandoc_both"] = row["median_s"] / pandoc_both
        row["vs_floor"] = row["median_s"] / floor
        row["pages_per_s"] = row["pages"] / row["median_s"] if row["pages"] else None


def table(rows: list[dict]) -> str:
    head = (f"{'articles':>8}  {'measure':<36} {'median s':>9} {'x cold':>7} "
            f"{'x pandoc':>9} {'x floor':>8} {'pages':>6} {'pages/s':>8} {'peak MB':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        pps = f"{r['pages_per_s']:.1f}" if r["pages_per_s"] else "-"
        lines.append(f"{r['articles']:>8}  {r['measure']:<36} {r['median_s']:>9.2f} "
                     f"{r['vs_cold']:>7.2f} {r['vs_pandoc_both']:>9.2f} {r['vs_floor']:>8.2f} "
                     f"{r['pages'] or '-':>6} {pps:>8} {r['peak_mb']:>8.0f}")
    lines.append("x pandoc: against Pandoc's EPUB + PDF time together; x floor: against "
                 "WeasyPrint alone on our HTML.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200, 500])
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args()
    if not (CORPUS / "make_corpus.py").is_file():
        parser.error(f"corpus generator not found at {CORPUS} (set EDITION_SHARED)")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        rows += bench_size(size, args.runs, args.work.resolve())
    ratios(rows)
    pairs = paired(rows)
    print(table(rows))
    for n, pair in pairs.items():
        print(f"{n:>8}  round by round: EPUB+PDF x Pandoc "
              f"{' '.join(f'{x:.2f}' for x in pair['epub_pdf_vs_pandoc'])} "
              f"(median {statistics.median(pair['epub_pdf_vs_pandoc']):.2f}); PDF x floor "
              f"{' '.join(f'{x:.2f}' for x in pair['pdf_vs_floor'])} "
              f"(median {statistics.median(pair['pdf_vs_floor']):.2f})")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    target = results / f"bench-{commit}-{'-'.join(map(str, args.sizes))}.json"
    target.write_text(json.dumps({"commit": commit, "cpus": os.cpu_count(), "rows": rows,
                                  "paired": pairs},
                                 indent=2), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
