"""Fixtures for the live desktop tests: the app's own loop (qasync on the test's QApplication), the
real main window driven by a real `DesktopController`, and checks that nothing outlives a test.

Tests run the app only inside `LiveApp.run`, as `app.gui` runs it inside `run_until_complete`:
the loop processes the Qt events, so every asyncio callback runs with the loop marked running.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.desktop import DesktopController
from app.keystore import KeyStore
from app.settings import Settings
from app.view_state import SYNTHETIC_CAMERA_ID
from widgets.main_window import MainWindow

if TYPE_CHECKING:
    from desktop_helpers import LiveApp


SEGMENT_S = 3.0
"""The shortest segment the service takes: results come quickly and tests stay short."""
LOOP_CLOSE_TIMEOUT_S = 10.0


def _open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:  # closed while we looked
            continue
    return count


def _python_threads() -> set[threading.Thread]:
    # Dummy entries stand for threads Python did not start (Qt's); 3.11 never removes them.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread) and t.is_alive()}


@pytest.fixture(autouse=True)
def _nothing_left_behind() -> Iterator[None]:
    """No thread and no socket outlives the test (the loop, the window and the session are gone)."""
    threads, sockets = _python_threads(), _open_sockets()
    yield
    deadline = time.monotonic() + 5.0
    while (left := _python_threads() - threads) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"threads left behind: {sorted(t.name for t in left)}"
    assert _open_sockets() <= sockets, "sockets left open"


@pytest.fixture
def qt_loop(themed_app: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop bound to the test's QApplication, set as the current loop, closed at the end.

    A task still pending at the end is a leak: it is cancelled (so the loop can close cleanly)
    and the test fails. Closing the loop joins qasync's executor threads (`asyncio.to_thread`)
    and frees its Qt objects on this thread (see `app.qt_loop`: without that, a later
    test segfaults).
    """
    from app.qt_loop import close_loop

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
    """The main window and its controller as `app.gui` wires them, shown (offscreen) and idle.

    A session still running at the end (a test that failed half-way) is stopped through the
    controller, so its threads, sockets and recording close before the loop does; only then is
    the window closed. (Not `qtbot.addWidget`: pytest-qt closes those before fixtures tear down.)
    """
    from desktop_helpers import LiveApp

    window = MainWindow()
    controller = DesktopController(window, settings, KeyStore())
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
