"""`interhuman-live review SESSION_DIR`: a recorded session in the review window, on its own."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.exit_codes import EXIT_OK, EXIT_USAGE


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, metavar="SESSION_DIR", help="a session's folder")
    parser.add_argument("--at", type=float, metavar="SECONDS", help="start at this session time")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from app.review.session_folder import is_session_folder

    if not is_session_folder(args.session):
        print(f"interhuman-live review: {args.session} is not a session folder.", file=sys.stderr)
        return EXIT_USAGE

    from PySide6.QtCore import QTimer

    from app.desktop.launch import application
    from app.desktop.review_controller import ReviewController
    from app.runtime.event_loop import qt_event_loop
    from app.runtime.qt_messages import route_qt_messages

    route_qt_messages()
    app = application()
    with qt_event_loop(app) as loop:
        review = ReviewController(args.session.resolve())
        review.open(start_at=args.at)
        if args.quit_after:
            QTimer.singleShot(int(args.quit_after * 1000), review.close)
        loop.run_until_complete(review.closed.wait())
    return EXIT_OK
