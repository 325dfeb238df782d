"""`DesktopController`: the main window wired to sessions, on the Qt main thread.

The window only renders and reports; this class turns its requests into `SessionController`
calls on the qasync loop, and feeds it back on two steady timers, as Friture's widgets are fed:
the newest preview frame at the camera's rate (older frames are dropped, never queued) and the
timeline's snapshot and the pipeline's status a few times a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from app.desktop.background_tasks import BackgroundTasks
from app.desktop.device_listing import list_devices
from app.desktop.pipeline_status import device_after, microphone_at_start, pipeline_status
from app.desktop.screen_overlap import PREVIEW_CAPTURED, preview_captured
from app.desktop.session_setup import config_from_choices
from app.model.events import (
    AnalysisReached,
    CaptureProblem,
    ConnectionChanged,
    EngagementChanged,
    QualityReceived,
    ResultReceived,
    SessionEvent,
    SignalChanged,
)
from app.model.server_url import ApiVersion
from app.model.versions import LibraryVersions
from app.model.view_state import FILE_CAMERA_PREFIX, DeviceStatus, PipelineStatus, SessionState
from app.session.config import SessionConfig
from app.session.controller import BackendUnavailable, SessionController
from app.store.keystore import KeyStore
from app.store.settings import Settings, save_settings
from capture.media import CaptureError
from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

SNAPSHOT_INTERVAL_MS = 250
_RESULTS = (ResultReceived, EngagementChanged, SignalChanged, QualityReceived, AnalysisReached)
SCREEN_SOURCES = ("screen", "window", "region")
PICTURE_SOURCES = ("camera", "file", "synthetic", *SCREEN_SOURCES)


class DesktopController(QObject):
    def __init__(
        self, window: MainWindow, settings: Settings, key_store: KeyStore, versions: LibraryVersions
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.key_store = key_store
        self.versions = versions
        """The libraries this process runs on, for every session's `session.json` and the About box."""
        self.session: SessionController | None = None
        self.state: SessionState = "idle"
        self.camera_choice = settings.camera
        self.microphone_choice = settings.microphone
        self.force_local = False
        self.api_choice: ApiVersion | None = None
        """A version the command line asked for (`--api`), over the setting."""
        self.model_choice: str | None = None
        """A v2 model the command line asked for (`--model`), over the setting."""
        self.force_local_only = False
        """`--local-only`: local-only mode for this run, whatever Settings say."""
        self.paused = False
        """The user's privacy choice: it holds across sessions until they resume sending."""
        self.closed = asyncio.Event()
        """Set once the window was closed and the session it ran has drained."""
        self.settings_flow: object | None = None
        self.last_recording: Path | None = None
        """The folder of the session that stopped last, for "Review this session"."""
        self.consent: Callable[[SessionConfig], Awaitable[bool]] | None = None
        """Asks the user to agree to what a session will capture and send; None starts without asking."""
        self._stop_after_start = False
        self._closing = False
        self._starting: asyncio.Future[object] | None = None
        self._camera = DeviceStatus("Camera", "off")
        self._microphone = DeviceStatus("Microphone", "off", source="microphone")
        self._tasks = BackgroundTasks("a session task", lambda text: self.window.show_problem(text))
        self._refresh_pending = False
        self._credential = key_store.credential()
        self._frames = QTimer(self)
        self._frames.timeout.connect(self._show_frame)
        self._snapshots = QTimer(self)
        self._snapshots.setInterval(SNAPSHOT_INTERVAL_MS)
        self._snapshots.timeout.connect(self.refresh)
        window.start_requested.connect(self.start)
        window.stop_requested.connect(self.stop)
        window.pause_toggled.connect(self._pause)
        window.stop_now_requested.connect(self.stop_now)
        window.retry_requested.connect(self.retry_now)
        window.local_requested.connect(self.use_local)
        window.camera_chosen.connect(self._camera_chosen)
        window.file_chosen.connect(lambda path: self._camera_chosen(FILE_CAMERA_PREFIX + path))
        window.microphone_chosen.connect(self._microphone_chosen)
        window.picture_box_changed.connect(self._fit_preview)
        self.refresh()

    # -- devices --------------------------------------------------------------------------------

    def show_devices(self) -> None:
        cameras, microphones = list_devices()
        idle = self.state == "idle"  # a running session's source is there, whatever the list says
        if idle and self.camera_choice.isdigit() and not any(c.id == self.camera_choice for c in cameras):
            self._camera = DeviceStatus("Camera", "missing", "No camera found. Connect one and press Start.")
        self.window.set_devices(cameras, microphones, self.camera_choice, self.microphone_choice)
        self.refresh()

    def _camera_chosen(self, choice: str) -> None:
        self.camera_choice = choice
        if self._camera.state == "missing":
            self._camera = DeviceStatus("Camera", "off")
        self._remember(camera=choice)
        for source in PICTURE_SOURCES:  # said of the camera given up on
            self.window.clear_problem(source)
        self.refresh()

    def _microphone_chosen(self, choice: str) -> None:
        self.microphone_choice = choice
        self._remember(microphone=choice)

    def _remember(self, **choices: str) -> None:
        """The toolbar's choice is the settings' choice: saved, so the next launch starts on it."""
        self.settings = self.settings.model_copy(update=choices)
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("the source choice could not be saved: %s", error)

    def prune_recordings(self) -> None:
        """Delete recordings older than the retention setting, off the main thread."""
        from app.session.retention import prune_sessions

        days = self.settings.retention_days
        if days > 0:
            self._tasks.spawn(asyncio.to_thread(prune_sessions, self.settings.recording_folder, days))

    # -- sessions -------------------------------------------------------------------------------

    def refresh_credential(self) -> None:
        """Read the key again (after Settings saved one). Not per status update: a keyring lookup
        can be a D-Bus round trip, or even an unlock prompt."""
        self._credential = self.key_store.credential()

    def session_config(self) -> SessionConfig:
        self.refresh_credential()
        return config_from_choices(
            self.settings,
            camera=self.camera_choice,
            microphone=self.microphone_choice,
            cloud=self._wants_cloud(),
            api_choice=self.api_choice,
            model_choice=self.model_choice,
            local_only=self.local_only,
        )

    @property
    def local_only(self) -> bool:
        return self.settings.local_only or self.force_local_only

    def _wants_cloud(self) -> bool:
        return (
            self.settings.backend == "cloud"
            and self._credential is not None
            and not self.force_local
            and not self.local_only
        )

    def start(self) -> None:
        if self.state != "idle" or (self._starting is not None and not self._starting.done()):
            return
        self._starting = self._tasks.spawn(self._start())

    def stop(self) -> None:
        if self.state == "starting":
            self._stop_after_start = True  # `_start` stops it as soon as it stands
        elif self.state == "running":
            self._tasks.spawn(self.stop_session())

    def stop_now(self) -> None:
        """Stop without waiting for answers: the card's "Stop now", Stop pressed while finishing."""
        if self.session is not None and self.state in ("running", "stopping"):
            self.session.cut_drain()
        self.stop()

    def retry_now(self) -> None:
        if self.session is not None and not self.session.retry_now():
            log.info("retry asked for, but no reconnection was pending")

    def use_local(self) -> None:
        """Leave a server that cannot be reached: stop now, start again on Local analysis."""
        self._tasks.spawn(self._restart_locally())

    async def _restart_locally(self) -> None:
        if self.session is not None:
            self.session.cut_drain()
        await self.stop_session()
        self.force_local = True
        log.info("switching to Local analysis, as asked")
        self.start()

    async def close(self) -> None:
        """The window closed: drain the session, then let the app end. Closed again meanwhile, it
        stops at once."""
        if self._closing:
            self.stop_now()
            return
        self._closing = True
        if self._starting is not None and not self._starting.done():
            self._stop_after_start = True
            await asyncio.wait({self._starting})
        await self.stop_session()
        self.closed.set()

    async def _start(self) -> None:
        self._stop_after_start = False
        config = self.session_config()
        if self.consent is not None and not await self.consent(config):
            return
        session = SessionController(config, credential=self._credential, versions=self.versions)
        session.add_listener(self._on_event)
        session.preview.fit_within(*self.window.picture_box())
        self.session = session
        self._set_state("starting")
        self.window.offer_review(False)
        self._camera = DeviceStatus(config.source.describe(), "starting", source=config.source.kind)
        self._microphone = microphone_at_start(config)
        self.window.clear_frame()
        self.window.clear_problem()  # what went wrong before this start is for it to say again
        try:
            await session.start()
        except (CaptureError, BackendUnavailable) as error:
            log.warning("the session could not start: %s", error)
            source = error.source if isinstance(error, CaptureError) else "analysis"
            if source in PICTURE_SOURCES:
                self._camera = replace(self._camera, state="missing", message=str(error))
            self.window.show_problem(str(error), source=source)
            self.session = None
            self._set_state("idle")
            return
        session.paused = self.paused
        self._camera = replace(self._camera, state="ok", message="")
        if self._microphone.state == "starting":  # else it reported itself missing meanwhile
            self._microphone = replace(self._microphone, state="ok")
        self._set_state("running")
        if self._stop_after_start:
            await self.stop_session()
            return
        self._frames.start(max(10, int(1000 / config.capture.fps)))
        self._tasks.spawn(self._stop_when_ended(session))
        if preview_captured(config.source, self.window):
            self.window.show_problem(PREVIEW_CAPTURED)

    async def _stop_when_ended(self, session: SessionController) -> None:
        await session.ended.wait()
        if session is self.session and self.state == "running":
            log.info("the session ended by itself (%s)", session.end_reason)
            # Its last segments are worth a reconnection; "Stop now" cuts that short.
            await self.stop_session(wait_for_reconnect=True)

    async def stop_session(self, *, wait_for_reconnect: bool = False) -> None:
        """Stop the running session: the last segment goes out, the uplink drains (unless the
        connection is down), the recording closes."""
        session = self.session
        if session is None or self.state == "idle":
            return
        if self.state == "stopping":  # already under way: wait for the same stop
            await session.stop()
            return
        self._set_state("stopping")
        self._frames.stop()
        try:
            summary = await session.stop(wait_for_reconnect=wait_for_reconnect)
            log.info("session stopped: %s", summary.model_dump(exclude={"wall"}))
        finally:
            self.refresh()
            self._camera = replace(self._camera, state="off", message="")
            self._microphone = replace(self._microphone, state="off", message="")
            self._set_state("idle")
            self.last_recording = session.recording_folder
            self.window.offer_review(session.recording_folder is not None)

    def _pause(self, paused: bool) -> None:
        self.paused = paused
        if self.session is not None:
            self.session.paused = paused
        self.refresh()

    # -- feeding the window -----------------------------------------------------------------------

    def _fit_preview(self, width: int, height: int) -> None:
        # The source's thread fits each frame to the preview, so that painting it is a copy.
        if self.session is not None:
            self.session.preview.fit_within(width, height)

    def _show_frame(self) -> None:
        if self.session is None:
            return
        frame = self.session.preview.take()
        if frame is not None:
            self.window.set_frame(frame.image)

    def refresh(self) -> None:
        session = self.session
        if session is not None:
            self.window.set_snapshot(session.timeline.snapshot(session.now()))
        self.window.set_status(self.status())

    def status(self) -> PipelineStatus:
        return pipeline_status(
            self.session,
            self.state,
            paused=self.paused,
            camera=self._camera,
            microphone=self._microphone,
            api_key_configured=self._credential is not None,
            cloud_wanted=self._wants_cloud(),
        )

    def _set_state(self, state: SessionState) -> None:
        self.state = state
        if state == "idle":
            self._snapshots.stop()
        elif not self._snapshots.isActive():
            self._snapshots.start()
        self.refresh()

    def _on_event(self, event: SessionEvent) -> None:
        if isinstance(event, _RESULTS) and not self._refresh_pending:
            # A result is shown as soon as it arrives, not at the next tick: the tick alone would
            # add up to its interval to how far behind live the feedback on screen is.
            self._refresh_pending = True
            QTimer.singleShot(0, self._refresh_for_result)
        match event:
            case CaptureProblem(source="camera" | "file" | "synthetic" | "screen" | "window" | "region"):
                self._camera = device_after(self._camera, event)
                self._problem_news(event)
            case CaptureProblem(source="microphone" | "meeting audio"):
                self._microphone = device_after(self._microphone, event)
                self._problem_news(event)
            case CaptureProblem(level="warning" | "error"):
                self.window.show_problem(event.message, source=event.source)
            case ConnectionChanged(state="auth_rejected"):
                self.window.show_problem(
                    f"{event.detail} Open Settings to check your API key.", source="connection"
                )

    def _problem_news(self, event: CaptureProblem) -> None:
        # Errors reach the window through the timeline's problem; warnings are said here, and
        # both are taken back when the device reports it is fine again.
        if event.level == "warning":
            self.window.show_problem(event.message, source=event.source)
        elif event.level == "info":
            self.window.clear_problem(event.source)

    def _refresh_for_result(self) -> None:
        self._refresh_pending = False
        if self.state != "idle":
            self.refresh()
