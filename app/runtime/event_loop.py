"""asyncio on the Qt main thread (qasync), opened and closed the one safe way.

qasync's `close()` leaves its timer object with live Qt timers. The loop sits in reference
cycles, so Python's collector frees it later on whichever thread happens to collect, and a QObject
deleted off its thread leaves its timers behind ("Timers cannot be stopped from another thread"):
the next timer event then segfaults in `QCoreApplication::notifyInternal2`. `close_loop` deletes
those C++ objects on the main thread first, which makes the later collection harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication


def close_loop(loop: qasync.QEventLoop) -> None:
    """Close a qasync loop and free its Qt objects now, on this (the main) thread."""
    loop.close()
    for name in ("_timer", "_QEventLoop__call_soon_signaller"):
        qobject = getattr(loop, name, None)
        if qobject is not None and shiboken6.isValid(qobject):
            shiboken6.delete(qobject)


@contextmanager
def qt_event_loop(app: QCoreApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop on `app`, set as the current event loop while the block runs."""
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        close_loop(loop)
        asyncio.set_event_loop(None)
