"""`SessionRecorder`: a session's folder on disk — its segments, `events.jsonl` and `session.json`.

Every write happens on the recorder's own thread, fed through a bounded queue, so neither the Qt
thread nor the asyncio loop ever waits for the disk. Each event is appended and flushed as it
comes and each segment lands under its final name only once complete, so a crash loses at most
the segment being written. A full disk or an unwritable folder stops the recording, never the
session: the problem is reported once (log and `on_problem`) and later writes are dropped.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from app.events import Event, SessionEvent, SessionSummary, event_json, parse_event, wall_now
from app.manifest import SessionManifest
from app.manifest import build_manifest as build_manifest  # re-exported for the session controller
from app.paths import sessions_root
from capture.media import Segment

log = logging.getLogger(__name__)

EVENTS_FILE = "events.jsonl"
MANIFEST_FILE = "session.json"
SEGMENTS_DIR = "segments"
MAX_PENDING_JOBS = 10_000
MAX_PENDING_BYTES = 256 * 1024 * 1024
"""Segment bytes waiting for the disk; beyond this the disk is too slow and segments are dropped."""
_SESSION_NAME = re.compile(r"^\d{8}-\d{6}-[0-9A-Za-z]+$")


@dataclass(frozen=True, slots=True)
class _Job:
    run: Callable[[], None]
    data: bool = True
    """An event or a segment: counted as dropped when it cannot be written."""


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


class SessionRecorder:
    def __init__(
        self,
        folder: Path,
        manifest: SessionManifest,
        *,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        """`on_problem` gets one short sentence for the user, on the recorder's thread, at most once."""
        self.folder = folder
        self.manifest = manifest
        self.problem: str | None = None
        self.dropped = 0
        """Events and segments not written: after a problem, or while the disk could not keep up."""
        self._on_problem = on_problem
        self._jobs: queue.Queue[_Job | None] = queue.Queue(MAX_PENDING_JOBS)
        self._pending_bytes = 0
        self._lock = threading.Lock()
        self._events: IO[str] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def open(self) -> None:
        """Start the writer thread; the folder, `session.json` and `events.jsonl` are made on it."""
        if self._thread is not None:
            raise RuntimeError("a recorder opens once")
        self._thread = threading.Thread(target=self._work, name="session-recorder", daemon=True)
        self._thread.start()
        self._put(_Job(self._create, data=False))

    def record(self, event: Event) -> None:
        """Append `event` to `events.jsonl`. Never blocks."""
        self._put(_Job(lambda: self._append(event)))

    def write_segment(self, segment: Segment) -> None:
        """Write `segment` to `segments/NNNNNN.webm`. Never blocks."""
        with self._lock:
            if self.problem is not None:
                self.dropped += 1
                return
            if self._pending_bytes + segment.size_bytes > MAX_PENDING_BYTES:
                self._overflow(f"segment {segment.index}")
                return
            self._pending_bytes += segment.size_bytes
        self._put(_Job(lambda: self._save(segment)), size=segment.size_bytes)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Whether everything handed over so far reached the disk (or was given up) within `timeout_s`."""
        done = self._jobs.all_tasks_done
        with done:
            return done.wait_for(lambda: self._jobs.unfinished_tasks == 0, timeout_s)

    def close(self, summary: SessionSummary | None = None) -> None:
        """Write what is queued, finish `session.json` with the end time and `summary`, and stop the
        thread. Blocks until then: call it from a worker thread (`asyncio.to_thread`)."""
        if self._closed:
            return
        self._closed = True
        if self._thread is None:
            return
        self._jobs.put(_Job(lambda: self._finish(summary), data=False))
        self._jobs.put(None)
        self._thread.join()

    # -- the writer thread -----------------------------------------------------------------

    def _put(self, job: _Job, *, size: int = 0) -> None:
        if self._closed:
            log.debug("recorder closed: a late write is dropped")
            return
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            with self._lock:
                self._pending_bytes -= size
                self._overflow("an event")

    def _overflow(self, what: str) -> None:
        """Count a write the disk could not keep up with; called with the lock held."""
        self.dropped += 1
        if self.dropped == 1:
            log.warning("the disk cannot keep up: %s and later items may be missing from the recording", what)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    break
                if self.problem is None:
                    job.run()
                elif job.data:
                    with self._lock:
                        self.dropped += 1
            except OSError as error:
                self._stop_recording(error)
            finally:
                self._jobs.task_done()
        if self._events is not None:
            self._events.close()

    def _create(self) -> None:
        if holds_recording(self.folder):
            raise FileExistsError(errno.EEXIST, "it already holds a recording")
        (self.folder / SEGMENTS_DIR).mkdir(parents=True, exist_ok=True)
        self._write_manifest()
        self._events = open(self.folder / EVENTS_FILE, "a", encoding="utf-8")  # noqa: SIM115 - kept open

    def _append(self, event: Event) -> None:
        assert self._events is not None
        self._events.write(event_json(event) + "\n")
        self._events.flush()

    def _save(self, segment: Segment) -> None:
        try:
            path = segment_path(self.folder, segment.index)
            part = path.with_suffix(".webm.part")
            with open(part, "wb") as out:
                out.write(segment.data)
            part.replace(path)
        finally:
            with self._lock:
                self._pending_bytes -= segment.size_bytes

    def _finish(self, summary: SessionSummary | None) -> None:
        self.manifest = self.manifest.model_copy(update={"ended_at": wall_now(), "summary": summary})
        self._write_manifest()
        if self._events is not None:
            os.fsync(self._events.fileno())

    def _write_manifest(self) -> None:
        path = self.folder / MANIFEST_FILE
        part = path.with_suffix(".json.part")
        part.write_text(self.manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        part.replace(path)

    def _stop_recording(self, error: OSError) -> None:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            self.problem = "The disk is full, so recording stopped; streaming goes on. Free some space."
        else:
            self.problem = (
                f"Cannot write the recording to {self.folder} ({error.strerror or type(error).__name__}), "
                "so recording stopped; streaming goes on. Choose another folder."
            )
        log.warning("%s", self.problem)
        if self._events is not None:
            try:
                self._events.close()
            except OSError:
                log.debug("closing events.jsonl failed as well", exc_info=True)
            self._events = None
        if self._on_problem is not None:
            try:
                self._on_problem(self.problem)
            except Exception:
                log.exception("the recorder's problem listener failed")


# -- reading and pruning ------------------------------------------------------------------------


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


def load_events(folder: Path) -> list[SessionEvent]:
    """Every readable event of a recorded session, in order; unreadable lines are skipped (and logged)."""
    return read_events(folder).events


def prune_sessions(root: Path, keep_days: int, *, now: datetime | None = None) -> int:
    """Delete the session folders under `root` that started more than `keep_days` days ago.

    Only folders that look like sessions (named by `default_session_folder`, holding a
    `session.json` or `events.jsonl`) are touched. Returns how many were deleted.
    """
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed = 0
    if not root.is_dir():
        return 0
    for folder in sorted(root.iterdir()):
        if not (folder.is_dir() and _SESSION_NAME.match(folder.name)):
            continue
        started = _started_at(folder)
        if started is None or started >= cutoff:
            continue
        try:
            shutil.rmtree(folder)
        except OSError as error:
            log.warning("cannot delete the old session %s: %s", folder, error)
            continue
        removed += 1
    if removed:
        log.info("deleted %d session(s) older than %d days from %s", removed, keep_days, root)
    return removed


def _started_at(folder: Path) -> datetime | None:
    """When the session in `folder` started: `session.json` says; else the files' own time."""
    manifest = folder / MANIFEST_FILE
    try:
        return SessionManifest.model_validate_json(manifest.read_bytes()).started_at
    except (OSError, ValidationError):
        pass
    for name in (MANIFEST_FILE, EVENTS_FILE):
        try:
            return datetime.fromtimestamp((folder / name).stat().st_mtime, UTC)
        except OSError:
            continue
    return None
