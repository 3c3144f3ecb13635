"""The bundled fonts: which of them a text needs, and which characters none of them has.

`styles/fonts.css` declares every face we ship. Its families come in groups: our Latin,
Greek and Cyrillic faces (always served), and one group per other script (Arabic, Thai,
Japanese…), served only to editions whose text needs it, so that a Latin edition loads
no 5 MB Chinese face. Which group draws a character follows the stacks of `base.css`:
for Chinese, Japanese or Korean text, the face of its language first; then Latin; then
each script in turn, the Chinese, Japanese and Korean faces, symbols and emoji.

A character that no group has is an error, unless the edition allows the machine's
fonts (`machine_fonts = true`): without that key WeasyPrint sees no font of the machine
at all (`FONTCONFIG_FILE`), so the PDF is the same on every machine.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from .assets import LATIN, SCRIPTS, STYLES, faces
from .labels import traditional_chinese

# Drawn by no glyph of their own: shaping uses them (joiners, variation selectors).
INVISIBLE = {0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


@functools.cache
def cmap(file: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(STYLES / "fonts" / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def coverage(group: str) -> frozenset[int]:
    """The characters a group draws (the Latin group: all three Latin families)."""
    members = LATIN if group == "Latin" else (group,)
    return frozenset().union(*(cmap(f.file) for f in faces() if f.group in members))


# The script whose face text in a language takes first (as the :lang() rules of base.css).
FIRST = {**dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ug", "ckb", "ks"), "Arabic"),
         **dict.fromkeys(("he", "iw", "yi"), "Hebrew"),
         **dict.fromkeys(("hi", "mr", "ne", "sa", "mai", "kok"), "Devanagari"),
         **dict.fromkeys(("bn", "as"), "Bengali"), "ta": "Tamil", "th": "Thai",
         "ja": "JP", "ko": "KR", "zh": "SC"}
def first_group(lang: str) -> str | None:
    """The face text in this language takes first: "Arabic", "JP"… or None (Latin)."""
    if traditional_chinese(lang):
        return "TC"
    return FIRST.get(lang.split("-")[0].lower())


def order(lang: str) -> tuple[str, ...]:
    """The groups in the order the stacks try them for text in this language."""
    first = first_group(lang)
    return (*((first,) if first else ()), "Latin", *(g for g in SCRIPTS if g != first))


def drawn(ch: str) -> bool:
    """Whether a character needs a glyph: not spaces, controls, joiners and the like."""
    code = ord(ch)
    return not (ch.isspace() or unicodedata.category(ch)[0] in "CZ" or code in INVISIBLE)


@dataclass(frozen=True)
class Needs:
    groups: frozenset[str]  # the script groups that draw some of the text
    missing: tuple[str, ...]  # characters no font of ours has, in order of appearance


def needs(text: str, lang: str) -> Needs:
    """What our fonts make of a text in a language."""
    tried = order(lang)
    groups: set[str] = set()
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if not drawn(ch):
            continue
        code = ord(ch)
        group = next((g for g in tried if code in coverage(g)), None)
        if group is None:
            missing.append(ch)
        elif group != "Latin":
            groups.add(group)
    return Needs(frozenset(groups), tuple(missing))


def describe(missing: tuple[str, ...]) -> str:
    """The characters, by themselves and by code point: 'ꯀ (U+ABC0)'."""
    shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:8])
    return shown + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")


# For FONTCONFIG_FILE: a configuration that knows none of the machine's fonts (one of
# ours only, for a document without any @font-face), so WeasyPrint sees only ours.
FONTCONFIG_FILE = STYLES / "fonts" / "no-machine-fonts.conf"
