"""The small things users ran into: a clipped heading, a tooltip naming the wrong row, focus that
cannot be seen, a toggle without its tick, a held shortcut toggling dozens of times, a dialog
that grows under the cursor, and a broken file called a missing camera."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder
from support.widget_pixels import grab, grey_frame

from app.model.view_state import DeviceStatus, KeyStoreView, PipelineStatus
from app.model.wire_v0 import QualityScores
from app.store.settings import Settings
from widgets import theme
from widgets.main_window import MainWindow
from widgets.overlay import overlay_scale
from widgets.painting import text_width
from widgets.placeholder import placeholder_for
from widgets.preview import PreviewWidget
from widgets.settings_dialog import SettingsDialog

pytestmark = pytest.mark.timeout(60)

RUNNING = PipelineStatus(backend="local", session_state="running", camera=DeviceStatus("Camera", "ok"))


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=2000)
    return main


def test_the_quality_heading_is_not_clipped_by_a_below_average_score(
    window: MainWindow, builder: SessionBuilder
) -> None:
    window.resize(window.minimumSize())  # the side panel at its narrowest
    low = QualityScores(
        quality_index=42.0, clarity=40.0, authority=44.0, energy=42.0, rapport=41.0, learning=43.0
    )
    builder.result(0, 4, overall=low, window_quality=low)
    window.set_snapshot(builder.snapshot(5))
    QApplication.processEvents()
    panel = window.quality_panel
    assert panel.band_label.text() == "below average"
    (title,) = [label for label in panel.findChildren(QLabel) if label.text() == "Conversation quality"]
    assert title.width() >= title.sizeHint().width(), "the heading reads in full"
    assert panel.band_label.width() >= panel.band_label.sizeHint().width()


@pytest.mark.parametrize("size", [(640, 360), (960, 540)])
def test_the_overlay_quality_heading_never_runs_under_its_score(
    qtbot: QtBot, builder: SessionBuilder, size: tuple[int, int]
) -> None:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(*size)
    preview.show()
    qtbot.waitExposed(preview)
    low = QualityScores(
        quality_index=46.0, clarity=14.0, authority=28.0, energy=62.0, rapport=56.0, learning=72.0
    )
    builder.result(0, 4, overall=low, window_quality=low)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(5))
    grab(preview)
    found = preview.overlay_layout().quality_heading
    assert found is not None
    heading, room = found
    assert (
        text_width(theme.overlay_font(12.5 * overlay_scale(QRectF(preview.rect()))), heading) <= room.width()
    )
    assert heading in ("Conversation quality", "Quality")


def test_gauges_hold_their_order_while_the_pointer_is_on_them(qtbot: QtBot, builder: SessionBuilder) -> None:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(960, 540)
    preview.show()
    qtbot.waitExposed(preview)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    builder.result(0, 4, signals=[("stress", "high", "a"), ("interest", "low", "b")])
    preview.set_snapshot(builder.snapshot(5))
    grab(preview)  # paints, and so lays the rows out
    rows = preview.overlay_layout().gauges
    assert [row.gauge.type for row in rows] == ["stress", "interest"]
    pointer = rows[0].rect.center()
    _move(preview, pointer)

    # A new result makes interest the stronger: the timeline now sorts it first.
    builder.result(
        4, 8, signals=[("interest", "high", "c"), ("stress", "low", "d"), ("confidence", "low", "e")]
    )
    snapshot = builder.snapshot(9)
    assert [g.type for g in snapshot.gauges] == ["interest", "confidence", "stress"]
    preview.set_snapshot(snapshot)
    grab(preview)
    assert [row.gauge.type for row in preview.overlay_layout().gauges] == ["stress", "interest", "confidence"]
    tooltip = preview.tooltip_at(pointer)
    assert tooltip is not None and "Stress" in tooltip, "the tooltip still names the row under the pointer"

    _move(preview, QPointF(900, 500))  # away from the gauges
    grab(preview)
    assert [row.gauge.type for row in preview.overlay_layout().gauges] == ["interest", "confidence", "stress"]


def _move(widget: PreviewWidget, pos: QPointF) -> None:
    event = QMouseEvent(
        QEvent.Type.MouseMove, pos, widget.mapToGlobal(pos), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_tab_reaches_every_control_bar_button_and_focus_shows(qtbot: QtBot, window: MainWindow) -> None:
    controls = window.controls
    controls.microphone_combo.setFocus()
    names = []
    for _ in range(3):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        names.append(QApplication.focusWidget().objectName())
    assert names == ["overlayButton", "compactButton", "settingsButton"]
    button = controls.findChild(QToolButton, "settingsButton")
    focused = grab(button)
    controls.camera_combo.setFocus()
    QApplication.processEvents()
    assert focused != grab(button), "a focused button looks focused"


def test_view_menu_toggles_show_their_tick(window: MainWindow) -> None:
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert isinstance(view, QMenu)
    window.set_overlay_visible(True)
    view.popup(window.mapToGlobal(window.rect().center()))
    QApplication.processEvents()
    ticked = view.grab().toImage()
    window.set_overlay_visible(False)
    QApplication.processEvents()
    unticked = view.grab().toImage()
    view.hide()
    assert ticked != unticked, "checked and unchecked look different in the menu"
    for action in (window.overlay_action, window.compact_action, window.pause_action):
        assert action.isCheckable() and not action.isIconVisibleInMenu()


def test_a_held_ctrl_m_switches_to_the_compact_window_once(qtbot: QtBot, window: MainWindow) -> None:
    switches: list[bool] = []
    window.compact_toggled.connect(switches.append)
    key, ctrl = int(Qt.Key.Key_M), Qt.KeyboardModifier.ControlModifier

    def shown() -> QWidget:
        """The window on screen, made active as a window manager would on showing it."""
        target = window.compact if window.is_compact() else window
        target.activateWindow()
        qtbot.waitUntil(target.isActiveWindow, timeout=2000)
        return target

    QTest.simulateEvent(shown(), True, key, ctrl, "", False)
    for _ in range(20):  # what the keyboard sends while the keys stay down
        QTest.simulateEvent(shown(), True, key, ctrl, "", True)
    QTest.simulateEvent(shown(), False, key, ctrl, "", False)
    assert switches == [True]
    assert window.is_compact()
    window.set_compact(False)


def test_the_settings_dialog_keeps_its_size_and_buttons_as_messages_come_and_go(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), KeyStoreView(None, True, "memory", "INTERHUMAN_API_KEY"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    size, save_at = dialog.size(), dialog.save_button.mapTo(dialog, dialog.save_button.rect().center())
    dialog.url_edit.setText("http://example.com/v0")
    dialog.key_section.key_edit.setText("has a space")
    dialog.segment_spin.setValue(9.0)
    QApplication.processEvents()
    assert dialog.form.error_text("server_url") is not None
    assert (dialog.size(), dialog.save_button.mapTo(dialog, dialog.save_button.rect().center())) == (
        size,
        save_at,
    )
    dialog.url_edit.setText("wss://api.interhuman.ai/v0/stream/analyze")
    dialog.key_section.key_edit.clear()
    dialog.segment_spin.setValue(4.0)
    QApplication.processEvents()
    assert dialog.save_button.isEnabled() and dialog.size() == size
    flags = dialog.windowFlags()
    assert not flags & Qt.WindowType.WindowMinimizeButtonHint
    assert not flags & Qt.WindowType.WindowMaximizeButtonHint


def test_a_file_that_cannot_be_played_is_not_called_a_missing_camera() -> None:
    status = PipelineStatus(
        camera=DeviceStatus("File: talk.mp4", "missing", "talk.mp4 cannot be read.", source="file")
    )
    card = placeholder_for(status, has_frame=False)
    assert card is not None and card.title == "This file cannot be played"
    assert "camera" not in card.title.lower() and "talk.mp4 cannot be read." in card.detail
