"""The source picker (cameras, screens, windows, a region, the test signal, a file), the meeting audio
in the sound picker, the region picker's drag, and the status bar naming what is captured."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.model.view_state import (
    MEETING_AUDIO_ID,
    MIC_AND_MEETING_ID,
    DeviceOption,
    PipelineStatus,
    source_label,
)
from widgets.controls import REGION_ENTRY_ID
from widgets.main_window import MainWindow
from widgets.region_picker import RegionPicker
from widgets.status_bar import StatusBar

SOURCES = [
    DeviceOption("0", "Integrated Camera"),
    DeviceOption("screen:0", "Screen 1 (1920x1080)"),
    DeviceOption("window:Zoom Meeting", "Window: Zoom Meeting"),
]
UNAVAILABLE = "Meeting audio is not available on Windows yet."
MICROPHONES = [
    DeviceOption("Built-in Microphone", "Built-in Microphone"),
    DeviceOption(MEETING_AUDIO_ID, "Meeting audio (what this computer plays)", UNAVAILABLE),
    DeviceOption(MIC_AND_MEETING_ID, "Microphone and meeting audio", UNAVAILABLE),
]


def entries(combo: object) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count()) if combo.itemText(i)]  # type: ignore[attr-defined]


def choose(qtbot: QtBot, window: MainWindow, data: str) -> list[object]:
    combo = window.controls.camera_combo
    with qtbot.waitSignal(window.camera_chosen, timeout=1000) as chosen:
        index = combo.findData(data)
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
    return chosen.args


def test_screens_windows_and_a_region_are_sources(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_devices(SOURCES, MICROPHONES, "window:Zoom Meeting")
    combo = window.controls.camera_combo
    assert entries(combo) == [
        "Integrated Camera",
        "Screen 1 (1920x1080)",
        "Window: Zoom Meeting",
        "Region of the screen…",
        "Synthetic test signal",
        "Video file…",
    ]
    assert combo.currentText() == "Window: Zoom Meeting"
    assert choose(qtbot, window, "screen:0") == ["screen:0"]

    window.controls.pick_region = lambda _parent: "region:0:640x360+100+80"
    assert choose(qtbot, window, REGION_ENTRY_ID) == ["region:0:640x360+100+80"]
    assert combo.currentText() == "Region of screen 1 (640x360)", "the picked region is the choice"

    window.controls.pick_region = lambda _parent: None  # Esc: the choice stays
    combo.activated.emit(combo.findData(REGION_ENTRY_ID))
    assert combo.currentData() == "region:0:640x360+100+80"


def test_a_window_that_is_not_open_stays_the_choice(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_devices(SOURCES[:1], MICROPHONES, "window:Teams call")
    assert (
        window.controls.camera_combo.currentText() == source_label("window:Teams call") == "Teams call window"
    )


def test_meeting_audio_is_offered_and_greyed_out_with_the_reason_where_it_cannot_be_had(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_devices(SOURCES, MICROPHONES)
    mics = window.controls.microphone_combo
    assert "Meeting audio (what this computer plays)" in entries(mics)
    index = mics.findData(MEETING_AUDIO_ID)
    assert not mics.model().item(index).isEnabled()  # type: ignore[attr-defined]
    assert mics.itemData(index, Qt.ItemDataRole.ToolTipRole) == UNAVAILABLE
    available = [DeviceOption(MEETING_AUDIO_ID, "Meeting audio (what this computer plays)")]
    window.set_devices(SOURCES, available)
    assert mics.model().item(mics.findData(MEETING_AUDIO_ID)).isEnabled()  # type: ignore[attr-defined]


def test_the_status_bar_says_what_is_captured(qtbot: QtBot) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_status(PipelineStatus(session_state="running", capturing="Zoom Meeting window"))
    assert bar.capturing_label.isVisible() and bar.capturing_label.text() == "Capturing: Zoom Meeting window"
    bar.set_status(PipelineStatus())
    assert not bar.capturing_label.isVisible()


def test_dragging_over_the_screen_picks_a_region(qtbot: QtBot) -> None:
    screen = QGuiApplication.primaryScreen()
    picker = RegionPicker(screen, 0)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    with qtbot.waitSignal(picker.chosen, timeout=1000) as chosen:
        qtbot.mousePress(picker, Qt.MouseButton.LeftButton, pos=QPoint(100, 80))
        qtbot.mouseMove(picker, QPoint(300, 200))
        qtbot.mouseRelease(picker, Qt.MouseButton.LeftButton, pos=QPoint(420, 260))
    assert chosen.args == [0, 100, 80, 320, 180]


def test_a_click_without_a_drag_picks_nothing_and_esc_gives_up(qtbot: QtBot) -> None:
    picker = RegionPicker(QGuiApplication.primaryScreen(), 0)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    with qtbot.waitSignal(picker.cancelled, timeout=1000):
        qtbot.keyClick(picker, Qt.Key.Key_Escape)
