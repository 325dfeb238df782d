"""`SessionController`: one session from Start to Stop: capture → encoder → recorder + uplink → timeline.

It runs on the asyncio loop (qasync's, on the Qt main thread, in the app and in `stream`) and
knows nothing of widgets. Work that may block (opening a camera, joining threads, flushing the
encoder) goes through `asyncio.to_thread`; whatever the worker threads report reaches the loop
through `call_soon_threadsafe`. Everything that happens becomes a `SessionEvent`, handed to the
recorder, the timeline and the listeners, in that order.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from app.model.error_codes import classify_error
from app.model.events import (
    CaptureProblem,
    SegmentError,
    SegmentSkipped,
    SendingPaused,
    SessionEvent,
    SessionSummary,
)
from app.model.local_only import url_refusal
from app.model.timeline import SessionTimeline
from app.model.versions import LibraryVersions
from app.session.capture_pipeline import CapturePipeline
from app.session.config import EndReason, SessionConfig
from app.session.cue_lag import CueLagSampler
from app.session.thread_hop import on_loop
from app.store.keystore import Credential
from capture.fanout import AudioLevel, LatestFrame
from capture.media import CaptureError, Segment, SessionClock

if TYPE_CHECKING:
    # The session imports these when it first needs them; here they are only types.
    from app.analyzer.embedded import EmbeddedAnalyzer
    from app.session.manifest import SessionManifest
    from app.session.recorder import SessionRecorder
    from app.uplink import Uplink
    from app.uplink.failures import UplinkFailure

log = logging.getLogger(__name__)

LEAVE_LOCAL_ONLY = "turn local-only mode off"


class SessionController:
    def __init__(
        self, config: SessionConfig, *, credential: Credential | None, versions: LibraryVersions
    ) -> None:
        """`versions` go into `session.json`: the caller reads them, as only it may import Qt."""
        self.config = config
        self.versions = versions
        self.session_id = str(uuid.uuid4())
        self.timeline = SessionTimeline()
        self.preview = LatestFrame()
        self.level = AudioLevel()
        self.clock = SessionClock()
        self.end_reason: EndReason | None = None
        self.ended = asyncio.Event()
        self.stopped_at: float | None = None
        """Session time when the session stopped; None while it runs."""
        self.recording_folder: Path | None = None
        self._credential = credential
        self._listeners: list[Callable[[SessionEvent], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._capture: CapturePipeline | None = None
        self._uplink: Uplink | None = None
        self._recorder: SessionRecorder | None = None
        self._analyzer: EmbeddedAnalyzer | None = None
        self._duration_timer: asyncio.TimerHandle | None = None
        self._uplink_watch: asyncio.Future[None] | None = None
        self._cue_lag = CueLagSampler(self.timeline, lambda: self.clock.now())
        self._stopped: asyncio.Future[SessionSummary] | None = None

    # -- listening -------------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[SessionEvent], None]) -> None:
        """`listener` gets every event, on the loop thread, after the recorder and the timeline."""
        self._listeners.append(listener)

    def emit(self, event: SessionEvent) -> None:
        if self._recorder is not None:
            self._recorder.record(event)
        self.timeline.apply(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("a session listener failed on %s", event.kind)

    # -- start and stop --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start capture first, then the backend and the uplink.

        Raises `CaptureError` if the picture cannot be captured and `BackendUnavailable` if the
        local analyzer cannot start or local-only mode refuses the server; everything started is
        undone then, and a recording folder this session created holds nothing worth keeping, so
        it goes too.
        """
        from app.session.recorder import SessionRecorder
        from app.session.recording_folder import default_session_folder

        self._loop = asyncio.get_running_loop()
        config = self.config
        refusal = (
            url_refusal(config.url, how_to_leave=LEAVE_LOCAL_ONLY) if config.backend == "cloud" else None
        )
        if config.local_only and refusal:
            raise BackendUnavailable(refusal)  # before anything is captured or written
        folder = None
        if config.record:
            folder = config.record_dir or default_session_folder(self.session_id, root=config.record_root)
            self._recorder = SessionRecorder(
                folder,
                self._manifest(config.url),
                on_problem=self._from_thread(lambda message: self._warn("recording", message)),
                on_warning=self._from_thread(lambda message: self._warn("recording", message)),
            )
            self._recorder.open()
            self.recording_folder = folder
        self.clock = SessionClock()
        self._capture = CapturePipeline(
            config,
            self.clock,
            self._loop,
            preview=self.preview,
            level=self.level,
            emit=self.emit,
            warn=self._warn,
            end=self._end,
            on_segment=self._segment_closed,
        )
        try:
            await self._capture.start()
            url, key = await self._start_backend()
        except (CaptureError, BackendUnavailable) as error:
            self.emit(
                CaptureProblem(
                    t=self.clock.now(), source=_source_of(error), level="error", message=str(error)
                )
            )
            await self.stop()
            if folder is not None and config.record_dir is None:
                await asyncio.to_thread(shutil.rmtree, folder, True)
                self.recording_folder = None
            raise
        self._start_uplink(url, key)
        self._cue_lag.start()
        if config.duration_s is not None and config.source.kind in ("camera", "screen", "window", "region"):
            self._duration_timer = self._loop.call_later(config.duration_s, self._end, "duration")
        log.info("session %s started: %s → %s", self.session_id, config.source, config.backend)

    async def stop(self, *, wait_for_reconnect: bool = False) -> SessionSummary:
        """Stop capture, send the last segment, drain the uplink, close the recording. Idempotent.

        While the connection is down the stop does not wait for it to come back, unless
        `wait_for_reconnect` (a session that ended by itself, not at the user's word)."""
        if self._stopped is None:
            self._stopped = asyncio.ensure_future(self._stop(wait_for_reconnect))
        return await asyncio.shield(self._stopped)

    def cut_drain(self) -> None:
        """Stop waiting for answers now (Stop pressed again, a second Ctrl-C, Quit while finishing)."""
        if self._uplink is not None:
            self._uplink.cut_drain()

    def retry_now(self) -> bool:
        """Reconnect without waiting out the backoff; False when no reconnection is pending."""
        return self._uplink is not None and self._uplink.retry_now()

    def now(self) -> float:
        """Session time, held at the moment the session stopped once it has."""
        return self.stopped_at if self.stopped_at is not None else self.clock.now()

    async def _stop(self, wait_for_reconnect: bool) -> SessionSummary:
        if self._duration_timer is not None:
            self._duration_timer.cancel()
        if self._uplink_watch is not None:
            self._uplink_watch.cancel()
        await self._cue_lag.stop()
        unsent_tail_s = 0.0 if self._capture is None else await self._capture.stop()
        if self._uplink is not None:
            await self._uplink.stop(wait_for_reconnect=wait_for_reconnect)
        summary = self._summary(unsent_tail_s)
        self.stopped_at = summary.t
        self.emit(summary)
        if self._recorder is not None:
            await asyncio.to_thread(self._recorder.close, summary)
        if self._analyzer is not None:
            await asyncio.to_thread(self._analyzer.stop)
        self._end("stopped")
        return summary

    def encoder_load(self) -> float | None:
        """Encoding wall time per media second so far (1.0: only just keeping up); None before a segment."""
        return None if self._capture is None else self._capture.encoder_load()

    @property
    def uplink_failure(self) -> UplinkFailure | None:
        """Why the uplink gave up (`AuthRejected`, `ConnectFailed`, …), or None."""
        return None if self._uplink is None else self._uplink.failure

    @property
    def paused(self) -> bool:
        return self._uplink is not None and self._uplink.paused

    @paused.setter
    def paused(self, value: bool) -> None:
        if self._uplink is not None and value != self._uplink.paused:
            self._uplink.paused = value
            self.emit(SendingPaused(t=self.clock.now(), paused=value))

    # -- internals -------------------------------------------------------------------------------

    async def _start_backend(self) -> tuple[str, str | None]:
        """The URL to stream to and the credential to send. Segments wait in the encoder meanwhile:
        the first closes seconds after capture starts."""
        if self.config.backend == "cloud":
            from app.uplink.handshake import credential_problem

            key = None if self._credential is None else self._credential.value
            problem = credential_problem(key, in_subprotocol=self.config.credential_in_subprotocol)
            if problem:
                raise BackendUnavailable(problem)
            return self.config.url, key
        from app.analyzer.embedded import AnalyzerStartError, EmbeddedAnalyzer

        # A key of its own keeps other local programs off the embedded server.
        key = secrets.token_urlsafe(24)
        self._analyzer = EmbeddedAnalyzer(key=key)
        try:
            url = await asyncio.to_thread(self._analyzer.start)
        except AnalyzerStartError as error:
            raise BackendUnavailable(f"Local analysis could not start: {error}") from error
        return url, key

    def _start_uplink(self, url: str, key: str | None) -> None:
        from app.uplink import Uplink, UplinkConfig

        assert self._capture is not None  # capture starts first
        config = self.config
        self._uplink = Uplink(
            UplinkConfig(
                url=url,
                include=config.include,
                credential_in_subprotocol=config.credential_in_subprotocol,
                connect_attempts=config.connect_attempts,
                api=config.api,
                model=config.model,
                goal_dimensions=config.goal_dimensions,
                local_delivery=config.backend == "local",
            ),
            credential=key,
            session_id=self.session_id,
            clock=self.clock,
            on_event=self._uplink_event,
            live_stream=self._capture.encoder,
        )
        self._uplink.start()
        self._uplink_watch = asyncio.ensure_future(self._watch_uplink(self._uplink))

    def _manifest(self, url: str) -> SessionManifest:
        from app.session.manifest import build_manifest

        return build_manifest(self.session_id, self.config, url, self.versions)

    def _from_thread(self, callback: Callable[..., None]) -> Callable[..., None]:
        assert self._loop is not None
        return on_loop(self._loop, callback)

    def _segment_closed(self, segment: Segment) -> None:
        if self._recorder is not None and self.config.record_media:
            self._recorder.write_segment(segment)
        if self._uplink is not None:
            self._uplink.submit(segment)
        else:  # the backend failed to start and the session is stopping
            self.emit(
                SegmentSkipped(
                    t=self.clock.now(),
                    index=segment.index,
                    reason="not_sent",
                    detail="no server to send it to",
                )
            )

    def _uplink_event(self, event: SessionEvent) -> None:
        self.emit(event)
        too_large = isinstance(event, SegmentError) and classify_error(event.error_id) == "too_large"
        if too_large and self._capture is not None:
            self._capture.lower_bitrate()

    async def _watch_uplink(self, uplink: Uplink) -> None:
        failure = await uplink.wait_failed()
        log.info("the session ends: the uplink gave up (%s)", failure)
        self._end("uplink_failed")

    def _warn(self, source: str, message: str) -> None:
        # The event is how the user hears of it (window, progress lines); the log keeps a copy.
        log.info("%s: %s", source, message)
        self.emit(CaptureProblem(t=self.clock.now(), source=source, level="warning", message=message))

    def _end(self, reason: EndReason) -> None:
        if self.end_reason is None:
            self.end_reason = reason
        self.ended.set()

    def _summary(self, unsent_tail_s: float) -> SessionSummary:
        p50, p95 = self._cue_lag.percentiles()
        return SessionSummary(
            t=self.clock.now(),
            unsent_tail_s=round(unsent_tail_s, 3),
            cue_lag_p50_s=p50,
            cue_lag_p95_s=p95,
            **asdict(self.timeline.counts),
        )


class BackendUnavailable(Exception):
    """The analysis backend cannot be reached at all at start (the local analyzer did not start)."""


def _source_of(error: Exception) -> str:
    if isinstance(error, CaptureError):
        return error.source or "capture"
    return "analysis"
