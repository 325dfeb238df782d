"""`interhuman-live report SESSION_DIR`: a session's report as HTML, JSON or CSV files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

FORMATS = ("html", "json", "csv")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, metavar="SESSION_DIR", help="a session's folder")
    for name in FORMATS:
        parser.add_argument(
            f"--{name}",
            nargs="?",
            const="",
            metavar=f"OUT.{name}",
            help=f"write the {name.upper()} report (default: report.{name} in the session folder)",
        )
    parser.epilog = "Without an option it writes the HTML report into the session folder."


def run(args: argparse.Namespace) -> int:
    from app.review.html_report import render_html
    from app.review.report_files import DEFAULT_NAMES, csv_text, json_text, session_report, write_text
    from app.review.session_folder import NotASessionFolder, open_session

    try:
        folder = open_session(args.session)
    except NotASessionFolder as error:
        print(f"interhuman-live report: {error}", file=sys.stderr)
        return EXIT_USAGE
    asked = {name: getattr(args, name) for name in FORMATS if getattr(args, name) is not None}
    if not asked:
        asked = {"html": ""}
    report = session_report(folder)
    makers = {"html": render_html, "json": json_text, "csv": csv_text}
    for name, out in asked.items():
        path = Path(out) if out else folder.path / DEFAULT_NAMES[name]
        try:
            write_text(path, makers[name](report))
        except OSError as error:
            print(f"interhuman-live report: cannot write {path} ({error.strerror}).", file=sys.stderr)
            return EXIT_FAILED
        print(path)
    for note in folder.notes:
        print(f"note: {note}", file=sys.stderr)
    return EXIT_OK
