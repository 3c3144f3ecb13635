"""Where the shared templates and styles live, and which style files each output uses."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
              ".woff2": "font/woff2"}


def _data_dir(name: str) -> Path:
    installed = PACKAGE / "_data" / name  # inside a wheel
    return installed if installed.is_dir() else PACKAGE.parent / name


TEMPLATES = _data_dir("templates")
STYLES = _data_dir("styles")
EDITIONS = _data_dir("editions")
LAYERS = {
    "epub": ("base.css", "epub.css"),
    "screen": ("base.css", "epub.css", "screen.css"),  # `edition preview`
    "print": ("base.css", "print.css"),
    "print-chunk": ("base.css", "print.css", "print-chunk.css"),
    "print-overlay": ("base.css", "print.css", "print-overlay.css"),
}


def style_files(target: str) -> dict[str, tuple[str, bytes]]:
    """Book path -> (media type, bytes) of the stylesheets and fonts for one output."""
    files = {f"styles/{name}": ("text/css", (STYLES / name).read_bytes())
             for name in LAYERS[target]}
    for font in sorted((STYLES / "fonts").iterdir()):
        if font.suffix.lower() in FONT_TYPES:
            files[f"styles/fonts/{font.name}"] = (FONT_TYPES[font.suffix.lower()],
                                                  font.read_bytes())
    return files
