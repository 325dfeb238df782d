"""One past session's folder, read without changing it: its manifest, events and segment files.

Whatever the folder's state it reads what it can and says what it could not, one short note each:
a torn last line, kinds of events this version does not know, a manifest from a newer format,
segment files missing, unreadable or left half-written (`.part`). Only a folder that holds neither
`session.json` nor `events.jsonl` is refused, with `NotASessionFolder`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.model.coverage_gaps import Gap
from app.model.events import SegmentClosed
from app.model.library import ListingFigures, SessionEntry, session_entry
from app.model.session_review import SessionReview, review_session
from app.session.manifest import MANIFEST_FORMAT
from app.session.recording_folder import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SEGMENTS_DIR,
    EventLog,
    read_events,
    segment_path,
)

log = logging.getLogger(__name__)

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
LOCAL_BACKEND = "Local analysis"
_API_IN_PATH = re.compile(r"/(v\d+)/")


class NotASessionFolder(ValueError):
    """The folder holds no recording; the message says so in one line."""


class ManifestFacts(BaseModel):
    """`session.json` read leniently: every field may be missing, unknown ones are ignored, so a
    folder written by an earlier or a later version still shows what it has."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: int | None = None
    session_id: str | None = None
    app_version: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    source: str | None = None
    server_url: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    versions: dict[str, Any] = Field(default_factory=dict)
    title: str | None = None
    listing: ListingFigures | None = None


@dataclass(frozen=True, slots=True)
class SegmentFile:
    index: int
    path: Path
    size: int


def is_session_folder(path: Path) -> bool:
    return path.is_dir() and ((path / MANIFEST_FILE).is_file() or (path / EVENTS_FILE).is_file())


@dataclass(frozen=True)
class SessionFolder:
    path: Path
    manifest: ManifestFacts
    events: EventLog
    segments: list[SegmentFile]
    half_written: list[str]
    """Segment files still named `.part`: the recorder never finished them."""
    notes: list[str]
    manifest_readable: bool

    @property
    def ended_unexpectedly(self) -> bool:
        return (
            not self.manifest_readable
            or self.manifest.ended_at is None
            or bool(self.half_written)
            or self.events.torn_last_line
        )

    @property
    def started_at(self) -> datetime | None:
        if self.manifest.started_at is not None:
            return self.manifest.started_at
        first = self.events.events[0] if self.events.events else None
        return None if first is None else first.wall

    @property
    def title(self) -> str:
        return _title(self.path, self.manifest, self.started_at)

    @property
    def backend(self) -> str:
        return _backend(self.manifest)

    @property
    def api_version(self) -> str:
        return _api_version(self.manifest)

    def closed_segments(self) -> list[SegmentClosed]:
        return [event for event in self.events.events if isinstance(event, SegmentClosed)]

    def media_gaps(self) -> list[Gap]:
        """Closed segments whose file is missing or does not start as a WebM file."""
        present = {segment.index: segment for segment in self.segments}
        gaps = []
        for closed in self.closed_segments():
            found = present.get(closed.index)
            if found is None:
                gaps.append(Gap(closed.t0, closed.t1, "missing_media", "segment file missing", closed.index))
            elif not _starts_as_webm(found.path):
                gaps.append(
                    Gap(closed.t0, closed.t1, "missing_media", "segment file unreadable", closed.index)
                )
        return gaps

    @cached_property
    def review(self) -> SessionReview:
        return self.review_with(())

    def review_with(self, extra_gaps: Sequence[Gap]) -> SessionReview:
        """The review with `extra_gaps` (what the joined recording found) beside the folder's own."""
        own = self.media_gaps()
        known = {gap.index for gap in own}
        gaps = [*own, *(gap for gap in extra_gaps if gap.index not in known)]
        return review_session(self.events.events, media_gaps=gaps, ended=not self.ended_unexpectedly)


def finished_entry(path: Path) -> SessionEntry | None:
    """The library's entry of a session that stopped properly, from its `session.json` alone: the
    recorder wrote the figures there at the end. None when the folder has to be read whole (an
    earlier version's, a crashed or torn one, one whose manifest does not say)."""
    notes: list[str] = []
    manifest, readable = _read_manifest(path, notes)
    figures = manifest.listing
    if not readable or notes or figures is None or manifest.ended_at is None or manifest.started_at is None:
        return None
    if not _ends_with_newline(path / EVENTS_FILE) or _has_half_written(path):
        return None
    return session_entry(
        figures,
        folder=str(path),
        name=path.name,
        title=_title(path, manifest, manifest.started_at),
        started_at=manifest.started_at,
        backend=_backend(manifest),
        api_version=_api_version(manifest),
        ended_unexpectedly=False,
        notes=(),
    )


def open_session(path: Path) -> SessionFolder:
    if not path.is_dir():
        raise NotASessionFolder(f"{path} is not a folder.")
    if not is_session_folder(path):
        raise NotASessionFolder(
            f"{path} is not a session folder: it has no {MANIFEST_FILE} or {EVENTS_FILE}."
        )
    notes: list[str] = []
    manifest, readable = _read_manifest(path, notes)
    events = _read_events(path, notes)
    segments, half_written = _segment_files(path)
    if half_written:
        notes.append(f"{len(half_written)} segment file(s) were left half-written.")
    if manifest.ended_at is None and readable:
        notes.append("The session has no end time: it ended unexpectedly.")
    return SessionFolder(path, manifest, events, segments, half_written, notes, readable)


def _read_manifest(path: Path, notes: list[str]) -> tuple[ManifestFacts, bool]:
    file = path / MANIFEST_FILE
    try:
        raw = json.loads(file.read_bytes())
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        facts = ManifestFacts.model_validate(raw)
    except FileNotFoundError:
        notes.append(f"{MANIFEST_FILE} is missing: the session's settings are unknown.")
        return ManifestFacts(), False
    except (OSError, ValueError, ValidationError) as error:
        log.warning("%s cannot be read: %s", file, error)
        notes.append(f"{MANIFEST_FILE} cannot be read: the session's settings are unknown.")
        return ManifestFacts(), False
    if facts.format is not None and facts.format > MANIFEST_FORMAT:
        notes.append(
            f"Recorded by a newer version (format {facts.format}); "
            "what this version does not know is left out."
        )
    return facts, True


def _read_events(path: Path, notes: list[str]) -> EventLog:
    try:
        events = read_events(path)
    except FileNotFoundError:
        notes.append(f"{EVENTS_FILE} is missing: there are no results to show.")
        return EventLog([], 0)
    except OSError as error:
        notes.append(f"{EVENTS_FILE} cannot be read ({error.strerror}): there are no results to show.")
        return EventLog([], 0)
    unknown = sum(events.unknown_kinds.values())
    other = events.corrupt_lines - unknown - (1 if events.torn_last_line else 0)
    if events.torn_last_line:
        notes.append("The last line of the events was cut off mid-way; it is left out.")
    if unknown:
        kinds = ", ".join(sorted(events.unknown_kinds))
        notes.append(f"{unknown} event(s) of kinds this version does not know ({kinds}) are left out.")
    if other > 0:
        notes.append(f"{other} line(s) of the events could not be read and are left out.")
    return events


def _segment_files(path: Path) -> tuple[list[SegmentFile], list[str]]:
    folder = path / SEGMENTS_DIR
    segments: list[SegmentFile] = []
    half_written: list[str] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return [], []
    for entry in entries:
        if entry.name.endswith(".part"):
            half_written.append(entry.name)
            continue
        if entry.suffix != ".webm" or not entry.stem.isdigit():
            continue
        index = int(entry.stem)
        if entry != segment_path(path, index):
            continue
        try:
            segments.append(SegmentFile(index, entry, entry.stat().st_size))
        except OSError:
            continue
    return segments, half_written


def _starts_as_webm(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(EBML_MAGIC)) == EBML_MAGIC
    except OSError:
        return False


def _title(path: Path, manifest: ManifestFacts, started: datetime | None) -> str:
    if manifest.title and manifest.title.strip():
        return manifest.title.strip()
    return path.name if started is None else f"Session of {started.astimezone():%a %d %b %Y, %H:%M}"


def _backend(manifest: ManifestFacts) -> str:
    url = manifest.server_url or str(manifest.settings.get("url", ""))
    if not url or url == "local":
        return LOCAL_BACKEND
    host = re.sub(r"^\w+://", "", url).split("/", 1)[0]
    return host or url


def _api_version(manifest: ManifestFacts) -> str:
    for name in ("api", "api_version"):
        chosen = manifest.settings.get(name)
        if isinstance(chosen, str) and chosen:
            return chosen
    found = _API_IN_PATH.search(manifest.server_url or "")
    # Every version before the API choice existed spoke v0.
    return found.group(1) if found else "v0"


def _has_half_written(path: Path) -> bool:
    """Whether a segment file was left `.part` (names only: a long session has hundreds of files)."""
    try:
        return any(name.endswith(".part") for name in os.listdir(path / SEGMENTS_DIR))
    except OSError:
        return False


def _ends_with_newline(path: Path) -> bool:
    """Whether the file's last line is whole (an empty file counts as whole)."""
    try:
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            if size == 0:
                return True
            file.seek(size - 1)
            return file.read(1) == b"\n"
    except OSError:
        return False
