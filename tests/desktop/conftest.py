"""Fixtures for the live desktop tests: the app's own loop (qasync on the test's QApplication), the
real main window driven by a real `DesktopController`.

Tests run the app only inside `LiveApp.run`, as `app.cli.gui` runs it inside `run_until_complete`:
the loop processes the Qt events, so every asyncio callback runs with the loop marked running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from support.session_folders import recorded, session

from app.desktop.controller import DesktopController
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import Settings
from widgets.main_window import MainWindow

if TYPE_CHECKING:
    from support.desktop_helpers import LiveApp


__all__ = ["recorded", "session"]
"""Fixtures shared with the review tests: a session recorded by the real pipeline, a copy per test."""

SEGMENT_S = 3.0
"""The shortest segment the service takes: results come quickly and tests stay short."""
LOOP_CLOSE_TIMEOUT_S = 10.0


@pytest.fixture
def qt_loop(themed_app: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop bound to the test's QApplication, set as the current loop, closed at the end.

    A task still pending at the end is a leak: it is cancelled (so the loop can close cleanly)
    and the test fails. Closing the loop joins qasync's executor threads (`asyncio.to_thread`)
    and frees its Qt objects on this thread (see `app.runtime.event_loop`: without that, a later
    test segfaults).
    """
    from app.runtime.event_loop import close_loop

    loop = qasync.QEventLoop(themed_app)
    asyncio.set_event_loop(loop)
    left: list[asyncio.Task[object]] = []
    try:
        yield loop
    finally:
        left = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in left:
            task.cancel()
        if left:
            loop.run_until_complete(asyncio.wait(left, timeout=LOOP_CLOSE_TIMEOUT_S))
        loop.run_until_complete(loop.shutdown_asyncgens())
        close_loop(loop)
        asyncio.set_event_loop(None)
    assert not left, f"tasks left running: {[task.get_name() for task in left]}"


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def settings(recordings: Path) -> Settings:
    """Local analysis of the synthetic test signal at 640x480, 3 s segments, recorded under tmp_path."""
    return Settings(
        backend="local",
        camera=SYNTHETIC_CAMERA_ID,
        resolution="640x480",
        fps=30,
        segment_length_s=SEGMENT_S,
        recording_folder=recordings,
        retention_days=0,
    )


@pytest.fixture
def live(qtbot: QtBot, qt_loop: qasync.QEventLoop, settings: Settings) -> Iterator[LiveApp]:
    """The main window and its controller as `app.desktop.launch` wires them, shown (offscreen) and idle.

    A session still running at the end (a test that failed half-way) is stopped through the
    controller, so its threads, sockets and recording close before the loop does; only then is
    the window closed. (Not `qtbot.addWidget`: pytest-qt closes those before fixtures tear down.)
    """
    from support.desktop_helpers import LiveApp

    window = MainWindow()
    controller = DesktopController(window, settings, KeyStore(), library_versions())
    window.show()
    qtbot.waitExposed(window)
    app = LiveApp(window, controller, qt_loop)
    try:
        yield app
        if controller.state != "idle":
            app.run(controller.stop_session, timeout_s=60)
    finally:
        window.close()
        # Deleted now, on this thread: its wrapper may sit in a cycle the collector frees anywhere.
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
