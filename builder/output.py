"""Write outputs atomically: a temporary file beside the target, renamed when complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import BuildError


def prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder: {exc.strerror}", folder) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError("the output folder is not writable; choose another with --out",
                         folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, or leave it exactly as it was."""
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BuildError(f"cannot write the output: {exc.strerror}", path) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BuildError(f"cannot write the output: {exc.strerror}", path) from None
        raise
