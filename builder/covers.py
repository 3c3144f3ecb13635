"""An edition's cover for the site: the cover image and a small thumbnail of it.
Nothing here touches the disk."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from .cover import generated_cover, printed_cover
from .models import Edition

THUMBNAIL_WIDTH = 320  # sharp at 160 CSS pixels on a high-density screen
KINDS = {"image/png": ("PNG", ".png"), "image/jpeg": ("JPEG", ".jpg")}


@dataclass(frozen=True)
class Picture:
    name: str  # file name inside the edition's folder
    media_type: str
    width: int
    height: int


def _encode(image: Image.Image, media_type: str) -> bytes:
    out = io.BytesIO()
    if media_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def cover_files(edition: Edition, pdf: bytes | None = None) -> dict[str, tuple[Picture, bytes]]:
    """"cover" and "thumbnail": the edition's own cover (PNG and JPEG as they are, other
    kinds as PNG) or the one its EPUB shows (the `pdf`'s cover page, else a drawn one),
    and a thumbnail THUMBNAIL_WIDTH pixels wide."""
    if edition.cover:
        resource = edition.cover.resource
    else:
        resource = printed_cover(pdf) if pdf else generated_cover(edition)
    with Image.open(io.BytesIO(resource.data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    media_type = resource.media_type if resource.media_type in KINDS else "image/png"
    data = resource.data if media_type == resource.media_type else _encode(image, media_type)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    width, height = image.size
    if width > THUMBNAIL_WIDTH:
        size = (THUMBNAIL_WIDTH, max(1, round(height * THUMBNAIL_WIDTH / width)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    extension = KINDS[media_type][1]
    return {
        "cover": (Picture(f"cover{extension}", media_type, width, height), data),
        "thumbnail": (Picture(f"cover-thumb{extension}", media_type, *image.size),
                      _encode(image, media_type)),
    }

