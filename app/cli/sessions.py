"""`interhuman-live sessions`: the recorded sessions, newest first, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.exit_codes import EXIT_OK, EXIT_USAGE


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, metavar="DIR", help="the folder holding the sessions (default: from Settings)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from app.model.wording import mmss
    from app.review.listing import list_sessions
    from app.store.settings import read_settings

    root: Path = args.root or read_settings()[0].recording_folder
    if args.root is not None and not root.is_dir():
        print(f"interhuman-live sessions: {root} is not a folder.", file=sys.stderr)
        return EXIT_USAGE
    entries = list_sessions(root)
    if args.json:
        print(json.dumps([entry.model_dump(mode="json") for entry in entries], indent=2))
        return EXIT_OK
    if not entries:
        print(f"No sessions in {root}.")
        return EXIT_OK
    heading = ("started", "length", "engaged", "quality", "sent/done/failed", "analysis")
    print("{:<17} {:>7} {:>7} {:>7}  {:<16} {:<22} title".format(*heading))
    for e in entries:
        started = "–" if e.started_at is None else f"{e.started_at.astimezone():%Y-%m-%d %H:%M}"
        engaged = "–" if e.engaged_share is None else f"{e.engaged_share:.0%}"
        quality = "–" if e.quality_index is None else f"{e.quality_index:.0f}"
        counts = f"{e.sent}/{e.completed}/{e.failed}"
        backend = f"{e.backend} {e.api_version}"
        mark = "  [ended unexpectedly]" if e.ended_unexpectedly else ""
        print(
            f"{started:<17} {mmss(e.length_s):>7} {engaged:>7} {quality:>7}  {counts:<16} {backend:<22} "
            f"{e.title}{mark}"
        )
        print(f"{'':<17} {e.folder}")
    return EXIT_OK
