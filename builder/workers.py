"""Pools of worker processes for one build: one reads the articles in parallel; the next
typesets the PDF's chunks and packages the EPUB. The second is forked once the build
has loaded WeasyPrint (`beside` the reading), so its workers inherit it instead of each
loading it on its first chunk; any cache a worker warms itself (fonts, the Markdown
converters) lasts for its pool.

An interrupted or failed build stops the workers at once; a finished one lets them end.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _quiet_worker() -> None:
    # The parent decides what an interruption means; workers just stop when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held while forked


@contextlib.contextmanager
def pool(jobs: int) -> Iterator[Pool]:
    """`jobs` worker processes (a `multiprocessing.Pool`)."""
    context = multiprocessing.get_context("fork")
    made, own = None, set()
    try:
        # Ctrl-C or SIGTERM while the pool is being made would leave it half made and
        # beyond reach (its thread keeps starting workers): hold them until it is made.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        # Frozen while the workers are forked: their cycle collector, run after each
        # chunk, then skips every object they inherit (and leaves those pages shared).
        gc.freeze()
        try:
            before = set(multiprocessing.active_children())
            made = context.Pool(jobs, initializer=_quiet_worker)
            own = set(multiprocessing.active_children()) - before
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield made
    except BaseException:
        if made is not None:
            abandon(made, own)
        raise
    made.close()
    made.join()


def beside(task: Callable[..., object], *args: object) -> threading.Thread:
    """Run `task(*args)` in a thread of this process while the workers do other work;
    workers forked once it is done inherit whatever it loaded. Join it before forking.
    Its failure is not reported here: the work it prepares for will meet it."""
    def run() -> None:
        with contextlib.suppress(Exception):
            task(*args)

    thread = threading.Thread(target=run, daemon=True)  # never holds up an exit
    thread.start()
    return thread


def abandon(made: Pool, own: set) -> None:
    """Stop the workers at once (the build was interrupted or failed): `terminate()`
    ends them with SIGTERM. It can wait forever on a worker that died holding one of
    the pool's locks (while sending a result, say); then its `own` workers (the
    processes it started, not any other child of this process) are killed, and the
    pool tidies up in the background for at most a few seconds more."""
    tidy = threading.Thread(target=made.terminate, daemon=True)
    tidy.start()
    tidy.join(timeout=2)
    if tidy.is_alive():
        # (the pool's list of its current workers, when this Python has it: replacements
        # for a dead one are not in `own`)
        for worker in own | set(getattr(made, "_pool", ())):
            if worker.is_alive():
                worker.kill()
        tidy.join(timeout=3)
