"""A generic CMYK output profile (ICC v2), generated here rather than shipped.

PDF/X wants an output intent: an ICC profile of the printing condition. The press's
real profile belongs to the print shop; without it, the book names this generic
condition. Its model is the plain subtractive one (CSS Color 5's naive `device-cmyk`
conversion: cyan absorbs red, black absorbs all, full grey-component replacement), so
the colours the book was designed in sRGB map to CMYK the way a screen preview shows
them. The book itself keeps its colours in sRGB (ICC-based), and the shop's RIP
converts them to its own press.
"""

from __future__ import annotations

import functools
import itertools
import struct
from collections.abc import Callable, Iterable, Sequence

NAME = "Generic CMYK (edition builder, naive conversion)"
D50 = (0.9642, 1.0, 0.8249)
# sRGB (D65) linear RGB -> XYZ adapted to D50 (Bradford), as in the ICC sRGB profiles.
RGB_TO_XYZ = ((0.4360747, 0.3850649, 0.1430804),
              (0.2225045, 0.7168786, 0.0606169),
              (0.0139322, 0.0971045, 0.7141733))
XYZ_TO_RGB = ((3.1338561, -1.6168667, -0.4906146),
              (-0.9787684, 1.9161415, 0.0334540),
              (0.0719453, -0.2289914, 1.4052427))


def _linear(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _encoded(v: float) -> float:
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def _mul(m: Sequence[Sequence[float]], v: Sequence[float]) -> tuple[float, ...]:
    return tuple(sum(a * b for a, b in zip(row, v, strict=True)) for row in m)


def _lab(xyz: Sequence[float]) -> tuple[float, float, float]:
    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
    fx, fy, fz = (f(c / w) for c, w in zip(xyz, D50, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _xyz(lab: tuple[float, float, float]) -> tuple[float, ...]:
    lightness, a, b = lab
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def g(t: float) -> float:
        return t ** 3 if t ** 3 > 216 / 24389 else (116 * t - 16) / (24389 / 27)
    return tuple(g(t) * w for t, w in zip((fx, fy, fz), D50, strict=True))


def cmyk_to_lab(c: float, m: float, y: float, k: float) -> tuple[float, float, float]:
    rgb = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return _lab(_mul(RGB_TO_XYZ, [_linear(v) for v in rgb]))


def lab_to_cmyk(lab: tuple[float, float, float]) -> tuple[tuple[float, ...], bool]:
    """CMYK for a Lab colour, and whether it was outside the gamut (clipped)."""
    linear = _mul(XYZ_TO_RGB, _xyz(lab))
    clipped = any(v < -0.001 or v > 1.001 for v in linear)
    r, g, b = (_encoded(min(1.0, max(0.0, v))) for v in linear)
    k = 1 - max(r, g, b)
    if k >= 1:
        return (0.0, 0.0, 0.0, 1.0), clipped
    return tuple((1 - v - k) / (1 - k) for v in (r, g, b)) + (k,), clipped


def _u16(v: float) -> int:
    return min(65535, max(0, round(v * 65535)))


def _lab16(lab: tuple[float, float, float]) -> tuple[int, int, int]:
    """ICC v2 (legacy) 16-bit Lab: L 0..100 -> 0..0xFF00, a/b -128..128 -> 0..0xFFFF."""
    lightness, a, b = lab
    return (min(65535, max(0, round(lightness * 652.80))),
            min(65535, max(0, round((a + 128) * 256))),
            min(65535, max(0, round((b + 128) * 256))))


def _from_lab16(values: Sequence[int]) -> tuple[float, float, float]:
    lightness, a, b = values
    return lightness / 652.80, a / 256 - 128, b / 256 - 128


def _lut16(inputs: int, outputs: int, points: int,
           node: Callable[[tuple[float, ...]], Iterable[int]]) -> bytes:
    """An `mft2` tag: identity matrix and curves around a `points`^inputs grid whose
    nodes `node` maps (grid coordinates 0..1 -> 16-bit outputs)."""
    head = b"mft2" + bytes(4) + struct.pack(">BBBB", inputs, outputs, points, 0)
    head += struct.pack(">9i", *(65536 if i % 4 == 0 else 0 for i in range(9)))
    head += struct.pack(">HH", 2, 2)
    curves_in = struct.pack(">HH", 0, 65535) * inputs
    grid = [i / (points - 1) for i in range(points)]
    clut = bytearray()
    for coords in itertools.product(grid, repeat=inputs):
        clut += struct.pack(f">{outputs}H", *node(coords))
    return head + curves_in + bytes(clut) + struct.pack(">HH", 0, 65535) * outputs


def _text_description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + bytes(67))


def _pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % 4)


@functools.cache
def generic_cmyk_profile() -> bytes:
    def a2b(coords: tuple[float, ...]) -> tuple[int, int, int]:
        return _lab16(cmyk_to_lab(*coords))

    def b2a(coords: tuple[float, ...]) -> list[int]:
        cmyk, _ = lab_to_cmyk(_from_lab16([_u16(v) for v in coords]))
        return [_u16(v) for v in cmyk]

    def gamut(coords: tuple[float, ...]) -> list[int]:
        return [65535 if lab_to_cmyk(_from_lab16([_u16(v) for v in coords]))[1] else 0]

    fixed = [struct.pack(">i", round(v * 65536)) for v in D50]
    a2b_tag, b2a_tag = _lut16(4, 3, 9, a2b), _lut16(3, 4, 17, b2a)
    tags = [  # (signatures sharing the data, data)
        ((b"desc",), _text_description(NAME)),
        ((b"cprt",), b"text" + bytes(4) + b"No copyright, use freely.\0"),
        ((b"wtpt",), b"XYZ " + bytes(4) + b"".join(fixed)),
        ((b"A2B0", b"A2B1", b"A2B2"), a2b_tag),
        ((b"B2A0", b"B2A1", b"B2A2"), b2a_tag),
        ((b"gamt",), _lut16(3, 1, 9, gamut)),
    ]
    count = sum(len(signatures) for signatures, _ in tags)
    offset = 128 + 4 + 12 * count
    table, body = struct.pack(">I", count), b""
    for signatures, data in tags:
        for signature in signatures:
            table += signature + struct.pack(">II", offset + len(body), len(data))
        body += _pad(data)
    size = offset + len(body)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000)
              + b"prtrCMYKLab " + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp"
              + bytes(4 + 4 + 4 + 4 + 8) + struct.pack(">I", 0) + b"".join(fixed)
              + bytes(4) + bytes(16) + bytes(28))
    assert len(header) == 128
    return header + table + body
