"""What a live session paints: the engagement badge in each state's colour, in the main window and
in the compact presenter window, which can be switched to and back while the session runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.desktop_helpers import LiveApp, SnapshotLog, painted_badge_colour
from support.widget_pixels import near

import bench.clips as seg
from app.model.vocabulary import EngagementState
from widgets import theme
from widgets.controls import FILE_ENTRY_ID

pytestmark = pytest.mark.timeout(120)

FILE_S = 8.0
"""Two 3 s segments' worth: the session still runs when the first result arrives."""

# Recordings the local analyzer reads as each state (tests/analyzer checks the same recipes).
RECORDINGS: dict[EngagementState, Callable[[], bytes]] = {
    "engaged": lambda: seg.encode_webm(FILE_S, seg.nodding, seg.voice_like(FILE_S)),
    "neutral": lambda: seg.encode_webm(FILE_S, seg.with_noise(seg.still_face), seg.room_noise(FILE_S)),
    "disengaged": lambda: seg.encode_webm(FILE_S, seg.card, seg.silence(FILE_S)),
}


def choose_video_file(live: LiveApp, path: Path) -> None:
    """Pick "Video file…" in the camera list, answering the file dialog with `path`."""
    controls = live.window.controls
    controls.pick_file = lambda _parent: str(path)
    index = controls.camera_combo.findData(FILE_ENTRY_ID)
    controls.camera_combo.setCurrentIndex(index)
    controls.camera_combo.activated.emit(index)


@pytest.mark.parametrize("state", ["engaged", "neutral", "disengaged"])
def test_a_live_result_paints_the_badge_in_its_states_colour(
    live: LiveApp, tmp_path: Path, state: EngagementState
) -> None:
    video = tmp_path / f"{state}.webm"
    video.write_bytes(RECORDINGS[state]())
    choose_video_file(live, video)
    assert live.controller.session_config().source.path == video

    async def scenario() -> None:
        await live.start_session()
        await live.until(
            lambda: (s := live.snapshots.latest) is not None and s.engagement is not None,
            30,
            "the first engagement result",
        )
        assert live.controller.state == "running"
        snapshot = live.snapshots.latest
        assert snapshot is not None and snapshot.engagement is not None
        assert snapshot.engagement.state == state, "the analyzer's reading of this recording"
        assert near(painted_badge_colour(live.window.preview), theme.ENGAGEMENT_COLOURS[state])
        # The file ends after two segments and the session stops by itself.
        await live.until(lambda: live.controller.state == "idle", 30, "the session to end with its file")

    live.run(scenario, timeout_s=90)


def test_compact_mode_toggles_while_the_session_keeps_going(live: LiveApp, qtbot: QtBot) -> None:
    window, compact = live.window, live.window.compact
    in_compact = SnapshotLog(compact)

    async def scenario() -> None:
        session = await live.start_session()
        await live.until_completed(1)
        qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
        assert window.is_compact() and compact.isVisible() and not window.isVisible()
        at_switch = session.timeline.counts.completed
        await live.until(
            lambda: any(s.counts.completed > at_switch for s in in_compact.received),
            20,
            "a newer result in the compact window",
        )
        latest = in_compact.received[-1]
        assert latest.engagement is not None
        assert near(painted_badge_colour(compact), theme.ENGAGEMENT_COLOURS[latest.engagement.state])
        assert compact.overlay_layout().gauges or not latest.gauges

        in_main = len(live.snapshots.received)
        qtbot.mouseClick(compact.expand_button, Qt.MouseButton.LeftButton)
        assert window.isVisible() and not compact.isVisible() and not window.is_compact()
        assert not window.compact_action.isChecked()
        back_at = session.timeline.counts.completed
        await live.until(lambda: live.counts().done > back_at, 20, "a newer result in the main window")
        assert len(live.snapshots.received) > in_main
        assert live.controller.state == "running"
        await live.stop_session()

    live.run(scenario, timeout_s=90)


def test_the_engagement_strip_keeps_its_scale_after_stop_when_settings_are_saved(live: LiveApp) -> None:
    """A 10 s session's strip must not stretch to the time that has passed since it stopped."""
    from app.desktop.settings_flow import SettingsFlow

    flow = SettingsFlow(live.controller)
    strip = live.window.timeline_strip

    async def scenario() -> None:
        await live.start_session()
        await live.until_completed(1)
        await live.stop_session()
        stopped = live.snapshots.latest
        assert stopped is not None
        span = strip.span_s()
        await asyncio.sleep(2.5)
        dialog = flow.open(on_key=False)
        dialog.accept()  # Save, with nothing changed
        await live.until(lambda: not dialog.isVisible(), 5, "the dialog to close on Save")
        latest = live.snapshots.latest
        assert latest is not None and latest is not stopped, "Save refreshed the window"
        assert latest.now == stopped.now, "the session's time stands still once it stopped"
        assert strip.span_s() == span

    live.run(scenario, timeout_s=90)
