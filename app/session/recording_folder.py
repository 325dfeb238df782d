"""A session's folder: where it goes, what its files are called, and reading its events back."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from app.model.events import SessionEvent, parse_event
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


def segment_path(folder: Path, index: int) -> Path:
    return folder / SEGMENTS_DIR / f"{index:06d}.webm"


@dataclass(frozen=True, slots=True)
class EventLog:
    events: list[SessionEvent]
    corrupt_lines: int
    """Lines that were not an event (a crash mid-line, a hand edit): skipped."""


def read_events(folder: Path) -> EventLog:
    events: list[SessionEvent] = []
    corrupt = 0
    with open(folder / EVENTS_FILE, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                events.append(parse_event(line))
            except ValidationError:
                corrupt += 1
                log.warning("%s line %d is not an event; skipped", folder / EVENTS_FILE, number)
    return EventLog(events, corrupt)
