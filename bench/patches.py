"""Benchmark: what each patch of WeasyPrint (builder/writers/internals.py) earns.

    .venv/bin/python bench/patches.py [--group 4] [--articles 8] [--runs 5] [--quick]

Typesets the same work in a fresh process for each configuration of `EDITION_PATCHES`:
every patch on, every patch off, each patch alone off (`page-styles`, `whole-fonts`,
`frame-stack`), and every patch on plus `normal-flow`, a patch dropped from the builder
(Box.is_in_normal_flow answered in one look at the style), which this script applies
itself, in its own processes only. The work comes from ../shared/corpus/make_corpus.py
(`--articles 8 --seed 1`):

- **chunk**: one group of `--group` articles (the edition's first, put in one section so
  that they make one group), rendered with the `print-chunk` layer and typeset by
  `printing._run` as a worker of a parallel build does (whole font files, no
  compression, the cycle collector held off);
- **whole**: the generated edition in one piece, as `printing.one_piece` typesets it.

For each it measures (a) the instructions executed while typesetting, counted by
Valgrind's Callgrind (about 50 times slower: one run each, the chunk only unless
`--count-whole`), which a client request (a few lines of C compiled here) switches on
and off around the typesetting alone; without a C compiler, whole processes are counted
less one that skips the typesetting; and (b) the median CPU (user + system), system and
wall time of the same typesetting over `--runs` runs, taken round by round. Every
process first warms WeasyPrint up (`pdf.warm_up`, as a build's workers start), so that
neither measure holds its first-use loading. With the hash seed fixed, instruction
counts repeat to within about 0.2 %; times on a shared machine vary by several per cent. Read
the instructions for work in user space and the system time for `frame-stack`, whose
gain is system calls (`mmap`/`munmap`), which Callgrind does not count.

The default run takes about seven minutes on two quiet cores (six Callgrind runs of
about 50 s, then 60 timed processes), up to twice that on a busy machine; `--quick` (a
group of 2 articles) about two thirds of it; `--count-whole` adds about two minutes per
configuration it counts. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("EDITION_SHARED", ROOT.parent / "shared")) / "corpus"
PATCHES = ("page-styles", "whole-fonts", "frame-stack")

# name -> (EDITION_PATCHES, normal-flow applied by the bench)
CONFIGS = {
    "all on": ("1", False),
    "all off": ("0", False),
    **{f"{name} off": (",".join(p for p in PATCHES if p != name), False)
       for name in PATCHES},
    "all on + normal-flow": ("1", True),
}
# Configurations counted by Callgrind for the whole edition: those whose instructions can
# differ there (a book in one piece embeds subsets: whole-fonts has nothing to do).
WHOLE_COUNTED = ("all on", "all off", "page-styles off", "frame-stack off",
                 "all on + normal-flow")

# Client requests of Callgrind around the typesetting (no-ops outside Valgrind).
TOGGLE_C = r"""
#include <valgrind/callgrind.h>
void bench_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void bench_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_STOP_INSTRUMENTATION; }
"""

# One measured typesetting, in a fresh process: argv = work, edition file, group size,
# normal-flow (0/1), toggle library or "", skip (1: set up only, for a baseline).
# It prints one line of JSON.
CHILD = r'''
import ctypes, gc, hashlib, json, os, sys, tempfile, time
from pathlib import Path

work, edition_file, size, normal_flow, toggle, skip = sys.argv[1:7]

from builder.assemble import assemble
from builder.assets import StyleFiles, look_of
from builder.build import modified_time
from builder.edition import load_edition
from builder.errors import Report
from builder.printing import Job, _resources, _run, group
from builder.render import render_print
from builder.writers.pdf import typeset, warm_up
from builder.writers.prepress import press_of



def flow_in_one_look():
    """The dropped normal-flow patch, as it was (git show 0c80616:builder/writers/speedups.py)."""
    from weasyprint.formatting_structure import boxes

    asks = ("is_floated", "is_absolutely_positioned", "is_running", "is_footnote", "is_note")
    floated = ("left", "right", "inline-start", "inline-end")
    out_of_flow = ("absolute", "fixed")
    box = boxes.Box
    if set(box.is_in_normal_flow.__code__.co_names) != set(asks) \
            or floated not in box.is_floated.__code__.co_consts \
            or out_of_flow not in box.is_absolutely_positioned.__code__.co_consts:
        raise SystemExit("normal-flow: this WeasyPrint's is_in_normal_flow differs")
    floats = (*floated, "footnote")
    placed_elsewhere = ("running()", "note()")

    def is_in_normal_flow(self):
        style = self.style
        if style["float"] in floats:
            return False
        position = style["position"]
        return not (position in out_of_flow or position[0] in placed_elsewhere)

    box.is_in_normal_flow = is_in_normal_flow


report = Report(quiet=True)
spec = load_edition(Path(edition_file))
edition = assemble(spec, report)
modified = modified_time(edition)
look, press = look_of(edition), press_of(edition)
warm_up(edition.language)  # as a build's workers start: WeasyPrint loaded, patches installed
if normal_flow == "1":
    flow_in_one_look()
scratch = Path(tempfile.mkdtemp())
if work == "chunk":
    parts = group(edition, int(size))[0]
    job = Job(render_print(edition, modified, front=False, parts=parts, layer="print-chunk"),
              "print-chunk", _resources(parts, edition), edition.identifier,
              scratch / "chunk.pdf", press.variant, look)
    run = lambda: _run(job)
else:
    html, styles = render_print(edition, modified), StyleFiles("print", look)
    dict(styles)  # read beforehand, as a worker's would be
    run = lambda: typeset(html, styles, edition.resources, edition.identifier,
                          variant=press.variant, machine_fonts=look.machine_fonts)
lib = ctypes.CDLL(toggle) if toggle else None
if skip == "1":
    print(json.dumps({}))
    sys.exit()
before, cpu, start = os.times(), time.process_time(), time.perf_counter()
if lib:
    lib.bench_start()
result = run()
if lib:
    lib.bench_stop()
wall, cpu, after = time.perf_counter() - start, time.process_time() - cpu, os.times()
pdf = result.pdf or result.path.read_bytes()
print(json.dumps({"wall": wall, "cpu": cpu,
                  "sys": after.system - before.system, "pages": len(result.pages),
                  "pdf": hashlib.sha256(pdf).hexdigest()[:12]}))
'''


def child(config: str, work: str, edition: Path, size: int, toggle: str = "",
          skip: bool = False, valgrind: list[str] | None = None) -> dict:
    """Run one measured typesetting in a fresh process; its JSON line."""
    switch, normal_flow = CONFIGS[config]
    env = {**os.environ, "EDITION_PATCHES": switch, "PYTHONHASHSEED": "0",
           "SOURCE_DATE_EPOCH": "", "PYTHONPATH": str(ROOT)}
    command = [*(valgrind or []), sys.executable, "-c", CHILD, work, str(edition),
               str(size), "1" if normal_flow else "0", toggle, "1" if skip else "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{config}, {work} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def toggle_library(scratch: Path) -> str:
    """A shared library whose two functions start and stop Callgrind's count; "" when
    it cannot be built (no C compiler or no valgrind/callgrind.h)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return ""
    source, library = scratch / "toggle.c", scratch / "toggle.so"
    source.write_text(TOGGLE_C, encoding="utf-8")
    done = subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(library),
                           str(source)], capture_output=True, text=True)
    return str(library) if done.returncode == 0 else ""


def instructions(config: str, work: str, edition: Path, size: int, toggle: str,
                 scratch: Path, skip: bool = False) -> tuple[int, dict]:
    """Instructions (Ir) Callgrind counts: while typesetting with the toggle library,
    else in the whole process."""
    name = re.sub(r"\W+", "-", config)
    out = scratch / f"callgrind.{work}.{name}.{int(skip)}"
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                "--dump-line=no", "--compress-strings=no"]
    if toggle:
        valgrind += ["--instr-atstart=no", "--collect-atstart=no"]
    line = child(config, work, edition, size, toggle, skip, valgrind)
    text = out.read_text(encoding="utf-8", errors="replace")
    found = re.search(r"^totals:\s*(\d+)", text, re.M) or re.search(r"^summary:\s*(\d+)",
                                                                      text, re.M)
    if found is None:
        sys.exit(f"no totals in {out}")
    out.unlink()
    return int(found.group(1)), line


def corpus(articles: int, scratch: Path) -> tuple[Path, Path]:
    """The generated edition, and beside it the same articles in one section ("group")."""
    folder = scratch / "corpus"
    subprocess.run([sys.executable, str(CORPUS / "make_corpus.py"), str(folder),
                    "--articles", str(articles), "--seed", "1"], check=True,
                   capture_output=True)
    edition = folder / "edition.toml"
    text = edition.read_text(encoding="utf-8")
    names = sorted(re.findall(r'"(\d{4}-[^"]+\.md)"', text))
    one = folder / "one-group.toml"
    one.write_text(text.split("[[sections]]")[0] + '[[sections]]\ntitle = "World"\n'
                   "articles = [\n" + "".join(f'  "{n}",\n' for n in names) + "]\n",
                   encoding="utf-8")
    return edition, one


def table(work: str, rows: dict[str, dict]) -> str:
    base = rows["all on"]
    head = (f"{'configuration':<22} {'Ir (M)':>9} {'Ir vs on':>9} {'CPU s':>7} "
            f"{'CPU vs on':>9} {'sys s':>6} {'wall s':>7} {'pages':>5}  PDF")
    lines = [f"{work}", head, "-" * len(head)]
    for name, row in rows.items():
        ir = f"{row['ir'] / 1e6:9.1f}" if row.get("ir") else f"{'-':>9}"
        ir_vs = (f"{100 * (row['ir'] / base['ir'] - 1):+8.2f}%"
                 if row.get("ir") and base.get("ir") else f"{'-':>9}")
        cpu_vs = f"{100 * (row['cpu'] / base['cpu'] - 1):+8.1f}%"
        same = "same" if row["pdf"] == base["pdf"] else "differs"
        lines.append(f"{name:<22} {ir} {ir_vs} {row['cpu']:7.3f} {cpu_vs} "
                     f"{row['sys']:6.3f} {row['wall']:7.3f} {row['pages']:>5}  {same}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=8,
                        help="articles in the generated edition (the whole work)")
    parser.add_argument("--group", type=int, default=None,
                        help="articles in the chunk's group (default 4; 2 with --quick)")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed runs per configuration and work (median)")
    parser.add_argument("--quick", action="store_true", help="a group of 2 articles")
    parser.add_argument("--count-whole", action="store_true",
                        help="Callgrind on the whole edition too (about 3 min per "
                             "configuration)")
    parser.add_argument("--no-callgrind", action="store_true", help="times only")
    args = parser.parse_args()
    size = min(args.group or (2 if args.quick else 4), args.articles)
    if not (CORPUS / "make_corpus.py").is_file():
        parser.error(f"corpus generator not found at {CORPUS} (set EDITION_SHARED)")
    callgrind = not args.no_callgrind and shutil.which("valgrind") is not None
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-patches-") as scratch:
        scratch = Path(scratch)
        edition, one_group = corpus(args.articles, scratch)
        works = {"chunk": one_group, "whole": edition}
        counted = {"chunk": tuple(CONFIGS) if callgrind else (),
                   "whole": WHOLE_COUNTED if callgrind and args.count_whole else ()}
        rows = {work: {name: {} for name in CONFIGS} for work in works}
        toggle = toggle_library(scratch) if callgrind else ""
        for work, file in works.items():
            baseline = 0
            if counted[work] and not toggle:
                baseline, _ = instructions("all on", work, file, size, "", scratch, skip=True)
            for name in counted[work]:
                ir, _ = instructions(name, work, file, size, toggle, scratch)
                rows[work][name]["ir"] = ir - baseline
                print(f"  callgrind {work:<5} {name:<22} {(ir - baseline) / 1e6:9.1f} M "
                      f"({time.perf_counter() - began:.0f} s)", file=sys.stderr)
        times = {(w, n): [] for w in works for n in CONFIGS}
        for round_number in range(args.runs):  # round by round: drift falls on all alike
            for work, file in works.items():
                for name in CONFIGS:
                    line = child(name, work, file, size)
                    times[work, name].append(line)
                    rows[work][name].update(pages=line["pages"], pdf=line["pdf"])
            print(f"  timed round {round_number + 1} of {args.runs} "
                  f"({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    for (work, name), lines in times.items():
        rows[work][name].update(
            cpu=statistics.median(x["cpu"] for x in lines),
            sys=statistics.median(x["sys"] for x in lines),
            wall=statistics.median(x["wall"] for x in lines))
    print(f"make_corpus.py --articles {args.articles} --seed 1. Ir: instructions, "
          + ("counted by Callgrind while typesetting" if toggle else
             "counted by Callgrind, less a process that skips the typesetting"
             if callgrind else "not counted")
          + f"; CPU (user + system), sys, wall: medians of {args.runs} runs; "
            "PDF: against all on's")
    for work in works:
        label = (f"chunk: one group of {size} articles, print-chunk layer, as a worker "
                 "typesets it" if work == "chunk" else
                 f"whole: the edition of {args.articles} articles in one piece")
        print()
        print(table(label, rows[work]))
    print()
    print("frame-stack: switched by builder/framestack.py (EDITION_PATCHES)")
    print("normal-flow: the dropped patch, applied by the bench on top of all on")
    print(f"total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
