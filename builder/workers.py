"""A pool of worker processes for one build: articles are read and PDF chunks typeset in
parallel on it. Made once per build (forking costs little, but each worker warms its
own caches: fonts, templates, the Markdown converters).

An interrupted or failed build stops the workers at once; a finished one lets them end.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Iterator

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _quiet_worker() -> None:
    # The parent decides what an interruption means; workers just stop when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held while forked


@contextlib.contextmanager
def pool(jobs: int) -> Iterator:
    """`jobs` worker processes (a `multiprocessing.Pool`)."""
    context = multiprocessing.get_context("fork")
    made = None
    try:
        # Ctrl-C or SIGTERM while the pool is being made would leave it half made and
        # beyond reach (its thread keeps starting workers): hold them until it is made.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            made = context.Pool(jobs, initializer=_quiet_worker)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield made
    except BaseException:
        if made is not None:
            abandon(made)
        raise
    made.close()
    made.join()


def abandon(made) -> None:
    """Stop the workers at once (the build was interrupted or failed): `terminate()`
    ends them with SIGTERM. It can wait forever on a worker that died holding one of
    the pool's locks (while sending a result, say); then the workers are killed, and
    the pool tidies up in the background for at most a few seconds more."""
    tidy = threading.Thread(target=made.terminate, daemon=True)
    tidy.start()
    tidy.join(timeout=2)
    if tidy.is_alive():
        for worker in multiprocessing.active_children():
            worker.kill()
        tidy.join(timeout=3)
