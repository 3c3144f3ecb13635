"""`edition preview`: serve the edition on localhost and reload pages on change."""

from __future__ import annotations

import sys
from pathlib import Path

from . import guarded, positive

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    import argparse

HELP = "serve an edition as web pages that reload when a file changes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("edition", type=Path, help="edition file")
    parser.add_argument("--port", type=_port, default=8000,
                        help="port to listen on (default: 8000; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--open", action="store_true", help="open it in the web browser")


def _port(text: str) -> int:
    import argparse

    if text == "0":
        return 0
    if positive(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, not {text}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    return guarded(lambda: _serve(args), args.edition)


def _serve(args: argparse.Namespace) -> int:
    from ..errors import BuildError
    from ..preview import serve

    def say(line: str) -> None:
        print(line, flush=True)

    opened = None
    if args.open:
        import webbrowser

        opened = webbrowser.open
    try:
        serve(args.edition, args.host, args.port, say, opened)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0
    except OSError as exc:
        raise BuildError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    return 0
