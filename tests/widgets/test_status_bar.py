"""The status bar's texts: backend, connection countdown, counts, latency, rate, load, problems."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder

from app.model.view_state import PipelineStatus
from widgets.status_bar import StatusBar

pytestmark = pytest.mark.timeout(60)


class UrlRecorder(QObject):
    """Takes the place of the browser for https links, through Qt's own URL-handler hook."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser() -> Iterator[UrlRecorder]:
    recorder = UrlRecorder()
    QDesktopServices.setUrlHandler("https", recorder, "open")
    yield recorder
    QDesktopServices.unsetUrlHandler("https")


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
    builder.segment(0, 0, 4, size=100_000, latency_s=1.2)
    builder.segment(1, 4, 8, size=150_000, latency_s=0.8)
    builder.failed(9.0, 2, "Video could not be read.", "ih5002")
    builder.skipped(12.0, 3)
    bar.set_snapshot(builder.snapshot(12.5))
    assert bar.segments_label.text() == "Segments 2 sent · 2 done · 1 error · 1 skipped"
    assert bar.latency_label.text() == "Round trip 800 ms"
    assert bar.upload_label.text() == "Upload 100 kbit/s"  # 250 kB over the 20 s window


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


def test_server_error_shows_message_and_opens_its_details_link(
    bar: StatusBar, builder: SessionBuilder, browser: UrlRecorder, qtbot: QtBot
) -> None:
    link = "https://docs.interhuman.ai/errors#ih6002"
    builder.failed(20.0, 4, "Message too large.", "ih6002", link)
    bar.set_snapshot(builder.snapshot(21))
    problem = bar.problem
    assert problem.isVisible()
    assert "ih6002" in problem.label.text()
    assert "Message too large." in problem.label.text()
    assert f"href='{link}'" in problem.label.text()
    with qtbot.waitSignal(problem.link_opened, timeout=2000) as opened:
        problem.label.linkActivated.emit(link)
    assert opened.args == [link]
    assert browser.opened == [link]


def test_links_that_are_not_web_pages_are_neither_shown_nor_opened(
    bar: StatusBar, builder: SessionBuilder, browser: UrlRecorder
) -> None:
    builder.failed(20.0, 4, "Bad segment.", "ih5004", "file:///etc/passwd")
    bar.set_snapshot(builder.snapshot(21))
    assert "href" not in bar.problem.label.text()
    bar.problem.label.linkActivated.emit("file:///etc/passwd")
    assert browser.opened == []


def test_a_problem_can_be_dismissed_and_a_new_one_shows_again(
    bar: StatusBar, builder: SessionBuilder
) -> None:
    builder.failed(5.0, 1, "Video could not be read.", "ih5002")
    bar.set_snapshot(builder.snapshot(6))
    bar.problem.clear()
    bar.set_snapshot(builder.snapshot(7))
    assert not bar.problem.isVisible(), "a dismissed problem stays dismissed"
    builder.connection(8.0, "lost", detail="The network went away. Retrying.")
    bar.set_snapshot(builder.snapshot(9))
    assert bar.problem.isVisible()
    assert "The network went away. Retrying." in bar.problem.label.text()
    bar.show_problem("The camera could not be opened. Close other apps using it.")
    assert "The camera could not be opened" in bar.problem.label.text()
