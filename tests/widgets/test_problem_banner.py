"""The problem row: the latest problem in full, its details link, dismissing, and taking it back
once it no longer holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder

from widgets.problem_banner import PROBLEM_LINES, ProblemBanner

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
def banner(qtbot: QtBot) -> ProblemBanner:
    row = ProblemBanner()
    qtbot.addWidget(row)
    row.resize(1000, 40)
    return row


def test_server_error_shows_message_and_opens_its_details_link(
    banner: ProblemBanner, builder: SessionBuilder, browser: UrlRecorder, qtbot: QtBot
) -> None:
    link = "https://docs.interhuman.ai/errors#ih6002"
    builder.failed(20.0, 4, "Message too large.", "ih6002", link)
    banner.set_snapshot(builder.snapshot(21))
    problem = banner
    assert not problem.isHidden()
    assert "ih6002" in problem.label.text()
    assert "Message too large." in problem.label.text()
    assert f"href='{link}'" in problem.label.text()
    with qtbot.waitSignal(problem.link_opened, timeout=2000) as opened:
        problem.label.linkActivated.emit(link)
    assert opened.args == [link]
    assert browser.opened == [link]


def test_links_that_are_not_web_pages_are_neither_shown_nor_opened(
    banner: ProblemBanner, builder: SessionBuilder, browser: UrlRecorder
) -> None:
    builder.failed(20.0, 4, "Bad segment.", "ih5004", "file:///etc/passwd")
    banner.set_snapshot(builder.snapshot(21))
    assert "href" not in banner.label.text()
    banner.label.linkActivated.emit("file:///etc/passwd")
    assert browser.opened == []


def test_a_problem_can_be_dismissed_and_a_new_one_shows_again(
    banner: ProblemBanner, builder: SessionBuilder
) -> None:
    builder.failed(5.0, 1, "Video could not be read.", "ih5002")
    banner.set_snapshot(builder.snapshot(6))
    banner.clear()
    banner.set_snapshot(builder.snapshot(7))
    assert banner.isHidden(), "a dismissed problem stays dismissed"
    builder.connection(8.0, "lost", detail="The network went away. Retrying.")
    banner.set_snapshot(builder.snapshot(9))
    assert not banner.isHidden()
    assert "The network went away. Retrying." in banner.label.text()
    banner.show_message("The camera could not be opened. Close other apps using it.")
    assert "The camera could not be opened" in banner.label.text()


def test_a_problem_goes_once_it_no_longer_holds(banner: ProblemBanner, builder: SessionBuilder) -> None:
    builder.connection(1.0, "connected")
    builder.connection(5.0, "lost", detail="The connection closed (1006).")
    banner.set_snapshot(builder.snapshot(5.5))
    assert "The connection closed (1006)." in banner.label.text()
    builder.connection(7.0, "connected")
    banner.set_snapshot(builder.snapshot(7.5))
    assert banner.isHidden() and banner.problem is None, "the connection is back: nothing is wrong"

    builder.failed(9.0, 2, "Video could not be read.", "ih5002")
    banner.set_snapshot(builder.snapshot(9.5))
    assert "Video could not be read." in banner.label.text()
    builder.segment(3, 8, 12)
    banner.set_snapshot(builder.snapshot(13))
    assert banner.isHidden(), "segments complete again"


def test_a_message_about_a_source_goes_when_that_source_is_fine_again(banner: ProblemBanner) -> None:
    banner.show_message("No camera found at index 0.", source="camera")
    banner.clear("microphone")
    assert banner.problem is not None, "about another source: it still holds"
    banner.clear("camera")
    assert banner.problem is None and banner.isHidden()


def test_a_long_problem_is_read_in_full_not_cut_to_a_few_words(banner: ProblemBanner) -> None:
    message = (
        "Cannot stream to the analysis server (the connection was refused). Check the address and "
        "your network, then start again."
    )
    banner.resize(700, 40)
    banner.show_message(message)
    banner.show()
    label = banner.label
    assert label.wordWrap() and label.width() > 600, "the row's width, not ~20 characters"
    lines = label.heightForWidth(label.width()) / label.fontMetrics().lineSpacing()
    assert 1 < lines <= PROBLEM_LINES
    assert banner.minimumSizeHint().width() < 200, "wrapping, never widening the window"
