"""One diagnostic type for every problem the user can fix, an error for bad input, and
a collector for warnings.

A `Diagnostic` has a stable code, a severity, the file and (where known) the line, and a
message: build errors, build warnings and `edition check`'s findings are all
diagnostics. Bad input stops a build with a `BuildError`, which carries one diagnostic
or several (every problem found in an edition file at once); the CLI prints one line
each and exits 1.
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


def where(path: Path | str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{shown(path)}:{line}: " if line else f"{shown(path)}: "


SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Diagnostic:
    """A problem (or a note) about the input, where it is, and a stable code for it."""

    code: str  # stable: documented in the README, for scripts and CI
    severity: str  # one of SEVERITIES
    message: str
    path: Path | str | None = None
    line: int | None = None
    build: bool = True  # False: advice of `edition check` alone, which builds ignore

    def __str__(self) -> str:
        return where(self.path, self.line) + self.message

    def as_dict(self) -> dict:
        """For `edition check --json`."""
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "file": shown(self.path) if self.path else None, "line": self.line,
                "build": self.build}


class BuildError(Exception):
    """Bad input that stops the build: one problem, or several found at once (`more`)."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 code: str = "invalid-input", more: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.code = code
        self.more = tuple(more)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return (Diagnostic(self.code, "error", self.message, self.path, self.line),
                *self.more)

    @classmethod
    def of(cls, problems: list[Diagnostic]) -> BuildError:
        """One error for several problems, the first standing for them all."""
        first, *rest = problems
        return cls(first.message, first.path, first.line, first.code, tuple(rest))

    def __str__(self) -> str:
        return "\nerror: ".join(str(d) for d in self.diagnostics)

    def __reduce__(self) -> tuple[type[BuildError], tuple[str, Path | str | None, int | None,
                                                         str, tuple[Diagnostic, ...]]]:
        # raised in a worker process, re-raised in the build's
        return type(self), (self.message, self.path, self.line, self.code, self.more)


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
    warnings: list[Diagnostic] = field(default_factory=list)
    verbose: bool = False
    progress: Progress = field(default_factory=Progress)

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None,
             code: str = "warning", near: str | None = None) -> None:
        """`near`: text of the source file the problem is at, when the line is unknown."""
        self.add(Diagnostic(code, "warning", message, path, line or line_of(path, near)))

    def add(self, warning: Diagnostic) -> None:
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
