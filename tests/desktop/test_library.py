"""The Library and review windows on real recordings: listing, rename, trash, playing and seeking,
and "Review this session" after a live session stops."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot
from support.desktop_helpers import LiveApp
from support.session_folders import copy_session, end_unexpectedly, set_started

from app.desktop.library_controller import LibraryController
from app.desktop.review_controller import ReviewController
from app.store.settings import Settings
from widgets.library_window import UNEXPECTED


def run(loop: qasync.QEventLoop, coroutine: object, timeout_s: float = 30.0) -> object:
    return loop.run_until_complete(asyncio.wait_for(coroutine, timeout_s))  # type: ignore[arg-type]


@pytest.fixture
def library(qt_loop: qasync.QEventLoop, settings: Settings, recorded: Path) -> Iterator[LibraryController]:
    root = settings.recording_folder
    for day, title in ((1, "First go"), (2, None)):
        folder = copy_session(recorded, root / f"2026120{day}-100000-abcd000{day}")
        set_started(folder, datetime(2026, 12, day, 10, 0, tzinfo=UTC), title)
    end_unexpectedly(root / "20261202-100000-abcd0002")
    controller = LibraryController(lambda: settings)
    try:
        yield controller
    finally:
        controller.close_all()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        controller.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


async def until(predicate: object, timeout_s: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {timeout_s:g} s for {what}")
        await asyncio.sleep(0.05)


def test_the_library_lists_opens_and_plays(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, library: LibraryController
) -> None:
    window = library.show_library()
    run(qt_loop, library.listed.wait())
    model = window.model
    assert [model.data(model.index(row, 1)) for row in range(model.rowCount())][1] == "First go"
    assert model.data(model.index(0, 7)) == UNEXPECTED and model.data(model.index(1, 7)) == ""
    assert "2 session(s)" in window.note.text()
    window.table.selectRow(1)
    window.open_action.trigger()
    (review,) = library.reviews
    run(qt_loop, review.ready.wait())
    assert review.player.error() == QMediaPlayer.Error.NoError
    assert review.player.mediaStatus() not in (
        QMediaPlayer.MediaStatus.NoMedia,
        QMediaPlayer.MediaStatus.InvalidMedia,
    )
    assert review.window.title.text() == "First go"
    timeline = review.window.timeline
    qtbot.waitExposed(review.window)
    x = round(timeline.x_for(10.0))
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
    run(
        qt_loop, until(lambda: abs(review.player.position() - 10_000) < 400, 10, "the player to seek to 0:10")
    )
    qtbot.keyClick(review.window, Qt.Key.Key_Left)
    run(qt_loop, until(lambda: review.player.position() < 6_000, 10, "the player to jump back 5 s"))
    qtbot.keyClick(review.window, Qt.Key.Key_Space)
    run(
        qt_loop,
        until(lambda: review.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, 10, "play"),
    )
    start = review.player.position()
    run(qt_loop, until(lambda: review.player.position() > start + 500, 10, "the playhead to move"))
    assert abs(timeline.position() * 1000 - review.player.position()) < 500
    assert review.window.now_signals.model.rowCount() > 0
    qtbot.keyClick(review.window, Qt.Key.Key_Space)
    run(
        qt_loop,
        until(lambda: review.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState, 10, "pause"),
    )


def test_rename_and_delete_from_the_library(
    qt_loop: qasync.QEventLoop, library: LibraryController, settings: Settings
) -> None:
    if "send2trash" in sys.modules:
        pytest.skip("send2trash was imported before this test's home was set; its trash could be the user's")
    window = library.show_library()
    run(qt_loop, library.listed.wait())
    first = settings.recording_folder / "20261201-100000-abcd0001"
    library.listed.clear()
    window.rename_requested.emit(str(first), "Board pitch")
    run(qt_loop, library.listed.wait())
    assert [e.title for e in library.entries][1] == "Board pitch"
    library.listed.clear()
    window.delete_requested.emit(str(first))
    run(qt_loop, library.listed.wait())
    assert [e.name for e in library.entries] == ["20261202-100000-abcd0002"]
    trash = Path(os.environ["XDG_DATA_HOME"]) / "Trash" / "files" / first.name
    assert (trash / "session.json").exists(), "the deleted session went to this test's own trash"


def test_review_this_session_after_a_live_stop(live: LiveApp) -> None:
    window = live.window
    assert not window.review_action.isEnabled()

    async def scenario() -> ReviewController:
        await live.start_session()
        await live.until_completed(2)
        folder = live.recording_folder()
        await live.stop_session()
        assert window.review_action.isEnabled() and window.review_button.isVisibleTo(window)
        assert live.controller.last_recording == folder
        library = LibraryController(lambda: live.controller.settings, live.controller)
        window.review_requested.connect(lambda: library.open_review(live.controller.last_recording))  # type: ignore[arg-type]
        window.review_action.trigger()
        (review,) = library.reviews
        await review.ready.wait()
        return review

    review = live.run(scenario, timeout_s=90)
    try:
        assert review.joined is not None and review.joined.path.parent == live.controller.last_recording
        assert review.window.timeline._review is not None
        assert review.window.timeline._review.delivery.counts.completed >= 2
    finally:
        review.close()
