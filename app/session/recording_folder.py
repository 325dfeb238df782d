"""A session's folder: where it goes, what its files are called, and reading its events back."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from app.model.events import EVENT_KINDS, SessionEvent, parse_event
from app.store.paths import sessions_root

log = logging.getLogger(__name__)

EVENTS_FILE = "events.jsonl"
MANIFEST_FILE = "session.json"
SEGMENTS_DIR = "segments"
SESSION_NAME = re.compile(r"^\d{8}-\d{6}-[0-9A-Za-z]+$")


def default_session_folder(session_id: str, *, root: Path | None = None, now: datetime | None = None) -> Path:
    """`<root>/<YYYYmmdd-HHMMSS>-<first 8 characters of the id>`, in local time."""
    started = (now or datetime.now()).astimezone()
    short = re.sub(r"[^0-9A-Za-z]", "", session_id)[:8] or uuid.uuid4().hex[:8]
    return (root or sessions_root()) / f"{started:%Y%m%d-%H%M%S}-{short}"


def holds_recording(folder: Path) -> bool:
    """Whether `folder` already holds a session's recording (a new one must not be mixed into it)."""
    events = folder / EVENTS_FILE
    return (folder / MANIFEST_FILE).exists() or (events.exists() and events.stat().st_size > 0)


def writable_problem(folder: Path) -> str | None:
    """Why a recording could not be written under `folder`, or None when it can.

    Tried for real (the folder made if need be, a file written and removed, and any folder this
    made removed again): permissions say little to root or on a read-only or full file system.
    """
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    probe = folder / f".write-test-{uuid.uuid4().hex[:8]}"
    try:
        if folder.exists() and not folder.is_dir():
            return "it is a file, not a folder"
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"\0")
        probe.unlink()
    except OSError as error:
        return (error.strerror or type(error).__name__).lower()
    finally:
        for made in missing:  # deepest first
            with contextlib.suppress(OSError):
                made.rmdir()
    return None


def segment_path(folder: Path, index: int) -> Path:
    return folder / SEGMENTS_DIR / f"{index:06d}.webm"


@dataclass(frozen=True, slots=True)
class EventLog:
    events: list[SessionEvent]
    corrupt_lines: int
    """Lines that were not an event (a crash mid-line, a hand edit, a kind unknown here): skipped."""
    unknown_kinds: dict[str, int] = field(default_factory=dict)
    """Of those, the lines of a kind this version does not know (a newer one wrote them), by kind."""
    torn_last_line: bool = False
    """The file ends inside a line: the writer stopped half-way through it."""


def read_events(folder: Path) -> EventLog:
    events: list[SessionEvent] = []
    corrupt = 0
    unknown: Counter[str] = Counter()
    torn = False
    with open(folder / EVENTS_FILE, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                events.append(parse_event(line))
            except ValidationError:
                corrupt += 1
                torn = not line.endswith(b"\n")
                kind = _kind_of(line)
                if kind is not None and kind not in EVENT_KINDS:
                    unknown[kind] += 1
                log.warning("%s line %d is not an event; skipped", folder / EVENTS_FILE, number)
    return EventLog(events, corrupt, dict(unknown), torn)


def _kind_of(line: bytes) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None
