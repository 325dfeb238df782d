"""`WindowSource`: the first window whose title contains a text (a video call's window), followed.

On X11 Qt cannot capture a window by itself, so the window is found and followed through the X
server (`X11Desktop`) and its part of a screen capture is delivered: wherever it moves, at its
size. Whatever covers it is captured too, as the user sees it. Elsewhere Qt's `QWindowCapture`
captures the window itself. This app's own windows are never offered: capturing the preview
would feed it back into itself.

A window minimised, closed or moved off the screen is a missing picture, not the session's end:
the pacer shows that it is missing until the window is back (a closed one is looked for again by
its title, so a call window that is reopened is picked up again).
"""

from __future__ import annotations

import logging
import os
import time

from PySide6.QtGui import QGuiApplication
from PySide6.QtMultimedia import QCapturableWindow, QWindowCapture

from capture.areas import Area
from capture.frame_pacer import Captured
from capture.media import CaptureError, DeviceLost, DeviceNotFound, MediaSink, SessionClock, SourceInfo
from capture.qt_thread import call_on_qt_thread
from capture.screen_capture import NO_DISPLAY, ScreenSource, has_display, screen_areas
from capture.x11_windows import WindowInfo, X11Desktop

log = logging.getLogger(__name__)

SOURCE = "window"
POLL_S = 0.2
"""How often the window's place and state are read: a window dragged about is followed closely."""
REFIND_S = 1.0
TITLE_CHARS = 40


def is_x11() -> bool:
    return QGuiApplication.platformName() == "xcb"


def shown_title(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def first_titled(windows: list[WindowInfo], text: str) -> WindowInfo | None:
    """The first window whose title contains `text`, exactly if one does, else ignoring case."""
    exact = [w for w in windows if text in w.title]
    if exact:
        return exact[0]
    folded = text.casefold()
    return next((w for w in windows if folded in w.title.casefold()), None)


def list_windows(*, exclude_pid: int | None = None) -> list[WindowInfo]:
    """The windows a session can capture, without those of process `exclude_pid` (this one by default).

    Call with a `QGuiApplication`; on X11 it may be called from any thread."""
    if not has_display():
        return []
    own_pid = os.getpid() if exclude_pid is None else exclude_pid
    if is_x11():
        with X11Desktop() as desktop:
            return desktop.windows(exclude_pid=own_pid)
    return [_info(position, window) for position, window in enumerate(call_on_qt_thread(_system_windows))]


def _system_windows() -> list[QCapturableWindow]:
    own = [QCapturableWindow(window) for window in QGuiApplication.topLevelWindows()]
    return [w for w in QWindowCapture.capturableWindows() if w.isValid() and w not in own]


def _info(position: int, window: QCapturableWindow) -> WindowInfo:
    return WindowInfo(
        id=position, title=window.description(), pid=None, area=Area(0, 0, 0, 0), minimised=False
    )


class TrackedWindow:
    """A `Framing`: the X11 window's part of the captured screen, read again every `POLL_S`."""

    def __init__(self, desktop: X11Desktop, window: WindowInfo, search: str) -> None:
        self._desktop = desktop
        self._search = search
        self.window: WindowInfo | None = window
        self._title = shown_title(window.title)
        self._read_at = time.monotonic()
        self._searched_at = 0.0

    def area(self, captured: Captured) -> Area | CaptureError:
        now = time.monotonic()
        if now - self._read_at >= POLL_S:
            self._read_at = now
            self._read(now)
        window = self.window
        if window is None:
            return DeviceLost(
                f"The window “{self._title}” was closed: open it again to go on, or choose another source.",
                source=SOURCE,
            )
        if window.minimised:
            return DeviceLost(f"The window “{self._title}” is minimised: restore it to go on.", source=SOURCE)
        screen = captured.screen
        inside = window.area.moved(-screen.x, -screen.y).intersection(
            Area(0, 0, captured.width, captured.height)
        )
        if inside is None:
            return DeviceLost(
                f"The window “{self._title}” is off the captured screen: move it back to go on.",
                source=SOURCE,
            )
        return inside

    def _read(self, now: float) -> None:
        if self.window is not None:
            self.window = self._desktop.window(self.window.id)
            if self.window is None:
                log.warning("the captured window %r is gone", self._title)
        if self.window is None and now - self._searched_at >= REFIND_S:
            self._searched_at = now
            self.window = first_titled(self._desktop.windows(exclude_pid=os.getpid()), self._search)
            if self.window is not None:
                log.info("the window %r is back (id %#x)", self.window.title, self.window.id)


class WindowSource:
    """The first window whose title contains `title` (exactly, else ignoring case)."""

    def __init__(
        self,
        title: str,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        stall_s: float = 3.0,
        start_timeout_s: float = 5.0,
    ) -> None:
        if not title:
            raise ValueError("a window source needs a title to look for")
        self.title = title
        self._format = (width, height, fps)
        self._timeouts = (stall_s, start_timeout_s)
        self._info = SourceInfo(
            name=f"window:{title}", video=True, audio=False, width=width, height=height, fps=fps
        )
        self._screen: ScreenSource | None = None
        self._desktop: X11Desktop | None = None
        self.tracked: TrackedWindow | None = None

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if self._screen is not None:
            raise RuntimeError("WindowSource.start called twice")
        if not has_display():
            raise DeviceNotFound(NO_DISPLAY, source=SOURCE)
        width, height, fps = self._format
        stall_s, start_timeout_s = self._timeouts
        if is_x11():
            screen_index, framing = self._find_on_x11()
            self._screen = ScreenSource(
                screen_index, width, height, fps, framing=framing, name=self._info.name, source=SOURCE,
                stall_s=stall_s, start_timeout_s=start_timeout_s,
            )  # fmt: skip
        else:
            window = next(
                (w for w in call_on_qt_thread(_system_windows) if self._matches(w.description())), None
            )
            if window is None:
                raise DeviceNotFound(self._not_found(), source=SOURCE)
            self._screen = ScreenSource(
                0, width, height, fps, window=window, name=self._info.name, source=SOURCE,
                stall_s=stall_s, start_timeout_s=start_timeout_s,
            )  # fmt: skip
        try:
            self._screen.start(clock, sink)
        except BaseException:
            self.stop()
            raise
        log.info("window capture started: %s", self._info)

    def stop(self) -> None:
        screen, self._screen = self._screen, None
        if screen is not None:
            screen.stop()
        desktop, self._desktop = self._desktop, None
        if desktop is not None:
            desktop.close()

    def _find_on_x11(self) -> tuple[int, TrackedWindow]:
        desktop = X11Desktop()
        window = first_titled(desktop.windows(exclude_pid=os.getpid()), self.title)
        if window is None:
            desktop.close()
            raise DeviceNotFound(self._not_found(), source=SOURCE)
        self._desktop = desktop
        self.tracked = TrackedWindow(desktop, window, self.title)
        areas = call_on_qt_thread(screen_areas)
        centre = Area(window.area.x + window.area.width // 2, window.area.y + window.area.height // 2, 1, 1)
        index = next((i for i, area in enumerate(areas) if area.intersection(centre)), 0)
        log.info("window %r (id %#x) at %s, on screen %d", window.title, window.id, window.area, index)
        return index, self.tracked

    def _matches(self, title: str) -> bool:
        return self.title in title or self.title.casefold() in title.casefold()

    def _not_found(self) -> str:
        return (
            f"No window titled “{shown_title(self.title)}” is open. Open it, or see the window names "
            "with `interhuman-live devices`."
        )
