"""The `edition` command: parses the command line and hands over to `commands/`."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from . import __version__
from .commands import NAMES

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, unimported: `edition --help` stays fast
if TYPE_CHECKING:
    from types import FrameType
    from typing import NoReturn


def _parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(
        prog="edition", description="Build periodic editions as EPUB 3 and print-ready PDF.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name in NAMES:
        module = importlib.import_module(f".commands.{name}", __package__)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP[0].upper()
                                  + module.HELP[1:] + ".")
        module.add_arguments(sub)
        modules[name] = module
    return parser, modules


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser, modules = _parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return modules[args.command].run(args)
    except BrokenPipeError:  # `edition check … | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
