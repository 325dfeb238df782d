"""`interhuman-live stream`: the whole pipeline without a window, for scripts, tests and recordings.

Still a Qt application (the microphone is QtMultimedia's) with asyncio on it through qasync: a
`QCoreApplication`, as nothing needs a screen, except when a screen, a region or a window is
the source (then a `QGuiApplication` on the display, which must exist).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.exit_codes import (
    EXIT_CAPTURE,
    EXIT_CODES_TEXT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from app.model.vocabulary import INCLUDE_FLAGS

if TYPE_CHECKING:
    from app.cli.event_output import EventWriter
    from app.session.config import SessionConfig
    from app.store.keystore import Credential

PROG = "interhuman-live stream"

log = logging.getLogger(__name__)

EPILOG = f"""examples:
  interhuman-live stream --source file:talk.mp4 --fast --events events.jsonl
      analyse a recorded talk as fast as it encodes, every event into events.jsonl
  interhuman-live stream --source camera:1 --mic none --duration 60 --local
      one minute from the second camera, picture only, with Local analysis
  interhuman-live stream --source synthetic --duration 20 --events - -q | jq .kind
      the test signal for 20 s, its events to another program

The API key comes from the INTERHUMAN_API_KEY environment variable, else the OS keyring (set it in
the app's Settings); never from the command line. Ctrl-C, SIGTERM or SIGHUP stop the session: the
last segment is sent and its answer awaited (up to 30 s); a second one stops at once.

{textwrap.fill(EXIT_CODES_TEXT, 98)}
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        default="camera",
        metavar="SOURCE",
        help="what to capture: camera[:INDEX] (default), synthetic, file:PATH, screen[:INDEX], "
        "window:TITLE (the first window whose title contains TITLE) or region[:SCREEN]:WxH+X+Y",
    )
    parser.add_argument(
        "--mic",
        default="default",
        metavar="MIC",
        help="sound for a camera or screen source: default (the system's input), none, a microphone's "
        "NAME, meeting (what this computer plays: a call's other side), or default+meeting (both)",
    )
    parser.add_argument("--resolution", default="640x480", help="capture size (default: 640x480)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default: 30)")
    parser.add_argument(
        "--segment-seconds",
        type=float,
        default=4.0,
        metavar="S",
        help="segment length, 3 to 5 seconds (default: 4)",
    )
    parser.add_argument("--codec", choices=("vp8", "vp9"), default="vp8", help="video codec (default: vp8)")
    parser.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this much session time")
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--url", help="the server's WebSocket URL (default: Interhuman's, with a key)")
    backend.add_argument(
        "--local",
        action="store_true",
        help="analyse with the embedded local analyzer (the default without a key)",
    )
    parser.add_argument(
        "--include",
        action="append",
        choices=INCLUDE_FLAGS,
        default=[],
        help="ask for an optional result section (repeatable)",
    )
    parser.add_argument(
        "--record-dir",
        type=Path,
        metavar="DIR",
        help="folder for this session's recording (default: a new folder in the data directory)",
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="keep nothing on disk (by default every session is recorded)",
    )
    parser.add_argument(
        "--events", metavar="PATH", help="write every event as JSON Lines to PATH ('-' for stdout)"
    )
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument(
        "--realtime",
        dest="realtime",
        action="store_true",
        default=True,
        help="pace synthetic and file sources in real time (default)",
    )
    pace.add_argument(
        "--fast",
        dest="realtime",
        action="store_false",
        help="read synthetic and file sources as fast as the encoder takes them",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="nothing on stderr but the reason when it fails"
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG


def run(args: argparse.Namespace) -> int:
    from app.cli.event_output import EventsUnavailable, EventWriter
    from app.cli.session_options import SessionOptionsError, session_config_from_args
    from app.runtime.logs import quiet_console

    # Progress lines and the last line say what matters; the console log only shows what is
    # unexpected (the log file has everything).
    quiet_console(args.log_level, logging.ERROR)
    try:
        config, credential = session_config_from_args(args)
        writer = EventWriter.open(args.events, warn=_warner(args.quiet)) if args.events else None
    except (SessionOptionsError, EventsUnavailable) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE

    from PySide6.QtCore import QCoreApplication, QTimer

    from app.runtime.event_loop import qt_event_loop
    from app.runtime.qt_messages import route_qt_messages

    route_qt_messages()
    app = QCoreApplication.instance()
    if app is None and config.source.captures_screen:
        # Screens are a GUI application's; without a display Qt would abort the process.
        from PySide6.QtGui import QGuiApplication

        from capture.screen_capture import NO_DISPLAY, display_reachable

        if not display_reachable():
            print(f"interhuman-live stream: {NO_DISPLAY}", file=sys.stderr)
            return EXIT_CAPTURE
        app = QGuiApplication(sys.argv[:1])
    app = app or QCoreApplication(sys.argv[:1])
    # Python runs signal handlers only between bytecodes; a ticking timer lets Ctrl-C through Qt's loop.
    ticker = QTimer()
    ticker.start(200)
    ticker.timeout.connect(lambda: None)
    try:
        with qt_event_loop(app) as loop:
            return int(loop.run_until_complete(_stream(config, credential, args, writer)))
    finally:
        ticker.stop()
        if writer is not None:
            writer.close()


async def _stream(
    config: SessionConfig, credential: Credential | None, args: argparse.Namespace, writer: EventWriter | None
) -> int:
    from app.cli.advice import capture_hint, failure_advice, failure_exit_code
    from app.cli.interrupts import Interrupts
    from app.cli.progress import ProgressPrinter
    from app.runtime.versions import library_versions
    from app.session.controller import BackendUnavailable, SessionController
    from capture.media import CaptureError

    session = SessionController(config, credential=credential, versions=library_versions())
    if writer is not None:
        session.add_listener(writer.write)
    if not args.quiet:
        session.add_listener(ProgressPrinter(sys.stderr).handle)

    interrupted = asyncio.Event()

    def first(name: str) -> None:
        again = "Ctrl-C" if name == "SIGINT" else name
        say(f"Stopping: sending what is left… ({again} again to stop at once)")
        interrupted.set()

    def second(name: str) -> None:
        say("Stopping at once: answers still due are not waited for.")
        interrupted.set()
        session.cut_drain()

    def say(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    with Interrupts(asyncio.get_running_loop(), on_first=first, on_second=second) as interrupts:
        try:
            await session.start()
        except CaptureError as error:
            if args.quiet:  # otherwise the progress lines have said it already
                hint = capture_hint(error.source)
                print(f"{PROG}: {error}{' ' + hint if hint else ''}", file=sys.stderr)
            return EXIT_CAPTURE
        except BackendUnavailable as error:
            if args.quiet:
                print(f"{PROG}: {error}", file=sys.stderr)
            return EXIT_UNREACHABLE
        waiters = [asyncio.ensure_future(session.ended.wait()), asyncio.ensure_future(interrupted.wait())]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        # A session that ended by itself still wants its last segments delivered; one the user
        # stopped does not wait for a connection that is down.
        summary = await session.stop(wait_for_reconnect=not interrupted.is_set())
    log.info("session summary: %s", summary.model_dump(exclude={"wall"}))
    failure = session.uplink_failure
    if failure is not None:
        print(
            f"{PROG}: {failure_advice(failure, None if credential is None else credential.origin)}",
            file=sys.stderr,
        )
    if interrupts.at_once:
        return EXIT_INTERRUPTED
    return EXIT_OK if failure is None else failure_exit_code(failure)


def _warner(quiet: bool) -> Callable[[str], None]:
    def warn(message: str) -> None:
        if not quiet:
            print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)

    return warn
