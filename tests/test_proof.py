"""`edition proof`: PNG images of the pages a person wants to look at."""

from __future__ import annotations

import re

from PIL import Image, ImageStat
from pypdf import PdfReader

from conftest import ROOT, run_edition


def test_proofs_of_the_sample_show_the_chosen_pages(tmp_path):
    out = tmp_path / "out"
    result = run_edition("proof", str(ROOT / "editions" / "sample.toml"), "--out", str(out),
                         "--page", "2")
    assert result.returncode == 0, result.stderr
    shown = dict(re.findall(r"^(\S+): page (\d+) ->", result.stdout, re.M))
    assert list(shown) == ["cover", "contents", "article", "footnote", "table", "page-2"]
    pdf = PdfReader(out / "sample.pdf")
    text = {label: pdf.pages[int(page) - 1].extract_text() for label, page in shown.items()}
    assert shown["cover"] == "1" and "The Harbour Weekly" in text["cover"]
    assert "Contents" in text["contents"]
    assert "Dredging returns to the inner harbour" in text["article"]
    assert "Stretch of quay" in text["table"]  # the sample's table header
    assert shown["footnote"] != shown["article"]  # a page not shown yet, when there is one
    folder = out / "sample-proof"
    files = sorted(folder.glob("*.png"))
    assert [f.name.split("-", 1)[1].rsplit("-p", 1)[0] for f in files] == list(shown)
    width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    for file in files:
        with Image.open(file) as image:
            assert abs(image.width / image.height - width / height) < 0.01
            assert abs(image.width - width / 72 * 110) <= 1  # the default 110 dpi
            assert max(ImageStat.Stat(image.convert("L")).stddev) > 10, f"{file} is blank"
    # a second run replaces the proofs instead of piling them up
    again = run_edition("proof", str(ROOT / "editions" / "sample.toml"), "--out", str(out))
    assert again.returncode == 0
    assert len(list(folder.glob("*.png"))) == 5


def test_a_page_beyond_the_pdf_is_a_clear_error(tmp_path):
    result = run_edition("proof", "--out", str(tmp_path), "--page", "999")
    assert result.returncode == 1
    assert "--page 999: the PDF has pages 1 to" in result.stderr
    assert "Traceback" not in result.stderr
