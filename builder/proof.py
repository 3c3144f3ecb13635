"""`edition proof`: chosen pages of the PDF as PNG images, to look at without a viewer.

Pages are found by the PDF's named destinations (every anchor of the book is one): the
cover, the contents, the first article's opening, the first page with a footnote and
the first with a table.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from .output import write_atomic

PICKS = (
    ("cover", re.compile(r"cover")),
    ("contents", re.compile(r"contents")),
    ("article", re.compile(r"a\d{3,}")),
    ("footnote", re.compile(r"a\d{3,}-fn-\d+")),
    ("table", re.compile(r"a\d{3,}-table-\d+")),
)


@dataclass(frozen=True)
class Proof:
    label: str
    page: int  # 1-based
    path: Path


def page_numbers(pdf_path: Path) -> dict[str, int]:
    """Named destination -> 1-based page number."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
        if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
            return {}
        return {name: index[dest[0].objgen]
                for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items()
                if isinstance(dest, pikepdf.Array) and dest[0].objgen in index}


def choose(pdf_path: Path, extra: tuple[int, ...] = ()) -> list[tuple[str, int]]:
    numbers = page_numbers(pdf_path)
    chosen = []
    for label, pattern in PICKS:
        pages = sorted(page for name, page in numbers.items() if pattern.fullmatch(name))
        fresh = [page for page in pages if page not in {n for _, n in chosen}]
        if pages:  # a page not shown yet when there is one
            chosen.append((label, (fresh or pages)[0]))
    chosen += [(f"page-{n}", n) for n in extra]
    return chosen


def write_proofs(pdf_path: Path, folder: Path, dpi: int = 110,
                 extra: tuple[int, ...] = ()) -> list[Proof]:
    """Render the chosen pages into `folder` (made if needed; earlier proofs there are
    replaced)."""
    import pypdfium2

    chosen = choose(pdf_path, extra)
    proofs = []
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        count = len(document)
        for number in extra:  # before any proof is replaced
            if not 1 <= number <= count:
                from .errors import BuildError

                raise BuildError(f"--page {number}: the PDF has pages 1 to {count}")
        folder.mkdir(parents=True, exist_ok=True)
        for order, (label, number) in enumerate(chosen, 1):
            image = document[number - 1].render(scale=dpi / 72).to_pil()
            data = io.BytesIO()
            image.save(data, "PNG", optimize=True)
            path = folder / f"{order:02d}-{label}-p{number}.png"
            write_atomic(path, data.getvalue())
            proofs.append(Proof(label, number, path))
    finally:
        document.close()
    for old in folder.glob("*.png"):
        if old not in {p.path for p in proofs}:
            old.unlink()
    return proofs
