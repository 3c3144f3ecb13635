"""Room on Python's frame stack for deep recursion (WeasyPrint's layout).

Since 3.11, Python keeps the frames of running calls in chunks of 16 KiB, allocated
from the system (`mmap`) when a call does not fit in the current chunk, and given back
(`munmap`) as soon as that call returns. A computation whose call depth keeps going up
and down across the end of a chunk pays a system call and fresh memory pages at every
crossing: typesetting one group of eight articles crossed about 17,000 times (strace:
70,000 mmap/munmap pairs for four groups), about a tenth of a second of system time per
group; a 200-article build spent 2.8 s of system time, 0.8 s since.

`roomy(function, ...)` calls `function` from a frame that asks for a large stack of its
own (unused): Python then allocates a chunk of 1 MiB for it, and every call made under
it, some 500 KiB deep, fits in what that frame leaves free. Nothing else changes: the
unused space is never written, so it costs no memory pages either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Frame slots (8 bytes each) asked for: a little over half of 1 MiB, so that Python
# rounds its chunk up to 1 MiB (it doubles 16 KiB until the frame and 1,000 slots of
# margin fit), and the other half is left for the calls made inside.
SLOTS = 65_000


def roomy(function: Callable[..., T], *args, **kwargs) -> T:
    return function(*args, **kwargs)


roomy.__code__ = roomy.__code__.replace(co_stacksize=SLOTS)
