"""The compact presenter window on its own: frameless, on top, movable, resizable, brief."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QSizeGrip
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder
from support.widget_pixels import colour_at, grab, near

from app.desktop.window_places import STATE_FILE, IniWindowPlaces
from app.model.delivery import LocalDelivery
from app.model.view_state import DeviceStatus, PipelineStatus
from app.store.paths import config_dir
from widgets import theme
from widgets.compact_window import TOP_SIGNALS, CompactWindow
from widgets.freshness import freshness

pytestmark = pytest.mark.timeout(60)

RUNNING = PipelineStatus(session_state="running", camera=DeviceStatus("Camera"))


@pytest.fixture
def compact(qtbot: QtBot) -> CompactWindow:
    window = CompactWindow(places=IniWindowPlaces())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_it_is_a_frameless_always_on_top_window_with_a_resize_grip(compact: CompactWindow) -> None:
    flags = compact.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert compact.isWindow()
    grips = compact.findChildren(QSizeGrip)
    assert len(grips) == 1 and grips[0].isVisible()


def test_it_shows_the_badge_the_top_three_signals_and_the_freshness_cue(
    compact: CompactWindow, builder: SessionBuilder
) -> None:
    builder.result(
        0,
        4,
        "engaged",
        [
            ("confidence", "high", "Firm voice."),
            ("interest", "medium", "Leans in."),
            ("stress", "low", "Slightly fast."),
            ("hesitation", "low", "One pause."),
        ],
    )
    snapshot = builder.snapshot(6)
    compact.set_status(RUNNING)
    compact.set_snapshot(snapshot)
    image = grab(compact)
    layout = compact.overlay_layout()
    assert [row.gauge.type for row in layout.gauges] == [g.type for g in snapshot.gauges[:TOP_SIGNALS]]
    assert len(layout.gauges) == TOP_SIGNALS < len(snapshot.gauges)
    assert layout.badge is not None
    glyph = layout.badge.glyph
    assert near(
        colour_at(image, glyph.center() + (glyph.bottomLeft() - glyph.topLeft()) * 0.28), theme.ENGAGED
    )
    assert freshness(snapshot, RUNNING).level == "fresh"


def test_dragging_the_body_moves_the_window_and_remembers_the_place(
    qtbot: QtBot, compact: CompactWindow
) -> None:
    start = compact.pos()
    grip_point = QPoint(120, 150)
    qtbot.mousePress(compact, Qt.MouseButton.LeftButton, pos=grip_point)
    qtbot.mouseMove(compact, grip_point + QPoint(-60, 25))
    qtbot.mouseRelease(compact, Qt.MouseButton.LeftButton, pos=grip_point + QPoint(-60, 25))
    assert compact.pos() == start + QPoint(-60, 25)
    assert (config_dir() / STATE_FILE).is_file()
    again = CompactWindow(places=IniWindowPlaces())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.pos() == compact.pos()


def test_ctrl_m_and_the_expand_button_ask_for_the_full_window(qtbot: QtBot, compact: CompactWindow) -> None:
    with qtbot.waitSignal(compact.expand_requested, timeout=1000):
        qtbot.mouseClick(compact.expand_button, Qt.MouseButton.LeftButton)
    compact.activateWindow()
    qtbot.waitUntil(compact.isActiveWindow, timeout=2000)
    with qtbot.waitSignal(compact.expand_requested, timeout=1000):
        qtbot.keyClick(compact, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)


def test_with_local_analysis_it_adds_one_line_of_delivery_figures(
    compact: CompactWindow, builder: SessionBuilder
) -> None:
    figures = LocalDelivery(start=0, end=4, face_visible=1.0, eye_contact=0.8, speaking=0.6, pace_wpm=140)
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")], delivery=figures)
    compact.set_snapshot(builder.snapshot(5))
    compact.set_status(RUNNING)  # Local analysis, the default
    assert compact.delivery_text() == "eye contact 80% · 140 wpm"
    grab(compact)  # it paints with the line
    compact.set_status(replace(RUNNING, backend="cloud"))
    assert compact.delivery_text() == ""
