"""The status bar's texts: backend, connection countdown, counts, latency, rate, load, problems."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder

from app.model.view_state import PipelineStatus
from widgets.status_bar import StatusBar

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def bar(qtbot: QtBot) -> StatusBar:
    status_bar = StatusBar()
    qtbot.addWidget(status_bar)
    status_bar.resize(1400, 30)
    status_bar.show()
    qtbot.waitExposed(status_bar)
    return status_bar


def test_reconnect_countdown_counts_down_in_whole_seconds(bar: StatusBar, builder: SessionBuilder) -> None:
    builder.connection(1.0, "connected")
    builder.connection(10.0, "reconnecting", retry_in_s=5.0)
    bar.set_snapshot(builder.snapshot(10.5))
    assert "Reconnecting in 5 s" in bar.connection_label.text()
    bar.set_snapshot(builder.snapshot(12.2))
    assert "Reconnecting in 3 s" in bar.connection_label.text()
    bar.set_snapshot(builder.snapshot(14.99))
    assert "Reconnecting in 1 s" in bar.connection_label.text()
    builder.connection(15.5, "connected")
    bar.set_snapshot(builder.snapshot(16))
    assert "Connected" in bar.connection_label.text()


def test_counts_latency_and_upload_rate(bar: StatusBar, builder: SessionBuilder) -> None:
    bar.set_status(PipelineStatus(session_state="running"))
    builder.segment(0, 0, 4, size=100_000, latency_s=1.2)
    builder.segment(1, 4, 8, size=150_000, latency_s=0.8)
    builder.failed(9.0, 2, "Video could not be read.", "ih5002")
    builder.skipped(12.0, 3)
    bar.set_snapshot(builder.snapshot(12.5))
    assert bar.segments_label.text() == "Segments 2 sent · 2 done · 1 error · 1 skipped"
    assert bar.latency_label.text() == "Round trip 800 ms"
    assert bar.upload_label.text() == "Upload 100 kbit/s"  # 250 kB over the 20 s window
    bar.set_status(PipelineStatus(session_state="idle"))
    bar.set_snapshot(builder.snapshot(12.5))
    assert bar.upload_label.text() == "Upload –", "after Stop nothing is uploading"


def test_no_text_widens_the_status_bar(bar: StatusBar, builder: SessionBuilder) -> None:
    """Each counter gives up width before the window does (the window's width is the user's)."""
    bar.set_status(PipelineStatus(session_state="running", encoder_load=1.23, dropped_video_frames=99999))
    for index in range(200):
        builder.segment(index, 4 * index, 4 * index + 4, size=20_000_000, latency_s=12.3)
    builder.connection(800.0, "auth_rejected", detail="Key rejected")
    bar.set_snapshot(builder.snapshot(801))
    assert bar.minimumSizeHint().width() < 400


def test_backend_encoder_load_and_dropped_frames(bar: StatusBar) -> None:
    bar.set_status(PipelineStatus(backend="cloud", encoder_load=0.42, dropped_video_frames=0))
    assert bar.backend_label.text() == "Interhuman cloud"
    assert bar.encoder_label.text() == "Encoder 42 %"
    assert bar.dropped_label.text() == "Dropped 0"
    bar.set_status(PipelineStatus(backend="local", encoder_load=1.15, dropped_video_frames=7))
    assert bar.backend_label.text() == "Local analysis"
    assert bar.encoder_label.text() == "Encoder 115 %"
    assert "color" in bar.encoder_label.styleSheet(), "an overloaded encoder is flagged"
    assert bar.dropped_label.text() == "Dropped 7"


def test_a_narrow_bar_gives_up_the_lesser_counters_whole_not_every_counter_in_part(
    bar: StatusBar, builder: SessionBuilder
) -> None:
    bar.set_status(PipelineStatus(backend="cloud", session_state="running", encoder_load=0.5))
    builder.segment(0, 0, 4, latency_s=0.8)
    bar.set_snapshot(builder.snapshot(5))
    QApplication.processEvents()
    assert all(label.isVisible() for label in (bar.latency_label, bar.upload_label, bar.encoder_label))
    bar.resize(720, 30)
    QApplication.processEvents()
    shown = [label for label in bar.findChildren(QLabel) if label.isVisible()]
    assert bar.segments_label in shown and bar.connection_label in shown and bar.backend_label in shown
    assert not bar.dropped_label.isVisible(), "the least needed goes first"
    for label in shown:
        assert label.width() >= label.sizeHint().width() - 1, f"{label.objectName()} is cut"
