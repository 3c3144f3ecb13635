"""Deep calls without churning Python's frame stack (builder/framestack.py): each chunk of
the stack CPython allocates and frees shows as fresh memory pages (minor page faults),
which a process counts exactly. Run in fresh processes, so nothing else runs between."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from builder import framestack
from builder.framestack import SLOTS, with_room
from builder.patches import SWITCH
from conftest import ROOT

UNKNOWN = pytest.mark.skipif(
    not framestack.KNOWN,
    reason=f"with_room is a plain call on {sys.implementation.name} "
           f"{sys.version.split()[0]}: its frame stack was read and measured on CPython "
           "3.11 to 3.13 (GIL builds) only")

SWING = """
import resource
from builder.framestack import with_room

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
print(faults(swing), faults(lambda: with_room(swing)))
"""

# WeasyPrint itself, as the PDF writer calls it (layout, then drawing, each under with_room),
# so that the measure does not depend on the writer's other work.
TYPESET = """
import gc, logging, resource
from weasyprint import HTML
from builder.framestack import with_room

items = "".join(f"<li>Point {n}, <em>said</em> the <b>council</b></li>" for n in range(40))
para = "<p>" + "The harbour board met on Tuesday to weigh the plan. " * 12 + "</p>"
html = ("<html lang='en'><head><link rel='stylesheet' href='styles/fonts.css'>"
        "<link rel='stylesheet' href='styles/base.css'></head><body>"
        + (f"<h2>Harbour</h2>{para}<ul>{items}</ul><blockquote>{para}</blockquote>") * 12
        + "</body></html>")
logging.getLogger("weasyprint").setLevel(logging.ERROR)

def typeset():
    document = with_room(HTML(string=html, base_url=%r).render)
    return with_room(document.write_pdf)

typeset()  # warm: fonts loaded, code specialised
# The warm run's garbage is collected first, so that both runs start from the same heap:
# otherwise the measure counts whether the collector happens to free it in time for the
# run to reuse its memory (CPython 3.11 does, with two full collections during the run;
# 3.13 runs none, and the run maps 14 MiB of new arenas: 3,300 faults more, either way).
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
typeset()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""" % (str(ROOT) + "/")


def run(script: str, patches: bool = True) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(SWITCH, None)
    if not patches:
        env[SWITCH] = "0"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [int(n) for n in result.stdout.split()]


@pytest.mark.parametrize(("value", "on"), [
    (None, True), ("", True), ("1", True), ("all", True), ("frame-stack", True),
    ("page-styles, Frame-Stack", True), ("0", False), ("off", False), ("no", False),
    ("page-styles,whole-fonts", False),
])
def test_the_switch_reads_edition_patches(value, on):
    from builder.patches import wanted

    environ = {} if value is None else {SWITCH: value}
    assert wanted("frame-stack", environ) is on


def test_with_room_calls_the_function_whether_on_or_off(monkeypatch):
    def call(*args, **kwargs):
        return args, kwargs

    for value in ("1", "0"):
        monkeypatch.setenv(SWITCH, value)
        assert framestack.active() is (value == "1" and framestack.KNOWN)
        assert with_room(call, 1, 2, function=3) == ((1, 2), {"function": 3})


def test_only_known_interpreters_get_a_large_frame():
    known = (sys.implementation.name == "cpython" and (3, 11) <= sys.version_info[:2] <= (3, 13))
    assert known or not framestack.KNOWN
    room = framestack._in_large_frame.__code__.co_stacksize
    assert (room == SLOTS) is framestack.KNOWN


@UNKNOWN
def test_calls_under_with_room_go_deep_and_back_without_new_stack_memory():
    plain, under_with_room = run(SWING)
    if plain < 1000:
        pytest.skip(f"this Python keeps its frame stack's chunks ({plain} page faults)")
    assert under_with_room < plain / 20, (plain, under_with_room)


@UNKNOWN
def test_edition_patches_0_turns_with_room_into_a_plain_call():
    plain, under_with_room = run(SWING, patches=False)
    if plain < 1000:
        pytest.skip(f"this Python keeps its frame stack's chunks ({plain} page faults)")
    assert under_with_room > plain / 2, (plain, under_with_room)


@UNKNOWN
def test_typesetting_runs_with_room_on_the_stack():
    """WeasyPrint's layout and drawing, under `with_room`, fault a fraction of the pages."""
    (plain,) = run(TYPESET, patches=False)
    (under_with_room,) = run(TYPESET)
    assert under_with_room < plain / 2, (plain, under_with_room)
