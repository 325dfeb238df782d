"""`interhuman-live stream`: the whole pipeline without a window, for scripts, tests and recordings.

Still a Qt application (the microphone is QtMultimedia's) with asyncio on it through qasync: a
`QCoreApplication`, as nothing needs a screen, except when a screen, a region or a window is
the source (then a `QGuiApplication` on the display, which must exist).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.exit_codes import EXIT_CAPTURE, EXIT_OK, EXIT_REJECTED, EXIT_UNREACHABLE, EXIT_USAGE
from app.model.vocabulary import INCLUDE_FLAGS

if TYPE_CHECKING:
    from app.session.config import SessionConfig
    from app.store.keystore import Credential

log = logging.getLogger(__name__)


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
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser.epilog = (
        "The API key comes from the INTERHUMAN_API_KEY environment variable, else the OS keyring "
        "(set it in the app's settings); never from the command line. Exit codes: 0 finished, 2 usage "
        "error, 3 credential rejected, 4 could not connect, 5 capture failed."
    )


def run(args: argparse.Namespace) -> int:
    from app.cli.session_options import SessionOptionsError, session_config_from_args

    try:
        config, credential = session_config_from_args(args)
    except SessionOptionsError as error:
        print(f"interhuman-live stream: {error}", file=sys.stderr)
        return EXIT_USAGE

    from PySide6.QtCore import QCoreApplication, QTimer

    from app.runtime.event_loop import qt_event_loop

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
            return int(loop.run_until_complete(_stream(config, credential, args)))
    finally:
        ticker.stop()


async def _stream(config: SessionConfig, credential: Credential | None, args: argparse.Namespace) -> int:
    from app.cli.progress import EventWriter, ProgressPrinter
    from app.runtime.versions import library_versions
    from app.session.controller import BackendUnavailable, SessionController
    from app.uplink import AuthRejected, QuotaExhausted
    from capture.media import CaptureError

    session = SessionController(config, credential=credential, versions=library_versions())
    writer = EventWriter.open(args.events) if args.events else None
    if writer is not None:
        session.add_listener(writer.write)
    if not args.quiet:
        session.add_listener(ProgressPrinter(sys.stderr).handle)

    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    previous = signal.signal(signal.SIGINT, lambda *_: loop.call_soon_threadsafe(interrupted.set))
    try:
        try:
            await session.start()
        except CaptureError as error:
            if args.quiet:  # otherwise the progress lines have said it already
                print(f"interhuman-live stream: {error}", file=sys.stderr)
            return EXIT_CAPTURE
        except BackendUnavailable as error:
            print(f"interhuman-live stream: {error}", file=sys.stderr)
            return EXIT_UNREACHABLE
        waiters = [asyncio.ensure_future(session.ended.wait()), asyncio.ensure_future(interrupted.wait())]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        if interrupted.is_set():
            print("Stopping: sending what is left…", file=sys.stderr)
        summary = await session.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
        if writer is not None:
            writer.close()
    log.info("session summary: %s", summary.model_dump(exclude={"wall"}))
    failure = session.uplink_failure
    if failure is None:
        return EXIT_OK
    print(f"interhuman-live stream: {failure}", file=sys.stderr)
    return EXIT_REJECTED if isinstance(failure, AuthRejected | QuotaExhausted) else EXIT_UNREACHABLE
