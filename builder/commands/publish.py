"""`edition publish`: editions to a static download site with OPDS and Atom feeds."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import guarded, positive

HELP = "build editions and write a static download site with OPDS and Atom feeds"


def base_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"must be an http(s) address where the site is served, such as "
            f"https://example.org/editions/, not {text!r}")
    return text if text.endswith("/") else text + "/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Build each edition that changed into DIR/<edition file stem>/ "
                          "and write the site: DIR/index.html, a page per edition, an OPDS "
                          "catalogue (DIR/opds.xml) and an Atom feed (DIR/feed.xml).")
    parser.add_argument("editions", nargs="+", type=Path, metavar="EDITION",
                        help="edition files, e.g. editions/*.toml")
    parser.add_argument("--site", type=Path, required=True, metavar="DIR",
                        help="the site's folder (created if missing)")
    parser.add_argument("--base-url", type=base_url, metavar="URL",
                        help="the address DIR is served from, e.g. https://example.org/"
                             "editions/; the feeds then use absolute links (without it, "
                             "relative ones)")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors (for publishers' CI)")
    parser.add_argument("--jobs", type=positive, default=os.cpu_count() or 1, metavar="N",
                        help="processes typesetting each PDF in parallel (default: one per "
                             "CPU)")


def run(args: argparse.Namespace) -> int:
    return guarded(lambda: _publish(args), args.site)


def _publish(args: argparse.Namespace) -> int:
    from ..errors import BuildError, Report, shown
    from ..output import prepare_folder
    from ..site import (
        check_names,
        check_site_folder,
        previously_published,
        publish_edition,
        unique,
        write_site,
    )
    from ..text import human_size

    paths = unique(args.editions)
    check_names(paths)
    check_site_folder(args.site, paths)
    try:
        prepare_folder(args.site)
    except BuildError as error:
        raise BuildError(error.message.replace("--out", "--site"), error.path) from None
    report = Report()
    published, failed = [], []
    for path in paths:
        try:
            edition = publish_edition(path, args.site, report, args.strict, args.jobs)
        except BuildError as error:
            elsewhere = error.path is not None and shown(error.path) != shown(path)
            print(f"error: {error}" + (f" (in edition {shown(path)})" if elsewhere else ""),
                  file=sys.stderr)
            failed.append(path)
            continue
        published.append(edition)
        sizes = ", ".join(f"{d.format.upper()} {human_size(d.size)}" for d in edition.downloads)
        print(f"{'built' if edition.fresh else 'up to date'}: {shown(path)} "
              f"-> {shown(args.site / path.stem)}/ ({sizes})")
    if failed:
        # The editions that were built have new files: the pages must describe them. A
        # failed edition keeps its earlier files, and the site keeps listing those.
        earlier = [old for path in failed if (old := previously_published(path, args.site))]
        write_site(args.site, [*published, *earlier], args.base_url)
        print(f"error: {len(failed)} of {len(paths)} edition(s) failed "
              f"({', '.join(shown(p) for p in failed)}); the site lists "
              + (f"the earlier version of {len(earlier)} of them" if earlier else "none of them"),
              file=sys.stderr)
        return 1
    index = write_site(args.site, published, args.base_url)
    print(f"published {len(published)} edition(s): {shown(index)}")
    return 0
