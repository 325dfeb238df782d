"""`ScreenSource`: a screen, a region of one, or a window the system captures, through QtMultimedia.

Qt's capture objects live on the application's thread (they use its `QScreen`s), which needs a
`QGuiApplication`; `start` and `stop` may be called from any thread and hop there. The frames
arrive on that thread too, where they are only kept (`FramePacer.offer`): cropping, scaling and
pacing to the configured rate happen on the pacer's own thread.

A screen that changes resolution needs nothing special (every picture is fitted to the output
size as it comes); a screen unplugged mid-session is replaced by the main one.
"""

from __future__ import annotations

import logging
import sys
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtMultimedia import (
    QCapturableWindow,
    QMediaCaptureSession,
    QScreenCapture,
    QVideoFrame,
    QVideoSink,
    QWindowCapture,
)

from capture.areas import Area
from capture.frame_pacer import Captured, FramePacer, Framing, WholePicture
from capture.media import CaptureError, DeviceLost, DeviceNotFound, MediaSink, SessionClock, SourceInfo
from capture.picture_fit import PictureFit
from capture.qt_thread import call_on_qt_thread, on_qt_thread
from capture.video_frames import QtCaptured

log = logging.getLogger(__name__)

SOURCE = "screen"
NO_DISPLAY = (
    "Screen capture needs a display: run it on a desktop (on Linux with DISPLAY set), "
    "or choose a camera or a file."
)
MACOS_PERMISSION = (
    "macOS does not let Interhuman Live record the screen. Allow it in System Settings › "
    "Privacy & Security › Screen & System Audio Recording, then quit and reopen the app."
)

CaptureFault = QScreenCapture.Error | QWindowCapture.Error


def capture_error_message(error: CaptureFault, detail: str, platform: str = sys.platform) -> str:
    """What to tell the user when Qt's screen or window capture reports `error`."""
    if platform == "darwin" and error.name in ("CaptureFailed", "InternalError"):
        return MACOS_PERMISSION
    if error.name == "CapturingNotSupported":
        return "This system does not support screen capture. Choose a camera or a file."
    if error.name == "NotFound":
        return "The screen or window to capture is gone. Choose another source."
    return f"Screen capture failed ({detail or error.name}). Choose another screen or source."


def screen_areas() -> list[Area]:
    """Every screen's place on the desktop, in the order `screen:N` counts them (main thread)."""
    return [_area(screen) for screen in QGuiApplication.screens()]


HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc")
"""Qt platforms without a screen anyone looks at: capturing their virtual screen is never wanted."""


def has_display() -> bool:
    """A `QGuiApplication` on a real display (not Qt's offscreen platform)."""
    app = QCoreApplication.instance()
    return isinstance(app, QGuiApplication) and QGuiApplication.platformName() not in HEADLESS_PLATFORMS


class ScreenRegion:
    """A fixed part of the screen, given in the screen's own (logical) pixels from its top left."""

    def __init__(self, region: Area) -> None:
        self.region = region

    def area(self, captured: Captured) -> Area | CaptureError:
        full = Area(0, 0, captured.width, captured.height)
        scale = captured.width / max(1, captured.screen.width)
        inside = self.region.scaled(scale, scale).intersection(full)
        if inside is None:
            return DeviceLost(
                "The chosen region is off the screen now (the screen changed): pick the region again.",
                source="region",
            )
        return inside


class ScreenSource:
    """Screen `screen` (0 is the first `QGuiApplication.screens()` lists) or, with `window`, a window
    that the system captures itself; `framing` picks the part delivered (all of it by default)."""

    def __init__(
        self,
        screen: int = 0,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        framing: Framing | None = None,
        window: QCapturableWindow | None = None,
        name: str | None = None,
        source: str = SOURCE,
        stall_s: float = 3.0,
        start_timeout_s: float = 5.0,
    ) -> None:
        if not fps > 0:
            raise ValueError(f"fps must be positive, not {fps}")
        self.screen = screen
        self.source = source
        self.framing: Framing = framing or WholePicture()
        self._window = window
        self._size = (width, height)
        self._fps = fps
        self._stall_s = stall_s
        self._start_timeout_s = start_timeout_s
        label = name or (f"window:{window.description()}" if window is not None else f"screen:{screen}")
        self._info = SourceInfo(name=label, video=True, audio=False, width=width, height=height, fps=fps)
        self._pacer: FramePacer | None = None
        self._tap: _CaptureTap | None = None

    def info(self) -> SourceInfo:
        return self._info

    @property
    def pacer(self) -> FramePacer | None:
        return self._pacer

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        """Begin capturing. From a worker thread it returns once the first picture is in (or raises
        a `CaptureError`); on the Qt thread it cannot wait, and later problems reach the sink."""
        if self._pacer is not None:
            raise RuntimeError("ScreenSource.start called twice")
        if not has_display():
            raise DeviceNotFound(NO_DISPLAY, source=self.source)
        pacer = FramePacer(
            self.source, PictureFit(*self._size), self._fps, self.framing, stall_s=self._stall_s
        )
        self._pacer = pacer
        tap = call_on_qt_thread(lambda: _CaptureTap(pacer, self.screen, self._window))
        self._tap = tap
        pacer.start(clock, sink)
        if on_qt_thread():
            return
        deadline = time.monotonic() + self._start_timeout_s
        while not pacer.first_picture.wait(0.05):
            failure = tap.failure
            if failure is not None or time.monotonic() > deadline:
                self.stop()
                raise failure or DeviceNotFound(
                    f"The {self.source} capture sent no picture within {self._start_timeout_s:.0f} s. "
                    "Choose another source.",
                    source=self.source,
                )
        log.info("%s capture started: %s", self.source, self._info)

    def stop(self) -> None:
        """Idempotent, from any thread; no sink call follows it."""
        pacer, self._pacer = self._pacer, None
        if pacer is not None:
            pacer.stop()
        tap, self._tap = self._tap, None
        if tap is not None:
            try:
                call_on_qt_thread(tap.close, timeout_s=2.0)
            except RuntimeError as error:
                log.warning("the %s capture was not closed: %s", self.source, error)


class _CaptureTap(QObject):
    """Qt's capture session, on the application's thread, feeding the pacer."""

    def __init__(self, pacer: FramePacer, screen_index: int, window: QCapturableWindow | None) -> None:
        super().__init__()
        self.failure: CaptureError | None = None
        self._pacer = pacer
        self._session = QMediaCaptureSession(self)
        self._sink = QVideoSink(self)
        self._session.setVideoSink(self._sink)
        self._screen: QScreen | None = None
        self._screen_area = Area(0, 0, 0, 0)
        self._capture: QScreenCapture | QWindowCapture
        if window is not None:
            window_capture = QWindowCapture(self)
            window_capture.setWindow(window)
            window_capture.errorOccurred.connect(self._failed)
            self._session.setWindowCapture(window_capture)
            self._capture = window_capture
        else:
            screens = QGuiApplication.screens()
            if not 0 <= screen_index < len(screens):
                raise DeviceNotFound(_no_such_screen(screen_index, len(screens)), source=pacer.source)
            screen_capture = QScreenCapture(self)
            screen_capture.errorOccurred.connect(self._failed)
            self._session.setScreenCapture(screen_capture)
            self._capture = screen_capture
            self._use_screen(screens[screen_index])
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.screenRemoved.connect(self._screen_removed)
        # Direct: the frame is only kept, and a queued hop would copy every one through the loop.
        self._sink.videoFrameChanged.connect(self._frame, Qt.ConnectionType.DirectConnection)
        self._capture.start()

    def close(self) -> None:
        self._sink.videoFrameChanged.disconnect(self._frame)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenRemoved.disconnect(self._screen_removed)
        self._capture.stop()
        if self._screen is not None:
            self._screen.geometryChanged.disconnect(self._geometry_changed)
        self.deleteLater()

    def _use_screen(self, screen: QScreen) -> None:
        assert isinstance(self._capture, QScreenCapture)
        if self._screen is not None:
            self._screen.geometryChanged.disconnect(self._geometry_changed)
        self._screen = screen
        self._screen_area = _area(screen)
        screen.geometryChanged.connect(self._geometry_changed)
        self._capture.setScreen(screen)
        log.info("capturing screen %r at %s", screen.name(), self._screen_area)

    def _frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        area = self._screen_area if self._screen is not None else Area(0, 0, frame.width(), frame.height())
        self._pacer.offer(QtCaptured(QVideoFrame(frame), area))

    def _geometry_changed(self) -> None:
        if self._screen is not None:
            self._screen_area = _area(self._screen)
            log.info("the captured screen is now %s", self._screen_area)

    def _screen_removed(self, screen: QScreen) -> None:
        if screen is not self._screen:
            return
        primary = QGuiApplication.primaryScreen()
        if primary is None or primary is screen:
            self._failed(QScreenCapture.Error.NotFound, "the screen was disconnected")
            return
        log.warning("the captured screen %r was disconnected: capturing %r", screen.name(), primary.name())
        self._pacer.report(
            DeviceLost(
                "The captured screen was disconnected: the main screen is captured instead.",
                source=self._pacer.source,
            )
        )
        self._use_screen(primary)

    def _failed(self, error: CaptureFault, detail: str) -> None:
        log.warning("%s capture error %s: %s", self._pacer.source, error.name, detail)
        failure = DeviceLost(capture_error_message(error, detail), source=self._pacer.source)
        self.failure = failure
        self._pacer.report(failure)


def _area(screen: QScreen) -> Area:
    geometry = screen.geometry()
    return Area(geometry.x(), geometry.y(), geometry.width(), geometry.height())


def _no_such_screen(index: int, count: int) -> str:
    if count == 0:
        return NO_DISPLAY
    choices = "screen:0" if count == 1 else f"screen:0 to screen:{count - 1}"
    return f"There is no screen {index}: this computer has {count} ({choices})."
