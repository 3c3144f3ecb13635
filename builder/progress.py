"""A progress line on a terminal: redrawn in place, cleared before other output."""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

from .errors import Progress


class Terminal(Progress):
    """Draws `stage done/total` with a bar on one line of `stream` (a terminal)."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self.lock = threading.Lock()  # ticks also come from the worker pool's thread
        self.shown = False
        self.last = 0.0

    def advance(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        with self.lock:
            if done < total and now - self.last < self.interval:
                return  # redraw at most ten times a second, but always show the end
            self.last = now
            width = shutil.get_terminal_size((80, 20)).columns
            label = f"{stage} {done}/{total}"
            bar_width = max(0, min(30, width - len(label) - 4))
            filled = bar_width * done // max(total, 1)
            bar = f" [{'#' * filled}{'.' * (bar_width - filled)}]" if bar_width >= 10 else ""
            self.stream.write(f"\r\x1b[K{label}{bar}"[:width + 4])
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False
