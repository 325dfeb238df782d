"""The main window fits a 1024x600 screen, and no text it shows ever changes its size: long
problems wrap in their own row, counters give way, and the window keeps the size the user gave it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder

from app.model.view_state import DeviceOption, DeviceStatus, PipelineStatus
from app.model.wire_v0 import QualityScores
from widgets.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)

SMALL_SCREEN = QSize(1024, 600)
TITLE_AND_PANEL_PX = 60
"""A window manager's title bar and a desktop panel take about this much of the height."""
LONG_PROBLEM = (
    "Cannot stream to the analysis server (the server did not answer within 10 s). Check the "
    "address and your network, then start again; the recording keeps every segment meanwhile."
)


def test_the_window_can_be_as_small_as_a_1024x600_screen_needs(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_devices(
        [DeviceOption("0", "Integrated Camera: Integrated C (usb-0000:00:14.0-8)")],
        [DeviceOption("alsa_input.usb-Blue_Yeti-00.analog-stereo", "Yeti Stereo Microphone Analog Stereo")],
    )
    window.show_problem(LONG_PROBLEM)
    window.set_status(
        PipelineStatus(backend="cloud", session_state="running", encoder_load=1.5, dropped_video_frames=123)
    )
    QApplication.processEvents()
    room = QSize(SMALL_SCREEN.width(), SMALL_SCREEN.height() - TITLE_AND_PANEL_PX)
    for size in (window.minimumSize(), window.minimumSizeHint()):
        assert size.width() <= room.width() and size.height() <= room.height(), size


def test_no_text_changes_the_windows_size(qtbot: QtBot, builder: SessionBuilder) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(window.minimumSize())
    QApplication.processEvents()
    size = window.size()
    window.set_status(
        PipelineStatus(
            backend="cloud",
            session_state="running",
            encoder_load=1.23,
            dropped_video_frames=98765,
            camera=DeviceStatus("Integrated Camera"),
            api_key_configured=True,
        )
    )
    for index in range(120):
        builder.segment(index, 4 * index, 4 * index + 4, size=1_900_000, latency_s=12.5)
    builder.connection(500.0, "reconnecting", retry_in_s=21.0, detail="the connection was refused")
    for t in (500.5, 501.5, 505.0):
        window.set_snapshot(builder.snapshot(t))
        window.show_problem(f"{LONG_PROBLEM} ({t:g})")
        QApplication.processEvents()
        assert window.size() == size, f"the window changed size at t={t:g}"
    assert window.status_bar.segments_label.isVisible(), "what matters most keeps its place"
    assert window.problem_banner.label.width() > size.width() * 0.8, "the problem has the whole row"


def test_a_short_window_scrolls_the_side_panel_rather_than_squeeze_its_rows(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(window.minimumSize())
    scores = QualityScores(
        quality_index=56.0, clarity=50.0, authority=50.0, energy=70.0, rapport=55.0, learning=57.0
    )
    builder.result(
        0, 4, signals=[("stress", "high", "picture motion")], overall=scores, window_quality=scores
    )
    window.set_status(PipelineStatus(session_state="running", api_key_configured=False))
    window.set_snapshot(builder.snapshot(5))
    QApplication.processEvents()
    squeezed = [
        label.text()
        for label in window.quality_panel.findChildren(QLabel)
        if label.isVisible() and label.height() < label.minimumSizeHint().height()
    ]
    assert squeezed == [], "rows drawn over each other"
