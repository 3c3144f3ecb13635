"""Room on Python's frame stack for deep recursion (WeasyPrint's layout).

CPython 3.11 to 3.13 keep the frames of running Python calls in chunks of memory: 16 KiB
to start with, a new chunk allocated from the system (`mmap`) when a call's frame does not
fit in what is left of the current one, and given back (`munmap`) as soon as the call
whose frame opened it returns (`_PyThreadState_PushFrame`, `push_chunk` and
`_PyThreadState_PopFrame` in `Python/pystate.c`, the same code in the three versions).
A computation whose call depth keeps going up and down across the end of a chunk pays a
system call and a fresh memory page at every crossing: typesetting one group of eight
articles crossed about 17,000 times (strace: 70,000 mmap/munmap pairs for four groups),
about a tenth of a second of system time per group; a 200-article build spent 2.8 s of
system time, 0.8 s since.

`with_room(function, ...)` calls `function` from a frame that asks for a large stack of
its own (unused): `push_chunk` doubles 16 KiB until that frame and 1,000 slots of margin fit,
so the frame gets a chunk of 1 MiB, and every call made under it, some 500 KiB deep, fits
in what the frame leaves free. Nothing else changes: the unused space is never written,
so it costs no memory pages either.

It is a patch of the interpreter's internals, so it is guarded:
- only on CPython 3.11 to 3.13 with the GIL (`KNOWN`), the versions whose frame-stack
  allocation was read and measured; elsewhere `with_room` just calls the function;
- the switch of every patch (`builder.patches`: `EDITION_PATCHES=0` turns it off; a
  comma list of patch names turns it on only if it names `frame-stack`) is read at
  every call (`active()`).
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .patches import wanted

P = ParamSpec("P")
T = TypeVar("T")

PATCH = "frame-stack"  # its name for the switch (`patches`)

# Frame slots (8 bytes each) asked for: a little over half of 1 MiB, so that CPython
# rounds its chunk up to 1 MiB, and the other half is left for the calls made inside.
SLOTS = 65_000

KNOWN = (sys.implementation.name == "cpython"
         and (3, 11) <= sys.version_info[:2] <= (3, 13)
         and not sysconfig.get_config_var("Py_GIL_DISABLED"))


def active() -> bool:
    """Whether `with_room` gives room: a known interpreter, and the switch on."""
    return KNOWN and wanted(PATCH)


def with_room(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)`, from a frame with room for deep calls under it."""
    if active():
        return _in_large_frame(function, *args, **kwargs)
    return function(*args, **kwargs)


def _in_large_frame(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    return function(*args, **kwargs)


if KNOWN:
    _in_large_frame.__code__ = _in_large_frame.__code__.replace(co_stacksize=SLOTS)
