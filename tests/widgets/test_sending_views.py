"""Sending is always visible: the main window's indicator, the compact window's (with its Pause and
Stop buttons) and the tray icon say the same thing, and the tray's menu pauses, shows and stops."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder
from support.widget_pixels import colour_at, near

from app.model.events import SendingPaused
from app.model.sending import LOCAL_TEXT, PAUSED_TEXT, SENDING_TEXT, sending_state
from app.model.view_state import DeviceStatus, PipelineStatus
from widgets.main_window import MainWindow
from widgets.sending_indicator import COLOURS, SendingIndicator
from widgets.timeline_strip import PAUSED_LABEL, TimelineStrip
from widgets.tray import ICON_PX, tray_icon

pytestmark = pytest.mark.timeout(60)

CLOUD = PipelineStatus(backend="cloud", session_state="running", camera=DeviceStatus("Camera"))


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = MainWindow()
    qtbot.addWidget(main)
    main.resize(1366, 800)
    main.show()
    qtbot.waitExposed(main)
    return main


def shown(window: MainWindow) -> list[str]:
    """The sentence in the main window, the compact window and the tray, in that order."""
    return [
        window.sending_indicator.state.text,
        window.compact.sending_indicator.state.text,
        window.tray.state_action.text(),
    ]


def test_every_view_says_the_same_and_follows_the_connection(
    window: MainWindow, builder: SessionBuilder
) -> None:
    window.set_status(CLOUD)
    builder.connection(1.0, "connected")
    window.set_snapshot(builder.snapshot(2.0))
    assert shown(window) == [SENDING_TEXT] * 3
    assert window.tray.icon.toolTip() == f"Interhuman Live: {SENDING_TEXT}"

    builder.connection(3.0, "reconnecting", retry_in_s=8.0)
    window.set_snapshot(builder.snapshot(4.5))
    assert shown(window) == ["Not connected: reconnecting in 7 s"] * 3

    window.set_status(replace(CLOUD, paused=True))
    assert shown(window) == [PAUSED_TEXT] * 3

    window.set_status(PipelineStatus(backend="local", session_state="running"))
    assert shown(window) == [LOCAL_TEXT] * 3


def test_the_whole_sentence_where_it_fits_else_its_short_form(qtbot: QtBot) -> None:
    indicator = SendingIndicator()
    qtbot.addWidget(indicator)
    indicator.set_state(sending_state(PipelineStatus(backend="local", session_state="running"), None))
    indicator.resize(indicator.sizeHint())
    assert indicator.shown_text() == LOCAL_TEXT
    indicator.resize(indicator.minimumSizeHint())
    assert indicator.shown_text() == "Local analysis"
    assert LOCAL_TEXT in indicator.toolTip(), "the tooltip always has the whole sentence"


def test_the_sending_state_never_widens_the_window(qtbot: QtBot, window: MainWindow) -> None:
    width = window.width()
    for status in (
        CLOUD,
        PipelineStatus(backend="local", session_state="running"),
        replace(CLOUD, paused=True),
    ):
        window.set_status(status)
        qtbot.wait(20)
        assert window.width() == width


def test_the_compact_window_pauses_and_stops_through_the_main_windows_actions(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.set_status(PipelineStatus(backend="local", session_state="running"))
    window.set_compact(True)
    pause = window.compact.findChild(QToolButton, "compactPauseButton")
    stop = window.compact.findChild(QToolButton, "compactStopButton")
    assert pause is not None and stop is not None and pause.isVisible() and stop.isVisible()
    with qtbot.waitSignal(window.pause_toggled, timeout=1000) as paused:
        pause.click()
    assert paused.args == [True]
    with qtbot.waitSignal(window.stop_requested, timeout=1000):
        stop.click()
    window.set_compact(False)


def test_the_tray_menu_pauses_shows_the_window_and_stops(qtbot: QtBot, window: MainWindow) -> None:
    tray = window.tray
    texts = [action.text() for action in tray.menu.actions() if not action.isSeparator()]
    assert texts == [LOCAL_TEXT, "Pause sending", "Show window", "Stop"]
    assert not tray.stop_action.isEnabled(), "nothing to stop without a session"
    window.set_status(PipelineStatus(backend="local", session_state="running"))
    assert tray.stop_action.isEnabled()
    with qtbot.waitSignal(window.pause_toggled, timeout=1000) as paused:
        window.pause_action.trigger()
    assert paused.args == [True]
    window.set_status(PipelineStatus(backend="local", session_state="running", paused=True))
    assert [a.text() for a in tray.menu.actions() if not a.isSeparator()][1] == "Resume sending"
    with qtbot.waitSignal(window.stop_requested, timeout=1000):
        tray.stop_action.trigger()
    window.set_compact(True)
    tray.show_action.trigger()
    assert window.compact.isVisible(), "Show window brings back the window in use"
    window.set_compact(False)


@pytest.mark.parametrize("kind", sorted(COLOURS))
def test_the_tray_icon_wears_the_states_colour(kind: str) -> None:
    image = tray_icon(kind).pixmap(ICON_PX, ICON_PX).toImage()  # type: ignore[arg-type]
    ring_or_dot = colour_at(image, QPointF(ICON_PX * 0.74 + 12.0, ICON_PX * 0.74))
    assert near(ring_or_dot, COLOURS[kind], tolerance=40)  # type: ignore[index]


def test_the_engagement_strip_shows_the_paused_span(window: MainWindow, builder: SessionBuilder) -> None:
    builder.result(0, 4, "engaged", [])
    builder.timeline.apply(SendingPaused(t=5.0, paused=True))
    builder.timeline.apply(SendingPaused(t=12.0, paused=False))
    window.set_snapshot(builder.snapshot(20.0))
    strip = window.timeline_strip
    assert [(s.start, s.end) for s in strip.paused_spans()] == [(5.0, 12.0)]
    x = (strip.x_for(5.0) + strip.x_for(12.0)) / 2
    assert strip.tooltip_at(x) == f"00:05–00:12 · {PAUSED_LABEL}"
    assert strip.height() > TimelineStrip().height(), "a second legend row names the pause"
