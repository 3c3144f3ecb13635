"""Which files a book may contain, and reading them safely.

An image is read only from inside the edition's folder tree (after resolving `..`
and symbolic links), only if it really is an image of a kind both outputs support,
and only if its size is sane. Anything remote is refused: a build makes no
network connection.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .edition import inside
from .errors import BuildError, Report
from .models import Resource

MEDIA_TYPES = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"),
               "GIF": ("image/gif", ".gif"), "WEBP": ("image/webp", ".webp")}
MAX_PIXELS = 40_000_000
MAX_BYTES = 30 * 1024 * 1024


class Refused(Exception):
    """A reference the build will not follow (it is reported, then left out)."""


def local_path(reference: str, base: Path, root: Path) -> Path:
    """Resolve a relative reference from an article to a file inside `root`."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or re.match(r"^[A-Za-z]:[\\/]", reference):
        raise Refused(f"'{reference}' is not a file in the edition folder "
                      f"(remote and absolute references are refused)")
    relative = unquote(parts.path)
    if not relative or relative.startswith(("/", "\\")):
        raise Refused(f"'{reference}' is an absolute path; give it relative to the article")
    target = (base / relative).resolve()
    if not inside(target, root):
        raise Refused(f"'{reference}' points outside the edition folder")
    return target


def read_image(reference: str, base: Path, root: Path, cited_in: Path) -> Resource:
    """Read and check an image. Raises Refused (skip it) or BuildError (stop)."""
    path = local_path(reference, base, root)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BuildError(f"image '{reference}' is {size // 2**20} MB; the limit is "
                             f"{MAX_BYTES // 2**20} MB", cited_in)
        data = path.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"image '{reference}' not found (looked for {path})", cited_in) from None
    except IsADirectoryError:
        raise BuildError(f"image '{reference}' is a folder, not an image", cited_in) from None
    except OSError as exc:
        raise BuildError(f"cannot read image '{reference}': {exc.strerror}", cited_in) from None
    kind = _image_kind(data, reference, cited_in)
    media_type, extension = MEDIA_TYPES[kind]
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Resource(f"images/{digest}{extension}", media_type, data)


def _image_kind(data: bytes, reference: str, cited_in: Path) -> str:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BuildError(f"image '{reference}' is too large to decode safely", cited_in) from None
    except Exception:
        raise BuildError(f"image '{reference}' is not a readable image (corrupt or of an "
                         f"unknown kind)", cited_in) from None
    if kind not in MEDIA_TYPES:
        allowed = ", ".join(MEDIA_TYPES)
        raise BuildError(f"image '{reference}' is {kind}; use one of {allowed}", cited_in)
    if width * height > MAX_PIXELS:
        raise BuildError(f"image '{reference}' is {width}x{height} pixels; the limit is "
                         f"{MAX_PIXELS // 1_000_000} megapixels", cited_in)
    return kind


def load_image(reference: str, base: Path, root: Path, cited_in: Path,
               report: Report) -> Resource | None:
    try:
        return read_image(reference, base, root, cited_in)
    except Refused as refused:
        report.warn(f"image left out: {refused}", cited_in)
        return None
