"""`interhuman-live export-video SESSION_DIR OUT.webm`: the session's recording as one file to share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, metavar="SESSION_DIR", help="a session's folder")
    parser.add_argument("out", type=Path, metavar="OUT.webm", help="the file to write")


def run(args: argparse.Namespace) -> int:
    from app.review.joined_recording import NoRecording, export_video
    from app.review.session_folder import NotASessionFolder, open_session

    try:
        folder = open_session(args.session)
    except NotASessionFolder as error:
        print(f"interhuman-live export-video: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.out.suffix.lower() != ".webm":
        print(
            "interhuman-live export-video: the file must end in .webm (the recording is WebM).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        joined = export_video(folder, args.out)
    except NoRecording as error:
        print(f"interhuman-live export-video: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(f"interhuman-live export-video: cannot write {args.out} ({error.strerror}).", file=sys.stderr)
        return EXIT_FAILED
    if joined.unreadable:
        missing = ", ".join(str(index) for index in joined.unreadable)
        print(
            f"note: segment(s) {missing} could not be read and are missing from the video.", file=sys.stderr
        )
    print(args.out)
    return EXIT_OK
