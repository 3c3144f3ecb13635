"""Deep calls without churning Python's frame stack (builder/callstack.py): each chunk of
the stack Python allocates and frees shows as fresh memory pages (minor page faults),
which a process counts exactly. Run in fresh processes, so nothing else runs between."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

SWING = """
import resource
from builder.callstack import roomy

def down(n):
    return down(n - 1) if n else 0

def swing():  # 2,000 times 300 calls deep and back: past the end of a stack chunk
    for _ in range(2000):
        down(300)

def faults(task):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    task()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

swing()
print(faults(swing), faults(lambda: roomy(swing)))
"""

TYPESET = """
import resource, sys
import builder.callstack
from builder.writers.pdf import typeset

if sys.argv[1] == "plain":
    builder.callstack.roomy = lambda function, *args, **kwargs: function(*args, **kwargs)
items = "".join(f"<li>Point {n}, <em>said</em> the <b>council</b></li>" for n in range(40))
para = "<p>" + "The harbour board met on Tuesday to weigh the plan. " * 12 + "</p>"
html = ("<html lang='en'><head><link rel='stylesheet' href='styles/fonts.css'>"
        "<link rel='stylesheet' href='styles/base.css'></head><body>"
        + (f"<h2>Harbour</h2>{para}<ul>{items}</ul><blockquote>{para}</blockquote>") * 12
        + "</body></html>")
typeset(html, "print", (), "urn:test")  # warm: fonts loaded, code specialised
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
typeset(html, "print", (), "urn:test")
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def run(script: str, *args: str) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [int(n) for n in result.stdout.split()]


def test_calls_under_roomy_go_deep_and_back_without_new_stack_memory():
    plain, roomy = run(SWING)
    if plain < 1000:
        pytest.skip(f"this Python keeps its frame stack's chunks ({plain} page faults)")
    assert roomy < plain / 20, (plain, roomy)


def test_typesetting_runs_with_room_on_the_stack():
    """WeasyPrint's layout and drawing, under `roomy`, fault a fraction of the pages."""
    (plain,) = run(TYPESET, "plain")
    (roomy,) = run(TYPESET, "roomy")
    assert roomy < plain / 2, (plain, roomy)
