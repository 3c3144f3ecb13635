"""Make the bundled fonts of the scripts beyond Latin, Greek and Cyrillic (run by hand).

    python styles/fonts/make_fonts.py SOURCE_DIR

SOURCE_DIR holds the unpacked sources, all under the SIL Open Font License 1.1:

- Debian 12's `fonts-noto-core` 20201225-1 and `fonts-noto-cjk` 1:20220127+repack1-1
  (`apt-get download fonts-noto-core fonts-noto-cjk`, then `dpkg-deb -x` each into
  SOURCE_DIR);
- Noto Emoji, monochrome, from the PyPI wheel `manimgx-fonts` 2026.9.26.post1
  (`pip download --no-deps manimgx-fonts==2026.9.26.post1`, unzipped into SOURCE_DIR).

Every font loses its hinting (the PDF is for print, and reading systems hint by
themselves). The Chinese, Japanese and Korean faces are cut down to what newspapers
print, from the national character sets that Python's codecs carry: GB 2312 for
Simplified Chinese (6,763 hanzi), Big5 level 1 for Traditional Chinese (5,401 hanzi),
JIS X 0208 for Japanese (6,355 kanji), and KS X 1001 plus every modern Hangul syllable
for Korean; each keeps Latin, punctuation, kana and full-width forms. The output is the
same for the same sources (fontTools writes no timestamps once `head` is fixed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from fontTools.varLib import instancer

HERE = Path(__file__).resolve().parent
TRUETYPE = "usr/share/fonts/truetype/noto"
OPENTYPE = "usr/share/fonts/opentype/noto"
EMOJI = "manimgx_fonts/NotoEmoji[wght].ttf"

# Fonts taken whole but for their hinting, a serif and a sans for each script (Arabic's
# serif is Naskh, the newspaper style), regular and bold.
WHOLE = [f"Noto{face}-{weight}.ttf"
         for face in ("NaskhArabic", "SansArabic", "SerifHebrew", "SansHebrew",
                      "SerifDevanagari", "SansDevanagari", "SerifBengali", "SansBengali",
                      "SerifTamil", "SansTamil", "SerifThai", "SansThai")
         for weight in ("Regular", "Bold")]
SYMBOLS = ["NotoSansSymbols-Regular.ttf", "NotoSansSymbols2-Regular.ttf"]

# (region in the file name, the face's family name in the collection, its characters)
REGIONS = {"sc": "SC", "tc": "TC", "jp": "JP", "kr": "KR"}


def _double_byte(codec: str, first: range, second: range) -> set[int]:
    found = set()
    for lead in first:
        for trail in second:
            try:
                text = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            found.update(ord(ch) for ch in text)
    return found


def _common() -> set[int]:
    """What every CJK face keeps beside its national set."""
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x20A0, 0x20BF),
              (0x2100, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x257F),
              (0x25A0, 0x25FF), (0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF),
              (0x31F0, 0x31FF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)]
    return {c for lo, hi in ranges for c in range(lo, hi + 1)}


def characters(region: str) -> set[int]:
    if region == "sc":
        national = _double_byte("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    elif region == "tc":  # symbols, then level 1 (the frequent hanzi): 0xA140-0xC67E
        national = _double_byte("big5", range(0xA1, 0xC7), range(0x40, 0xFF))
    elif region == "jp":
        national = _double_byte("euc_jp", range(0xA1, 0xF5), range(0xA1, 0xFF))
    else:
        national = _double_byte("euc_kr", range(0xA1, 0xFE), range(0xA1, 0xFF))
        national |= set(range(0xAC00, 0xD7A4)) | set(range(0x3131, 0x318F))
    return national | _common()


def _options(**extra) -> subset.Options:
    options = subset.Options(hinting=False, layout_features=["*"], name_IDs=["*"],
                             name_languages=["*"], notdef_outline=True,
                             glyph_names=False, **extra)
    options.drop_tables += ["DSIG"]
    return options


def _save(font: TTFont, name: str) -> None:
    font["head"].modified = font["head"].created  # no clock in the file
    font.save(HERE / name, reorderTables=True)
    print(f"{name}: {(HERE / name).stat().st_size // 1024} KB")


def _subset(font: TTFont, unicodes: set[int] | None, name: str) -> None:
    subsetter = subset.Subsetter(_options())
    if unicodes is None:
        subsetter.populate(unicodes=font.getBestCmap().keys())
    else:
        subsetter.populate(unicodes=unicodes & set(font.getBestCmap()))
    subsetter.subset(font)
    _save(font, name)


def _face(collection: Path, family: str) -> TTFont:
    for font in TTCollection(collection).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{collection}: no face named {family!r}")


def main(source: Path) -> None:
    for name in WHOLE + SYMBOLS:
        _subset(TTFont(source / TRUETYPE / name), None, name)
    for style in ("Sans", "Serif"):
        for weight in ("Regular", "Bold"):
            collection = source / OPENTYPE / f"Noto{style}CJK-{weight}.ttc"
            for region, suffix in REGIONS.items():
                face = _face(collection, f"Noto {style} CJK {suffix}")
                _subset(face, characters(region), f"Noto{style}CJK{region}-{weight}.otf")
    emoji = instancer.instantiateVariableFont(TTFont(source / EMOJI), {"wght": 400})
    _subset(emoji, None, "NotoEmoji-Regular.ttf")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
