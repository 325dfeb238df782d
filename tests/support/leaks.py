"""What a test may not leave behind: Python threads, open sockets, running Qt timers, shown windows.

The root conftest checks every test with these, as napari's does: a leak found in one test would
otherwise surface as a hang or a crash in some later, unrelated one.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

GRACE_S = 5.0
"""Threads and sockets get this long to wind down after the test's own teardown."""


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:  # closed while we looked
            continue
    return count


def python_threads() -> set[threading.Thread]:
    # Dummy entries stand for threads Python did not start (Qt's); 3.11 never removes them.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread) and t.is_alive()}


def _settle(still_leaking: Callable[[], bool]) -> None:
    deadline = time.monotonic() + GRACE_S
    while still_leaking() and time.monotonic() < deadline:
        time.sleep(0.05)


@contextmanager
def qt_timers_watched() -> Iterator[list[weakref.ReferenceType[Any]]]:
    """Every `QTimer` started inside the block, by weak reference (only when Qt is loaded)."""
    started: list[weakref.ReferenceType[Any]] = []
    if "PySide6.QtCore" not in sys.modules:
        yield started
        return
    from PySide6.QtCore import QTimer

    original = QTimer.start

    def start(self: QTimer, *args: Any) -> None:
        started.append(weakref.ref(self))
        original(self, *args)

    QTimer.start = start  # type: ignore[method-assign]
    try:
        yield started
    finally:
        QTimer.start = original  # type: ignore[method-assign]


def shown_windows() -> set[int]:
    """The ids of the visible top-level widgets, once pending deletions have happened."""
    if "PySide6.QtWidgets" not in sys.modules:
        return set()
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return set()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return {id(widget) for widget in QApplication.topLevelWidgets() if widget.isVisible()}


def problems(
    threads: set[threading.Thread], sockets: int, timers: list[weakref.ReferenceType[Any]], windows: set[int]
) -> list[str]:
    """What outlived the test, compared with what there was before it."""
    import shiboken6

    found: list[str] = []
    new_windows = shown_windows() - windows
    if new_windows:
        found.append(f"{len(new_windows)} window(s) left open")
    running = [
        timer
        for ref in timers
        if (timer := ref()) is not None and shiboken6.isValid(timer) and timer.isActive()
    ]
    if running:
        found.append(f"Qt timers left running: {[t.objectName() or repr(t) for t in running]}")
    _settle(lambda: bool(python_threads() - threads) or open_sockets() > sockets)
    left = python_threads() - threads
    if left:
        found.append(f"threads left behind: {sorted(t.name for t in left)}")
    if open_sockets() > sockets:
        found.append("sockets left open")
    return found
