"""A publisher's week, end to end: last week's edition to this week's on the download
site, with the commands a publisher uses (new, check, build, publish)."""

from __future__ import annotations

import json
import shutil

import feedparser
from lxml import etree

from conftest import ROOT, run_edition

ATOM = "{http://www.w3.org/2005/Atom}"
ARTICLE = """\
---
title: Night ferry returns for the winter
author: Jonas Feld
summary: The 23:40 sailing is back from December.
---

The late ferry to the islands returns on the first of December.
"""


def test_from_last_weeks_edition_to_this_weeks_on_the_site(tmp_path):
    shutil.copytree(ROOT / "editions", tmp_path / "editions")

    made = run_edition("new", "editions/sample-48.toml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "issue 48, 2026-11-28" in made.stdout
    again = run_edition("new", "editions/sample-48.toml", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr

    (tmp_path / "editions" / "sample" / "local" / "night-ferry.md").write_text(ARTICLE)
    edition = tmp_path / "editions" / "sample-48.toml"
    edition.write_text(edition.read_text().replace(
        "articles = []", 'articles = ["sample/local/night-ferry.md"]', 1))

    checked = run_edition("check", "editions/sample-48.toml", "--format", "json",
                          cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["counts"]["error"] == 0

    published = run_edition("publish", "editions/sample.toml", "editions/sample-48.toml",
                            "--site", "site", "--base-url", "https://example.org/harbour/",
                            cwd=tmp_path)
    assert published.returncode == 0, published.stderr
    site = tmp_path / "site"
    catalog = etree.parse(str(site / "opds.xml")).getroot()
    entries = catalog.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][0].endswith("48")  # newest first
    newest = {link.get("type"): link.get("href") for link in entries[0].findall(f"{ATOM}link")
              if link.get("rel") == "http://opds-spec.org/acquisition"}
    assert newest == {"application/epub+zip": "https://example.org/harbour/sample-48/sample-48.epub",
                      "application/pdf": "https://example.org/harbour/sample-48/sample-48.pdf"}
    assert (site / "sample-48" / "sample-48.epub").stat().st_size > 10_000
    assert not feedparser.parse((site / "opds.xml").read_bytes()).bozo
    assert "Night ferry returns for the winter" in (site / "sample-48" / "index.html").read_text()
    assert "Night ferry returns" in (site / "index.html").read_text()
