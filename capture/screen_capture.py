"""`ScreenSource`: a screen, a region of one, or a window the system captures, through QtMultimedia.

Qt's capture objects run on a `QThread` of their own with its own event loop: the grabber hands
over about 60 pictures a second, and on the main thread even keeping them would cost the window
its smoothness. There each picture is only kept (`FramePacer.offer`); cropping, scaling and
pacing to the configured rate happen on the pacer's thread. A `QGuiApplication` is needed (the
screens are its `QScreen`s); `start` and `stop` may be called from any thread.

A screen that changes resolution needs nothing special (every picture is fitted to the output
size as it comes); a screen unplugged mid-session is replaced by the main one.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread
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
from capture.qt_thread import call_on_qt_thread
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


def display_reachable(platform: str = sys.platform, env: dict[str, str] | None = None) -> bool:
    """Whether a `QGuiApplication` could open a display here, before making one (Qt aborts the
    process when it cannot): always on macOS and Windows, with DISPLAY or WAYLAND_DISPLAY elsewhere."""
    if platform in ("darwin", "win32"):
        return True
    env = dict(os.environ) if env is None else env
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


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
        self._thread: _CaptureThread | None = None

    def info(self) -> SourceInfo:
        return self._info

    @property
    def pacer(self) -> FramePacer | None:
        return self._pacer

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        """Begin capturing; returns once the first picture is in, or raises a `CaptureError`."""
        if self._pacer is not None:
            raise RuntimeError("ScreenSource.start called twice")
        if not has_display():
            raise DeviceNotFound(NO_DISPLAY, source=self.source)
        screen = (
            None if self._window is not None else call_on_qt_thread(lambda: _screen(self.screen, self.source))
        )
        pacer = FramePacer(
            self.source, PictureFit(*self._size), self._fps, self.framing, stall_s=self._stall_s
        )
        self._pacer = pacer
        thread = _CaptureThread(pacer, screen, self._window)
        self._thread = thread
        thread.start()
        pacer.start(clock, sink)
        deadline = time.monotonic() + self._start_timeout_s
        while not pacer.first_picture.wait(0.05):
            failure = thread.failure
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
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.quit()
            if not thread.wait(3000):
                log.warning("the %s capture thread did not end within 3 s", self.source)


class _CaptureThread(QThread):
    """Runs Qt's capture session, and its event loop, away from the main thread."""

    def __init__(self, pacer: FramePacer, screen: QScreen | None, window: QCapturableWindow | None) -> None:
        super().__init__()
        self.setObjectName(f"{pacer.source}-capture")
        self._pacer = pacer
        self._screen = screen
        self._window = window
        self.failure: CaptureError | None = None
        """What Qt's capture reported, for `start` to raise before the first picture."""

    def run(self) -> None:
        tap = _CaptureTap(self._pacer, self._screen, self._window, self)
        self.exec()
        tap.close()
        del tap  # destroyed here, on the thread its Qt objects belong to


class _CaptureTap(QObject):
    """Qt's capture session, on the capture thread, feeding the pacer."""

    def __init__(
        self,
        pacer: FramePacer,
        screen: QScreen | None,
        window: QCapturableWindow | None,
        thread: _CaptureThread,
    ) -> None:
        super().__init__()
        self._thread = thread
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
            assert screen is not None
            screen_capture = QScreenCapture(self)
            screen_capture.errorOccurred.connect(self._failed)
            self._session.setScreenCapture(screen_capture)
            self._capture = screen_capture
            self._use_screen(screen)
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.screenRemoved.connect(self._screen_removed)
        # Direct: the frame is only kept, on the thread the sink hands it over on.
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
        self._thread.failure = failure
        self._pacer.report(failure)


def _area(screen: QScreen) -> Area:
    geometry = screen.geometry()
    return Area(geometry.x(), geometry.y(), geometry.width(), geometry.height())


def _screen(index: int, source: str) -> QScreen:
    """Screen `index`, on the Qt main thread (which owns the list)."""
    screens = QGuiApplication.screens()
    if not 0 <= index < len(screens):
        raise DeviceNotFound(_no_such_screen(index, len(screens)), source=source)
    return screens[index]


def _no_such_screen(index: int, count: int) -> str:
    if count == 0:
        return NO_DISPLAY
    choices = "screen:0" if count == 1 else f"screen:0 to screen:{count - 1}"
    return f"There is no screen {index}: this computer has {count} ({choices})."
