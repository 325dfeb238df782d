"""The main window: what it asks for (signals), what it shows (setters), shortcuts, compact mode
and remembered places. It never starts anything itself, so every test listens to its signals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder
from support.widget_pixels import grey_frame

from app.desktop.window_places import STATE_FILE, IniWindowPlaces
from app.model.delivery import LocalDelivery
from app.model.view_state import (
    NO_MICROPHONE_ID,
    SYNTHETIC_CAMERA_ID,
    DeviceOption,
    DeviceStatus,
    PipelineStatus,
)
from app.store.paths import config_dir
from widgets.key_banner import BANNER_TEXT
from widgets.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)

CAMERAS = [DeviceOption("0", "Integrated Camera"), DeviceOption("1", "USB Webcam")]
MICROPHONES = [DeviceOption("Built-in Microphone", "Built-in Microphone")]


def running(**changes: object) -> PipelineStatus:
    values: dict[str, object] = {
        "session_state": "running",
        "camera": DeviceStatus("Integrated Camera"),
        "api_key_configured": True,
    }
    values.update(changes)
    return PipelineStatus(**values)  # type: ignore[arg-type]


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = MainWindow(places=IniWindowPlaces())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=2000)
    return main


def test_start_and_stop_are_requested_never_done(qtbot: QtBot, window: MainWindow) -> None:
    button = window.controls.start_button
    with qtbot.waitSignal(window.start_requested, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.session_state() == "idle", "the window waits for the controller to say it started"
    window.set_status(running())
    assert button.text() == "Stop"
    with qtbot.waitSignal(window.stop_requested, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # While it finishes, the same button stops at once instead of greying out for the drain.
    window.set_status(running(session_state="stopping"))
    assert window.start_stop_action.isEnabled() and button.text() == "Stop now"
    with qtbot.waitSignal(window.stop_now_requested, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_keyboard_shortcuts_drive_the_same_actions(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.start_requested, timeout=1000):
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.pause_toggled, timeout=1000) as paused:
        QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert paused.args == [True]
    with qtbot.waitSignal(window.overlay_toggled, timeout=1000) as overlay:
        QTest.keyClick(window, Qt.Key.Key_O)
    assert overlay.args == [False]
    assert not window.preview.overlay_visible()
    assert "(Ctrl+Return)" in window.start_stop_action.toolTip()
    assert "(Ctrl+P)" in window.pause_action.toolTip()
    assert "(O)" in window.overlay_action.toolTip()
    assert "(Ctrl+M)" in window.compact_action.toolTip()


def test_pause_reflects_the_controller_without_echoing_back(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.assertNotEmitted(window.pause_toggled):
        window.set_status(running(paused=True))
    assert window.pause_action.isChecked()
    assert window.pause_action.text() == "Resume sending"
    with qtbot.waitSignal(window.pause_toggled, timeout=1000) as toggled:
        qtbot.mouseClick(window.controls.pause_button, Qt.MouseButton.LeftButton)
    assert toggled.args == [False]


def test_device_pickers_list_the_controllers_devices_and_report_choices(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.set_devices(CAMERAS, MICROPHONES, "1", "Built-in Microphone")
    cameras = window.controls.camera_combo
    names = [cameras.itemText(i) for i in range(cameras.count()) if cameras.itemText(i)]
    assert names == [
        "Integrated Camera",
        "USB Webcam",
        "Region of the screen…",
        "Synthetic test signal",
        "Video file…",
    ]
    assert cameras.currentText() == "USB Webcam"
    with qtbot.waitSignal(window.camera_chosen, timeout=1000) as chosen:
        index = cameras.findData(SYNTHETIC_CAMERA_ID)
        cameras.setCurrentIndex(index)
        cameras.activated.emit(index)
    assert chosen.args == [SYNTHETIC_CAMERA_ID]
    mics = window.controls.microphone_combo
    assert [mics.itemText(i) for i in range(mics.count()) if mics.itemText(i)] == [
        "System default",
        "Built-in Microphone",
        "No microphone",
    ]
    with qtbot.waitSignal(window.microphone_chosen, timeout=1000) as mic:
        index = mics.findData(NO_MICROPHONE_ID)
        mics.setCurrentIndex(index)
        mics.activated.emit(index)
    assert mic.args == [NO_MICROPHONE_ID]


def test_a_chosen_camera_that_is_not_plugged_in_stays_chosen_and_says_so(window: MainWindow) -> None:
    window.set_devices(CAMERAS, MICROPHONES, "7")
    cameras = window.controls.camera_combo
    assert cameras.currentText() == "Camera 7 (not found)"
    assert cameras.currentData() == "7"


def test_a_long_problem_does_not_widen_the_window(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.show_problem("No camera found at index 7. " * 20)
    qtbot.wait(50)  # the layout settles on the next event-loop turn
    assert window.width() == 1000
    assert window.minimumSizeHint().width() < 1000


def test_video_file_entry_asks_for_a_file_and_cancelling_keeps_the_camera(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.set_devices(CAMERAS, MICROPHONES, "0")
    cameras = window.controls.camera_combo
    window.controls.pick_file = lambda parent: None
    with qtbot.assertNotEmitted(window.file_chosen):
        index = cameras.findData("file…")
        cameras.setCurrentIndex(index)
        cameras.activated.emit(index)
    assert cameras.currentText() == "Integrated Camera"
    window.controls.pick_file = lambda parent: "/talks/rehearsal.mp4"
    with qtbot.waitSignal(window.file_chosen, timeout=1000) as chosen:
        index = cameras.findData("file…")
        cameras.setCurrentIndex(index)
        cameras.activated.emit(index)
    assert chosen.args == ["/talks/rehearsal.mp4"]
    assert cameras.currentText() == "File: rehearsal.mp4"
    window.set_devices(CAMERAS, MICROPHONES)
    assert cameras.currentText() == "File: rehearsal.mp4", "a device list refresh keeps the chosen file"


def test_no_key_banner_offers_to_add_one(qtbot: QtBot, window: MainWindow) -> None:
    window.set_status(PipelineStatus(api_key_configured=False))
    assert window.banner.isVisible()
    assert window.banner.label.text() == BANNER_TEXT
    with qtbot.waitSignal(window.add_key_requested, timeout=1000):
        qtbot.mouseClick(window.banner.add_button, Qt.MouseButton.LeftButton)
    window.set_status(PipelineStatus(api_key_configured=True))
    assert not window.banner.isVisible()


def test_snapshots_reach_every_part_of_the_window(window: MainWindow, builder: SessionBuilder) -> None:
    builder.segment(0, 0, 4)
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")])
    window.set_status(running())
    window.set_frame(grey_frame())
    window.set_snapshot(builder.snapshot(6))
    assert window.signal_list.row_texts() == ["00:00  Confidence  high"]
    assert window.status_bar.segments_label.text().startswith("Segments 1 sent")
    assert window.timeline_strip.span_s() == 60
    window.show_problem("The camera could not be opened. Close other apps using it.")
    assert "could not be opened" in window.problem_banner.label.text()


def test_compact_mode_swaps_windows_and_keeps_state_flowing(
    qtbot: QtBot, window: MainWindow, builder: SessionBuilder
) -> None:
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")])
    window.set_status(running())
    window.set_snapshot(builder.snapshot(5))
    with qtbot.waitSignal(window.compact_toggled, timeout=1000) as toggled:
        QTest.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert toggled.args == [True]
    compact = window.compact
    qtbot.waitExposed(compact)
    assert compact.isVisible() and not window.isVisible()
    builder.result(4, 8, "disengaged", [("stress", "high", "Fast speech.")])
    window.set_snapshot(builder.snapshot(9))
    compact.grab()
    badge = compact.overlay_layout().badge
    assert badge is not None
    assert [row.gauge.type for row in compact.overlay_layout().gauges] == ["stress", "confidence"]
    with qtbot.waitSignal(window.compact_toggled, timeout=1000) as back:
        qtbot.mouseClick(compact.expand_button, Qt.MouseButton.LeftButton)
    assert back.args == [False]
    assert window.isVisible() and not compact.isVisible()
    assert window.signal_list.row_texts()[0] == "00:04  Stress  high", "the full window caught up"


def test_compact_window_remembers_its_place(qtbot: QtBot, window: MainWindow) -> None:
    window.set_compact(True)
    qtbot.waitExposed(window.compact)
    window.compact.move(QPoint(140, 160))
    window.compact.resize(QSize(360, 280))
    window.set_compact(False)
    assert (config_dir() / STATE_FILE).is_file()
    again = MainWindow(places=IniWindowPlaces())
    qtbot.addWidget(again)
    again.set_compact(True)
    qtbot.waitExposed(again.compact)
    assert again.compact.pos() == QPoint(140, 160)
    assert again.compact.size() == QSize(360, 280)
    again.set_compact(False)


def test_main_window_remembers_its_place_and_the_overlay_choice(qtbot: QtBot, window: MainWindow) -> None:
    # The offscreen screen is 800 px wide, narrower than the window may be: Qt fits a restored
    # window to its screen, so the height and position are what can be compared exactly here.
    window.move(QPoint(0, 40))
    window.resize(window.width(), 520)
    window.set_overlay_visible(False)
    place = window.geometry()
    window.close()
    again = MainWindow(places=IniWindowPlaces())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.geometry().height() == place.height() == 520
    assert again.geometry().topLeft() == place.topLeft()
    assert not again.preview.overlay_visible()
    assert not again.overlay_action.isChecked()


def test_settings_and_closing_are_reported(qtbot: QtBot, window: MainWindow) -> None:
    settings_button = window.controls.findChild(type(window.controls.start_button), "settingsButton")
    assert settings_button is not None
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        qtbot.mouseClick(settings_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.window_closed, timeout=1000):
        window.close()


def test_the_delivery_panel_shows_with_local_analysis_only(
    window: MainWindow, builder: SessionBuilder
) -> None:
    figures = LocalDelivery(start=0, end=4, face_visible=1.0, eye_contact=0.85, speaking=0.6, pace_wpm=150)
    builder.result(0, 4, delivery=figures)
    window.set_status(running(backend="local"))
    window.set_snapshot(builder.snapshot(5))
    assert window.delivery_panel.isVisible()
    assert window.delivery_panel.value_text("Eye contact") == "85% · turned away –"
    assert window.delivery_panel.value_text("Pace") == "150 words/min · speaking 60%"
    window.set_status(running(backend="cloud"))
    assert not window.delivery_panel.isVisible()
