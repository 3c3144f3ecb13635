"""Which files a book may contain, and reading them safely.

An image is read only from inside the edition's folder tree (after resolving `..`
and symbolic links), only if it really is an image of a kind both outputs support,
and only if its size is sane. Anything remote is refused, so a build makes no network
connection, unless the edition sets `remote_images = true`: then web images are
fetched with a timeout and a size cap, and never from this machine or a private
network.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import re
import socket
import stat
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .edition import inside
from .errors import BuildError
from .models import Resource

if TYPE_CHECKING:
    from http.client import HTTPMessage

MEDIA_TYPES = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"),
               "GIF": ("image/gif", ".gif"), "WEBP": ("image/webp", ".webp")}
EXTENSIONS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
MAX_PIXELS = 40_000_000
# A photo's longest side in the book: sharp on a tablet and in print at a page's width
# (about 300 dpi at 21 cm), a tenth of a 24-megapixel camera's file.
MAX_SIDE = 2500
MAX_BYTES = 30 * 1024 * 1024
REMOTE_TIMEOUT = 10.0
REMOTE_MAX_BYTES = 10 * 1024 * 1024


class Refused(Exception):
    """A reference the build will not follow (it is reported, then left out)."""


def local_path(reference: str, base: Path, root: Path) -> Path:
    """Resolve a relative reference from an article to a file inside `root`."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or re.match(r"^[A-Za-z]:[\\/]", reference):
        raise Refused(f"'{reference}' is not a file in the edition folder "
                      f"(remote and absolute references are refused)")
    relative = unquote(parts.path)
    if not relative:
        raise Refused("an image whose address is empty, or was removed as unsafe or "
                      "unreadable")
    if relative.startswith(("/", "\\")):
        raise Refused(f"'{reference}' is an absolute path; give it relative to the article")
    target = (base / relative).resolve()
    if not inside(target, root):
        raise Refused(f"'{reference}' points outside the edition folder")
    return target


def is_web_url(reference: str) -> bool:
    return urlsplit(reference).scheme.lower() in ("http", "https")


def check_remote(url: str, allow_local: bool = False) -> None:
    """Refuse URLs that are not http(s) or that lead to this machine or a private network."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(f"'{url}' is not a valid web address") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Refused(f"'{url}' is not a web address")
    if allow_local:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        raise Refused(f"'{url}': cannot resolve {parts.hostname}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise Refused(f"'{url}' leads to {address}, an address on this machine or a "
                          f"private network")


def fetch_remote(url: str, allow_local: bool = False, timeout: float = REMOTE_TIMEOUT,
                 limit: int = REMOTE_MAX_BYTES) -> bytes:
    """Fetch a web image under the edition's remote-image policy."""
    check_remote(url, allow_local)

    class CheckedRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                             msg: str, headers: HTTPMessage,
                             newurl: str) -> urllib.request.Request | None:
            check_remote(newurl, allow_local)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), CheckedRedirect()):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": "edition-builder"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            data = b""
            while len(data) <= limit:  # the timeout bounds the whole download, not each read
                if time.monotonic() > deadline:
                    raise Refused(f"'{url}' took longer than {timeout:g} s to download")
                block = response.read1(64 * 1024)
                if not block:
                    break
                data += block
    except Refused:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Refused(f"'{url}' could not be fetched ({reason})") from None
    if len(data) > limit:
        raise Refused(f"'{url}' is larger than {limit // 2**20} MB")
    return data


def read_image(reference: str, base: Path, root: Path, cited_in: Path,
               remote: bool = False, scale: bool = True) -> Resource:
    """Read and check an image; one larger than `MAX_SIDE` is scaled down, unless not
    to `scale` (a cover, printed at its own size). Raises Refused (skip it) or
    BuildError (stop)."""
    source = None
    if remote and is_web_url(reference):
        data = fetch_remote(reference)
    else:
        source = local_path(reference, base, root)
        data = _read_local(reference, source, cited_in)
    kind = _image_kind(data, reference, cited_in)
    return _resource(data, kind, source, reference, cited_in, scale)


def read_attached(reference: str, data: bytes, cited_in: Path) -> Resource:
    """Check an image that came inside an article's file (a Word file's picture) as a
    file on disk is checked. Raises Refused (skip it) or BuildError (stop)."""
    if len(data) > MAX_BYTES:
        raise BuildError(f"image '{reference}' is {len(data) // 2**20} MB; the limit is "
                         f"{MAX_BYTES // 2**20} MB", cited_in)
    return _resource(data, _image_kind(data, reference, cited_in), None, reference, cited_in)


def _resource(data: bytes, kind: str, source: Path | None, reference: str, cited_in: Path,
              scale: bool = True) -> Resource:
    """The image as the book holds it, named by its content."""
    scaled_from = None
    if scale:
        try:
            data, kind, scaled_from = _scaled(data, kind)
        except (OSError, ValueError, SyntaxError):  # (cut short: only decoding finds it)
            raise BuildError(f"image '{reference}' is not a readable image (corrupt, or "
                             f"cut short)", cited_in) from None
    media_type, extension = MEDIA_TYPES[kind]
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Resource(f"images/{digest}{extension}", media_type, data, source, scaled_from)


def _scaled(data: bytes, kind: str) -> tuple[bytes, str, tuple[int, int] | None]:
    """An image longer than `MAX_SIDE` scaled down to it, the same bytes on every
    build (its own file is never touched); an animation is kept as it is. The
    camera's orientation is applied first, since the copy keeps no EXIF data."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= MAX_SIDE or getattr(image, "is_animated", False):
            return data, kind, None
        size = image.size
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        upright = upright.convert("RGBA" if "transparency" in upright.info
                                  or upright.mode in ("PA", "P") else "RGB")
    ratio = MAX_SIDE / max(upright.size)
    new_size = tuple(max(1, round(side * ratio)) for side in upright.size)
    small = upright.resize(new_size, Image.Resampling.LANCZOS)
    kind = "PNG" if kind == "GIF" else kind  # (a still GIF's colours would be cut to 256)
    options: dict = {"icc_profile": icc} if icc else {}
    if kind == "JPEG":
        small = small.convert("RGB") if small.mode in ("RGBA", "LA") else small
        options |= {"quality": 88, "subsampling": "4:2:0"}
    elif kind == "WEBP":
        options |= {"quality": 88, "method": 4}
    out = io.BytesIO()
    small.save(out, kind, **options)
    return out.getvalue(), kind, size


def _read_local(reference: str, path: Path, cited_in: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BuildError(f"image '{reference}' is not a regular file", cited_in)
        size = info.st_size
        if size > MAX_BYTES:
            raise BuildError(f"image '{reference}' is {size // 2**20} MB; the limit is "
                             f"{MAX_BYTES // 2**20} MB", cited_in)
        return path.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"image '{reference}' not found (looked for {path})", cited_in) from None
    except OSError as exc:
        raise BuildError(f"cannot read image '{reference}': {exc.strerror}", cited_in) from None


def _image_kind(data: bytes, reference: str, cited_in: Path) -> str:
    from PIL import Image

    if re.match(rb"\s*(<\?xml|<svg|<!DOCTYPE svg)", data[:512], re.IGNORECASE):
        raise Refused(f"'{reference}' is an SVG image; SVG can fetch other files, so "
                      f"convert it to PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                if width * height <= MAX_PIXELS:  # header only so far: check before decoding
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BuildError(f"image '{reference}' has too many pixels to decode safely; the "
                         f"limit is {MAX_PIXELS // 1_000_000} megapixels", cited_in) from None
    except Exception:
        raise BuildError(f"image '{reference}' is not a readable image (corrupt, or of a "
                         f"kind this tool does not know)", cited_in) from None
    if width * height > MAX_PIXELS:
        raise BuildError(f"image '{reference}' has too many pixels ({width}x{height}); the "
                         f"limit is {MAX_PIXELS // 1_000_000} megapixels", cited_in)
    if kind not in MEDIA_TYPES:
        allowed = ", ".join(MEDIA_TYPES)
        raise Refused(f"'{reference}' is a {kind} image; convert it to one of {allowed}")
    claimed = EXTENSIONS.get(Path(urlsplit(reference).path).suffix.lower())
    if claimed and claimed != kind:
        raise BuildError(f"image '{reference}' is named as {claimed} but is really {kind}; "
                         f"rename it or convert it", cited_in)
    return kind
