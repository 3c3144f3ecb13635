"""One error type for bad input, and a collector for warnings.

Every problem the user can fix is a `BuildError` that names the file (and the
line or key where known); the CLI prints it as one line and exits 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path


def shown(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _where(path: Path | str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{shown(path)}:{line}: " if line else f"{shown(path)}: "


class BuildError(Exception):
    """A problem with the input that stops the build."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return _where(self.path, self.line) + self.message

    def __reduce__(self):  # raised in a worker process, re-raised in the build's
        return type(self), (self.message, self.path, self.line)


@dataclass(frozen=True)
class Warning_:
    message: str
    path: Path | str | None = None
    line: int | None = None
    code: str = "warning"  # stable, for `edition check` and its JSON

    def __str__(self) -> str:
        return _where(self.path, self.line) + self.message


def line_of(path: Path | str | None, needle: str | None) -> int | None:
    """The first line of a source file that contains `needle`, to point a warning at."""
    if not path or not needle:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


class Progress:
    """Where a build is: nothing here; `progress.Terminal` draws it on a terminal."""

    def advance(self, stage: str, done: int, total: int) -> None:
        pass

    def clear(self) -> None:
        pass


@dataclass
class Report:
    """Collects warnings during a build and prints them as they arrive; carries the
    progress display and, with `verbose`, notes on what the build does."""

    stream: object = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    warnings: list[Warning_] = field(default_factory=list)
    verbose: bool = False
    progress: Progress = field(default_factory=Progress)

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None,
             code: str = "warning", near: str | None = None) -> None:
        """`near`: text of the source file the problem is at, when the line is unknown."""
        self.add(Warning_(message, path, line or line_of(path, near), code))

    def add(self, warning: Warning_) -> None:
        """A warning as made (in a worker process, say): kept, and printed."""
        self.warnings.append(warning)
        if not self.quiet:
            self.progress.clear()
            print(f"warning: {warning}", file=self.stream)

    def note(self, message: str) -> None:
        """A detail shown only with --verbose."""
        if self.verbose:
            self.progress.clear()
            print(message, file=self.stream)

    def advance(self, stage: str, done: int, total: int) -> None:
        self.progress.advance(stage, done, total)
