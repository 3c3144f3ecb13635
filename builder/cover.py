"""A cover image for editions that do not bring their own: the PDF's cover page, so that
the EPUB looks like the print edition, or one drawn with the bundled fonts (for the
preview, which typesets nothing)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .assets import STYLES
from .labels import labels, long_date
from .models import Edition, Resource

SIZE = (1200, 1800)
PAPER, INK, ACCENT = (244, 241, 234), (17, 17, 17), (138, 28, 28)
MARGIN = 100


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(STYLES / "fonts" / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def generated_cover(edition: Edition) -> Resource:
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    y = 160
    title_font = _font("NotoSans-Bold.ttf", 120)
    for line in _wrap(draw, edition.title, title_font, width, 4):
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += 140
    if edition.subtitle:
        sub_font = _font("NotoSerif-Italic.ttf", 52)
        for line in _wrap(draw, edition.subtitle, sub_font, width, 2):
            draw.text((MARGIN, y + 10), line, font=sub_font, fill=INK)
            y += 70
    words = labels(edition.language)
    issue = [f"{words['volume']} {edition.volume}" if edition.volume is not None else "",
             f"{words['issue']} {edition.issue}" if edition.issue is not None else "",
             long_date(edition.date, edition.language)]
    y += 50
    draw.text((MARGIN, y), "  ·  ".join(p for p in issue if p).upper(),
              font=_font("NotoSans-Regular.ttf", 40), fill=INK)
    y += 80
    draw.rectangle((MARGIN, y, SIZE[0] - MARGIN, y + 8), fill=ACCENT)
    y += 80
    head_font = _font("NotoSerif-Regular.ttf", 50)
    for article in edition.articles[:6]:
        lines = _wrap(draw, article.title, head_font, width, 2)
        if y + 70 * len(lines) > SIZE[1] - 220:
            break
        for line in lines:
            draw.text((MARGIN, y), line, font=head_font, fill=INK)
            y += 66
        y += 30
    if edition.publisher:
        draw.text((MARGIN, SIZE[1] - 150), edition.publisher,
                  font=_font("NotoSans-Bold.ttf", 44), fill=ACCENT)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return Resource("images/cover.png", "image/png", out.getvalue())


def printed_cover(pdf: bytes | Path) -> Resource:
    """The first page of a PDF, as a PNG as wide as the drawn cover: its trimmed page,
    without the bleed and crop marks a print-ready PDF may have around it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        left, bottom, right, top = page.get_cropbox()
        t_left, t_bottom, t_right, t_top = page.get_trimbox()
        crop = tuple(max(0.0, d) for d in (t_left - left, t_bottom - bottom,
                                           right - t_right, top - t_top))
        image = page.render(scale=SIZE[0] / (t_right - t_left), crop=crop).to_pil()
        image = image.convert("RGB")
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return Resource("images/cover.png", "image/png", out.getvalue())
