"""Running a function on the Qt main thread from any thread, and waiting for its result.

Screen capture objects belong to the thread of the `QGuiApplication` (they use its `QScreen`s),
while the session starts and stops video sources from worker threads (`asyncio.to_thread`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QThread, QTimer

T = TypeVar("T")


class QtThreadTimeout(RuntimeError):
    """The Qt main thread did not run the call in time (its event loop is not turning)."""


def on_qt_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


def call_on_qt_thread(function: Callable[[], T], timeout_s: float = 5.0) -> T:
    """`function()` run on the application's thread; what it raises is raised here."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("no Qt application: create one before using screen capture")
    if QThread.currentThread() == app.thread():
        return function()
    done, abandoned = threading.Event(), threading.Event()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        if abandoned.is_set():  # the caller gave up: doing it now would leave it undone-able by no one
            return
        try:
            outcome.append(function())
        except BaseException as error:  # handed to the waiting thread, which raises it
            failure.append(error)
        finally:
            done.set()

    # With a zero delay and a context object Qt queues the call to the context's thread,
    # which works from threads without an event loop of their own.
    QTimer.singleShot(0, app, run)
    if not done.wait(timeout_s):
        abandoned.set()
        raise QtThreadTimeout(f"the Qt main thread did not answer within {timeout_s:.0f} s")
    if failure:
        raise failure[0]
    return outcome[0]
