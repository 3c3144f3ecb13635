"""A cover image for editions that do not bring their own: the PDF's cover page, so that
the EPUB looks like the print edition, or one drawn with the bundled fonts (for the
preview, which typesets nothing)."""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .assets import STYLES, faces
from .fonts import cmap, coverage, order
from .labels import direction, labels, long_date
from .models import Edition, Resource

SIZE = (1200, 1800)
PAPER, INK, ACCENT = (244, 241, 234), (17, 17, 17), (138, 28, 28)
MARGIN = 100


@functools.cache
def _font(file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(STYLES / "fonts" / file), size)


def _face_file(group: str, sans: bool, bold: bool) -> str:
    """Our font file for a group of fonts.css ("Latin", "Arabic", "JP"…): the sans or the
    serif, bold or not, as far as the group has them."""
    kind = "Sans" if sans else "Serif"
    members = [f for f in faces() if f.group == group or (group == "Latin" and f.group == kind)]
    return max(members, key=lambda f: (kind in f.family, ("700" in f.rule) == bold,
                                       "italic" not in f.rule)).file


def _runs(text: str, lang: str, sans: bool, bold: bool) -> list[tuple[str, str]]:
    """The text in runs of one font each, (file, text), as the stylesheets' stacks would
    choose them: the drawn cover has no font fallback of its own."""
    tried = order(lang)
    runs: list[list[str]] = []
    for ch in text:
        if ch.isspace() and runs:
            runs[-1][1] += ch
            continue
        group = next((g for g in tried if ord(ch) in coverage(g)), "Latin")
        file = _face_file(group, sans, bold)
        if group == "Latin" and ord(ch) not in cmap(file):  # an arrow only Mono has
            file = next(f.file for f in faces() if f.group == "Mono")
        if runs and runs[-1][0] == file:
            runs[-1][1] += ch
        else:
            runs.append([file, ch])
    return [(file, part) for file, part in runs]


@dataclass(frozen=True)
class Style:
    size: int
    sans: bool = False
    bold: bool = False


def _width(text: str, lang: str, style: Style) -> float:
    return sum(_font(file, style.size).getlength(part, direction=_dir(part))
               for file, part in _runs(text, lang, style.sans, style.bold))


def _dir(part: str) -> str:
    return "rtl" if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in part) else "ltr"


def _draw(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, lang: str,
          style: Style, fill: tuple[int, int, int]) -> None:
    """One line, run by run: from the right end in a right-to-left language."""
    runs = _runs(text, lang, style.sans, style.bold)
    x, y = xy
    if direction(lang) == "rtl":
        x += SIZE[0] - 2 * MARGIN - _width(text, lang, style)
        runs.reverse()
    for file, part in runs:
        font = _font(file, style.size)
        draw.text((x, y), part, font=font, fill=fill, direction=_dir(part))
        x += font.getlength(part, direction=_dir(part))


def _wrap(text: str, lang: str, style: Style, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _width(candidate, lang, style) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def generated_cover(edition: Edition) -> Resource:
    """Drawn with our fonts, each text with the face of its script, in its language."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    lang = edition.language
    y = 160
    title = Style(120, sans=True, bold=True)
    for line in _wrap(edition.title, lang, title, width, 4):
        _draw(draw, (MARGIN, y), line, lang, title, INK)
        y += 140
    if edition.subtitle:
        subtitle = Style(52)
        for line in _wrap(edition.subtitle, lang, subtitle, width, 2):
            _draw(draw, (MARGIN, y + 10), line, lang, subtitle, INK)
            y += 70
    words = labels(lang)
    issue = [f"{words['volume']} {edition.volume}" if edition.volume is not None else "",
             f"{words['issue']} {edition.issue}" if edition.issue is not None else "",
             long_date(edition.date, lang)]
    y += 50
    _draw(draw, (MARGIN, y), "  ·  ".join(p for p in issue if p).upper(), lang,
          Style(40, sans=True), INK)
    y += 80
    draw.rectangle((MARGIN, y, SIZE[0] - MARGIN, y + 8), fill=ACCENT)
    y += 80
    headline = Style(50)
    for article in edition.articles[:6]:
        lines = _wrap(article.title, article.lang, headline, width, 2)
        if y + 70 * len(lines) > SIZE[1] - 220:
            break
        for line in lines:
            _draw(draw, (MARGIN, y), line, article.lang, headline, INK)
            y += 66
        y += 30
    if edition.publisher:
        _draw(draw, (MARGIN, SIZE[1] - 150), edition.publisher, lang,
              Style(44, sans=True, bold=True), ACCENT)
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
