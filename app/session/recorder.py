"""`SessionRecorder`: a session's folder on disk — its segments, `events.jsonl` and `session.json`.

Every write happens on the recorder's own thread, fed through a bounded queue, so neither the Qt
thread nor the asyncio loop ever waits for the disk. Each event is appended and flushed as it
comes and each segment lands under its final name only once complete, so a crash loses at most
the segment being written. A full disk or an unwritable folder stops the recording, never the
session: the problem is reported once (log and `on_problem`) and later writes are dropped. With
`on_warning`, a `DiskWatch` warns while the disk is filling up and stops writing segments before
it is full, the last one whole; the events go on into the space kept in reserve for them.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.model.events import Event, SessionSummary, event_json, wall_now
from app.model.library import listing_figures
from app.model.session_review import review_session
from app.session.disk_watch import DiskWatch
from app.session.manifest import SessionManifest
from app.session.recording_folder import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SEGMENTS_DIR,
    holds_recording,
    read_events,
    segment_path,
)
from capture.media import Segment

log = logging.getLogger(__name__)

MAX_PENDING_JOBS = 10_000
MAX_PENDING_BYTES = 256 * 1024 * 1024
"""Segment bytes waiting for the disk; beyond this the disk is too slow and segments are dropped."""


@dataclass(frozen=True, slots=True)
class _Job:
    run: Callable[[], None]
    data: bool = True
    """An event or a segment: counted as dropped when it cannot be written."""


class SessionRecorder:
    def __init__(
        self,
        folder: Path,
        manifest: SessionManifest,
        *,
        on_problem: Callable[[str], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        """`on_problem` gets one short sentence for the user, on the recorder's thread, once per
        problem; `on_warning` gets the disk's forecasts ("Disk full in about 7 min")."""
        self.folder = folder
        self.manifest = manifest
        self.problem: str | None = None
        self.segments_stopped: str | None = None
        """Why segments are no longer written (the disk nearly full) while the events still are."""
        self._disk = None if on_warning is None else DiskWatch(folder, on_warning)
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
            if self.problem is not None or self.segments_stopped is not None:
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
        path = segment_path(self.folder, segment.index)
        part = path.with_suffix(".webm.part")
        try:
            if self.segments_stopped is not None:
                with self._lock:
                    self.dropped += 1
                return
            if self._disk is not None and not self._disk.may_write(segment.size_bytes):
                self._stop_segments()
                return
            with open(part, "wb") as out:
                out.write(segment.data)
            part.replace(path)
        except OSError:
            part.unlink(missing_ok=True)  # never half a segment on disk
            raise
        finally:
            with self._lock:
                self._pending_bytes -= segment.size_bytes
        if self._disk is not None:
            self._disk.wrote(segment.size_bytes)

    def _finish(self, summary: SessionSummary | None) -> None:
        if self._events is not None:
            self._events.flush()
            os.fsync(self._events.fileno())
        # Worked out once here, from the events as written, so that the library lists the session
        # from this file alone (replaying a long session's events takes a fraction of a second).
        try:
            figures = listing_figures(review_session(read_events(self.folder).events))
        except OSError as error:
            log.warning("cannot read the events back for the library: %s", error)
            figures = None
        update = {"ended_at": wall_now(), "summary": summary, "listing": figures}
        self.manifest = self.manifest.model_copy(update=update)
        self._write_manifest()

    def _write_manifest(self) -> None:
        path = self.folder / MANIFEST_FILE
        part = path.with_suffix(".json.part")
        part.write_text(self.manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        part.replace(path)

    def _stop_segments(self) -> None:
        with self._lock:
            self.dropped += 1
        self.segments_stopped = (
            "The disk is almost full, so recording stopped; the last segment is complete and "
            "streaming goes on. Free some space, then start a new session to record again."
        )
        log.warning("%s", self.segments_stopped)
        self._report(self.segments_stopped)

    def _report(self, message: str) -> None:
        if self._on_problem is not None:
            try:
                self._on_problem(message)
            except Exception:
                log.exception("the recorder's problem listener failed")

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
        self._report(self.problem)
