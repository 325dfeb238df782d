"""The `interhuman-live` command: the desktop app without a sub-command, tools with one.

Each sub-command lives in its own module exposing `configure(parser)` and `run(args) -> int`;
they import their heavy dependencies inside `run`, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from app import APP_NAME, __version__
from app.logs import setup_logging

log = logging.getLogger(__name__)

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "stream": ("app.stream_command", "Run a session without a window and print what comes back"),
    "devices": ("app.devices_command", "List cameras and microphones"),
    "analyzer": ("app.analyzer.command", "Run the local analyzer server"),
}

EXIT_OK = 0
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Live feedback on how you come across on camera.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        help="DEBUG, INFO, WARNING or ERROR (default: $INTERHUMAN_LIVE_LOG or INFO)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end without a window, print versions, and exit",
    )
    gui = importlib.import_module("app.gui")
    gui.configure(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        log_file = setup_logging(args.log_level)
    except ValueError as error:
        parser.error(str(error))
    log.debug("%s %s, log file %s", APP_NAME, __version__, log_file)
    if args.self_test:
        return int(importlib.import_module("app.self_test").run())
    module = COMMANDS[args.command][0] if args.command else "app.gui"
    return int(importlib.import_module(module).run(args))


if __name__ == "__main__":
    sys.exit(main())
