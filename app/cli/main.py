"""The `interhuman-live` command: the desktop app without a sub-command, tools with one.

Each sub-command is a module of this package with `configure(parser)` and `run(args) -> int`,
imported statically so that import-linter and PyInstaller see them. Their heavy dependencies are
imported inside `run`, so building the parser (and `--version`) stays cheap.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from app import APP_NAME, __version__
from app.cli import analyzer, devices, export_video, gui, report, review, self_test, sessions, stream
from app.runtime.core_sharing import share_cores
from app.runtime.logs import setup_logging
from app.runtime.memory import return_large_buffers

log = logging.getLogger(__name__)

LOCAL_ONLY_HELP = (
    "connect to no other computer: Local analysis only, any other server refused "
    "(also the Settings option of the same name)"
)

COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "stream": (stream, "Run a session without a window and print what comes back"),
    "devices": (devices, "List cameras and microphones"),
    "analyzer": (analyzer, "Run the local analyzer server"),
    "sessions": (sessions, "List the recorded sessions, newest first"),
    "review": (review, "Open a recorded session in the review window"),
    "report": (report, "Write a session's report as HTML, JSON or CSV"),
    "export-video": (export_video, "Write a session's recording as one WebM file"),
}


EPILOG = """examples:
  interhuman-live                                  the desktop app, as Settings left it
  interhuman-live --source synthetic --local --start
                                                   a session on the built-in test signal, at once
  interhuman-live stream --source file:talk.mp4 --fast --events events.jsonl
                                                   a whole session without a window
  interhuman-live COMMAND --help                   each command's options and examples
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Live feedback on how you come across on camera.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--local-only", action="store_true", help=LOCAL_ONLY_HELP)
    gui.configure(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        module.configure(sub)
        # Accepted after any command too; SUPPRESS keeps the sub-parser from resetting a
        # `--local-only` given before the command.
        sub.add_argument("--local-only", action="store_true", default=argparse.SUPPRESS, help=LOCAL_ONLY_HELP)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parser.parse_args`, except that an option a command does not know is reported by that
    command, with its usage and the option it most likely meant."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        owner = _subparser(parser, args.command) or parser
        known = [flag for action in owner._actions for flag in action.option_strings]
        guesses = [difflib.get_close_matches(word, known, n=1) for word in unknown if word.startswith("-")]
        meant = next((guess[0] for guess in guesses if guess), None)
        owner.error(
            f"unrecognized arguments: {' '.join(unknown)}" + (f" (did you mean {meant}?)" if meant else "")
        )
    return args


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    try:
        log_file = setup_logging(args.log_level)
    except ValueError as error:
        parser.error(str(error))
    log.debug("%s %s, log file %s", APP_NAME, __version__, log_file)
    return_large_buffers()
    share_cores()
    command: Callable[[argparse.Namespace], int]
    if args.self_test:
        command = self_test.run
    elif args.command:
        command = COMMANDS[args.command][0].run
    else:
        command = gui.run
    return int(command(args))


if __name__ == "__main__":
    sys.exit(main())
