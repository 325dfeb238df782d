"""The desktop app as a command: its options (`--source`, `--local`, `--start`, …) and its run."""

from __future__ import annotations

import argparse
import sys

from app.cli.exit_codes import EXIT_OK, EXIT_USAGE
from app.model.server_url import API_VERSIONS
from app.model.wire_v1 import MODELS


def configure(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("desktop app (without a command)")
    group.add_argument(
        "--source",
        metavar="SOURCE",
        help="what to capture, as for `stream --source` (camera, a file, a screen, a window, a region); "
        "default: the source chosen last",
    )
    group.add_argument(
        "--mic", metavar="MIC", help="sound, as for `stream --mic` (default: the one chosen last)"
    )
    group.add_argument("--local", action="store_true", help="use Local analysis even with an API key")
    group.add_argument(
        "--api",
        choices=API_VERSIONS,
        help="protocol version (default: from Settings; Local analysis speaks v1 unless told otherwise)",
    )
    group.add_argument(
        "--model", choices=MODELS, help="the v2 model to analyse with (default: from Settings)"
    )
    group.add_argument("--start", action="store_true", help="start a session at once")
    group.add_argument("--compact", action="store_true", help="open in the compact presenter window")
    group.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer

    from app.desktop.launch import application, open_desktop
    from app.model.source_spec import MicSpec, SourceSpec
    from app.runtime.event_loop import qt_event_loop
    from app.runtime.qt_messages import route_qt_messages

    try:
        source = None if args.source is None else SourceSpec.parse(args.source)
        microphone = None if args.mic is None else MicSpec.parse(args.mic)
    except ValueError as error:
        print(f"interhuman-live: {error}", file=sys.stderr)
        return EXIT_USAGE
    route_qt_messages()
    app = application()
    with qt_event_loop(app) as loop:
        desktop = open_desktop(
            loop,
            source=source,
            microphone=microphone,
            local=args.local,
            local_only=args.local_only,
            api=args.api,
            model=args.model,
        )
        if args.compact:
            desktop.window.set_compact(True)
        if args.start:
            QTimer.singleShot(0, desktop.start)
        if args.quit_after:
            QTimer.singleShot(int(args.quit_after * 1000), desktop.window.close)
        loop.run_until_complete(desktop.closed.wait())
    return EXIT_OK
