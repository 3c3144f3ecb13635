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


@dataclass(frozen=True)
class Warning_:
    message: str
    path: Path | str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return _where(self.path, self.line) + self.message


@dataclass
class Report:
    """Collects warnings during a build and prints them as they arrive."""

    stream: object = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    warnings: list[Warning_] = field(default_factory=list)

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        warning = Warning_(message, path, line)
        self.warnings.append(warning)
        if not self.quiet:
            print(f"warning: {warning}", file=self.stream)
