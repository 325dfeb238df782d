"""Driving the live desktop app in a test: run scenarios on its qasync loop, wait for what the
window shows, and read what the session recorded."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import qasync
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.desktop.controller import DesktopController
from app.model.events import SessionEvent, parse_event
from app.model.timeline_snapshot import TimelineSnapshot
from app.session.controller import SessionController
from support.widget_pixels import colour_at, grab
from widgets.compact_window import CompactWindow
from widgets.main_window import MainWindow
from widgets.preview import PreviewWidget

T = TypeVar("T")
E = TypeVar("E", bound=SessionEvent)

POLL_S = 0.05
_SEGMENTS = re.compile(r"Segments (\d+) sent · (\d+) done · (\d+) errors? · (\d+) skipped")


class SnapshotLog:
    """Every snapshot handed to `target.set_snapshot`, on its way in (the target still gets it)."""

    def __init__(self, target: QWidget) -> None:
        self.received: list[TimelineSnapshot] = []
        deliver = target.set_snapshot  # type: ignore[attr-defined]

        def record(snapshot: TimelineSnapshot) -> None:
            self.received.append(snapshot)
            deliver(snapshot)

        target.set_snapshot = record  # type: ignore[attr-defined]

    @property
    def latest(self) -> TimelineSnapshot | None:
        return self.received[-1] if self.received else None


def painted_badge_colour(widget: PreviewWidget | CompactWindow) -> QColor:
    """The colour inside the engagement badge's glyph as `widget` paints it now."""
    image = grab(widget)
    badge = widget.overlay_layout().badge
    assert badge is not None, "no engagement badge was painted"
    glyph = badge.glyph
    # Below the glyph's white mark the state's colour fills the shape, whichever shape it is.
    return colour_at(image, QPointF(glyph.center().x(), glyph.top() + 0.78 * glyph.height()))


@dataclass
class SegmentCounts:
    sent: int
    done: int
    errors: int
    skipped: int


@dataclass
class LiveApp:
    window: MainWindow
    controller: DesktopController
    loop: qasync.QEventLoop
    snapshots: SnapshotLog = field(init=False)

    def __post_init__(self) -> None:
        self.snapshots = SnapshotLog(self.window)

    # -- the loop --------------------------------------------------------------------------------

    def run(self, scenario: Callable[[], Awaitable[T]], timeout_s: float) -> T:
        """Run `scenario()` on the app's loop (Qt events included) and return what it returns."""

        async def bounded() -> T:
            return await asyncio.wait_for(scenario(), timeout_s)

        return self.loop.run_until_complete(bounded())

    async def until(self, predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Let the app run until `predicate()` holds; fail with `what` after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout_s:g} s for {what}; the app shows: {self.describe()}")
            await asyncio.sleep(POLL_S)

    def describe(self) -> str:
        status = self.window.status_bar
        return (
            f"state={self.controller.state}, {status.segments_label.text()!r}, "
            f"problem={self.window.problem_banner.label.text()!r}"
        )

    # -- sessions --------------------------------------------------------------------------------

    async def start_session(self, timeout_s: float = 20.0) -> SessionController:
        """Press Start and wait until the session runs."""
        self.window.start_stop_action.trigger()
        await self.until(lambda: self.controller.state == "running", timeout_s, "the session to start")
        assert self.controller.session is not None
        return self.controller.session

    async def stop_session(self, timeout_s: float = 40.0) -> None:
        """Press Stop and wait until the controller is idle again (the uplink drained)."""
        assert self.controller.state == "running"
        self.window.start_stop_action.trigger()
        await self.until(lambda: self.controller.state == "idle", timeout_s, "the session to stop")

    async def until_completed(self, count: int, timeout_s: float = 40.0) -> None:
        """Wait until the status bar says `count` segments are done."""
        await self.until(lambda: self.counts().done >= count, timeout_s, f"{count} completed segment(s)")

    def counts(self) -> SegmentCounts:
        """The segment counts as the status bar shows them."""
        text = self.window.status_bar.segments_label.text()
        found = _SEGMENTS.search(text)
        if found is None:
            return SegmentCounts(0, 0, 0, 0)
        return SegmentCounts(*(int(value) for value in found.groups()))

    def recording_folder(self) -> Path:
        session = self.controller.session
        assert session is not None and session.recording_folder is not None
        return session.recording_folder

    def events(self, kind: type[E]) -> list[E]:
        """The events of `kind` the session has recorded so far (whole lines of events.jsonl)."""
        path = self.recording_folder() / "events.jsonl"
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        events = [parse_event(line) for line in lines if line.endswith("\n") and line.strip()]
        return [event for event in events if isinstance(event, kind)]
