"""A live session in the real main window: the synthetic source, the real encoder, the embedded
local analyzer over a real WebSocket, and the window's badge, gauges and status bar."""

from __future__ import annotations

import asyncio

import pytest
from support.desktop_helpers import LiveApp, painted_badge_colour
from support.widget_pixels import grab, near

from app.model.events import SegmentClosed, SegmentSent, SegmentSkipped, SendingPaused, SessionSummary
from widgets import theme
from widgets.overlay import PAUSED_TEXT

pytestmark = pytest.mark.timeout(120)


def test_a_session_fills_the_badge_the_gauges_and_the_status_then_stops_with_its_recording(
    live: LiveApp,
) -> None:
    window = live.window

    async def scenario() -> None:
        session = await live.start_session()
        assert window.status_bar.backend_label.text() == "Local analysis"
        await live.until(window.preview.has_frame, 5, "the first preview frame")
        await live.until(
            lambda: (s := live.snapshots.latest) is not None and s.engagement is not None and bool(s.gauges),
            30,
            "an engagement state and a gauge in the window",
        )
        await live.until_completed(1)
        counts = live.counts()
        assert counts.sent >= 1 and counts.done >= 1 and counts.errors == 0
        assert session.config.backend == "local"

        snapshot = live.snapshots.latest
        assert snapshot is not None and snapshot.engagement is not None
        badge = painted_badge_colour(window.preview)
        assert near(badge, theme.ENGAGEMENT_COLOURS[snapshot.engagement.state])
        layout = window.preview.overlay_layout()
        assert layout.gauges, "the overlay paints the gauges"
        assert {g.gauge.type for g in layout.gauges} <= {g.type for g in snapshot.gauges}

        await live.stop_session()

    live.run(scenario, timeout_s=90)
    assert window.session_state() == "idle"
    assert window.start_stop_action.text() == "Start"
    folder = live.recording_folder()
    closed = live.events(SegmentClosed)
    summary = live.events(SessionSummary)
    assert closed and len(summary) == 1
    on_disk = sorted(path.name for path in (folder / "segments").glob("*.webm"))
    assert on_disk == [f"{event.index:06d}.webm" for event in closed]
    assert summary[0].completed == summary[0].sent >= 1
    assert (folder / "session.json").is_file()


def test_pause_skips_segments_and_shows_it_and_resume_sends_again(live: LiveApp) -> None:
    window = live.window

    async def scenario() -> None:
        await live.start_session()
        await live.until(lambda: live.counts().sent >= 1, 20, "the first segment sent")
        size, frame = window.preview.frame_size(), window.preview.frame_rect()
        assert size is not None and frame is not None
        assert (size.width(), size.height()) == (frame.width(), frame.height()), (
            "fitted by the source, painted 1:1"
        )
        window.pause_action.trigger()
        assert window.pause_action.isChecked()
        assert window.pause_action.text() == "Resume sending"
        grab(window.preview)
        assert window.preview.overlay_layout().paused is not None, f"the overlay says {PAUSED_TEXT!r}"
        await live.until(
            lambda: any(e.reason == "paused" for e in live.events(SegmentSkipped)),
            20,
            "a segment skipped because sending is paused",
        )
        paused = {e.index for e in live.events(SegmentSkipped) if e.reason == "paused"}
        preview = live.controller.session.preview if live.controller.session else None
        assert preview is not None and preview.taken > 0
        shown_before = preview.taken
        await asyncio.sleep(0.5)
        assert preview.taken > shown_before + 5, "the preview goes on while paused"
        window.pause_action.trigger()
        assert not window.pause_action.isChecked()
        grab(window.preview)
        assert window.preview.overlay_layout().paused is None
        last_paused = max(paused)
        await live.until(
            lambda: any(e.index > last_paused for e in live.events(SegmentSent)),
            20,
            "a segment sent after resuming",
        )
        sent = {e.index for e in live.events(SegmentSent)}
        assert not sent & paused, "a segment closed while paused must never leave the machine"
        assert [e.paused for e in live.events(SendingPaused)] == [True, False]
        (span,) = window.timeline_strip.paused_spans()
        assert span.end > span.start, "the paused span shows on the engagement strip"
        await live.until(lambda: live.counts().skipped >= len(paused), 2, "the skips in the status bar")
        await live.stop_session()

    live.run(scenario, timeout_s=90)
    paused_files = [
        live.recording_folder() / "segments" / f"{e.index:06d}.webm" for e in live.events(SegmentSkipped)
    ]
    assert paused_files and all(path.is_file() for path in paused_files), "the recording goes on while paused"


def test_a_pause_outlives_a_stop_so_the_next_session_sends_nothing_until_resumed(live: LiveApp) -> None:
    window = live.window

    async def scenario() -> None:
        await live.start_session()
        window.pause_action.trigger()
        await live.stop_session()
        assert window.pause_action.isChecked(), "the window still says sending is paused"
        await live.start_session()
        await live.until(lambda: bool(live.events(SegmentClosed)), 20, "a segment of the new session")
        await live.until(
            lambda: bool(live.events(SegmentSkipped)) or bool(live.events(SegmentSent)), 5, "its fate"
        )
        assert not live.events(SegmentSent), "a segment left the machine while the window said paused"
        assert window.pause_action.isChecked()
        await live.stop_session()

    live.run(scenario, timeout_s=90)
