"""Ctrl-C, SIGTERM and SIGHUP for a command that finishes its work before it exits.

The first of them asks for a graceful stop: the same for all three, so `kill`, a closed terminal
and Ctrl-C all end with the drain and the summary. The second asks to stop at once: the command
cuts its drain short, and should it still be busy `HARD_EXIT_AFTER_S` later (a socket that will
not close, a thread that will not join), the process exits with 130 there and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

from app.cli.exit_codes import EXIT_INTERRUPTED

log = logging.getLogger(__name__)

HARD_EXIT_AFTER_S = 3.0
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupts:
    """While entered, the signals above call `on_first(name)`, then `on_second(name)`, on `loop`."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_first: Callable[[str], None],
        on_second: Callable[[str], None],
    ) -> None:
        self._loop = loop
        self._on_first = on_first
        self._on_second = on_second
        self._previous: dict[int, object] = {}
        self._timer: threading.Timer | None = None
        self.count = 0

    @property
    def at_once(self) -> bool:
        """A second signal came: the command should end with `EXIT_INTERRUPTED`."""
        return self.count > 1

    def __enter__(self) -> Interrupts:
        # Python runs these between bytecodes on the main thread; the caller keeps the Qt loop
        # ticking so that they get their turn.
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]  # what signal.signal returned
        if self._timer is not None:
            self._timer.cancel()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.count += 1
        name = signal.Signals(signum).name
        log.info("%s received (%d so far)", name, self.count)
        if self.count == 1:
            self._loop.call_soon_threadsafe(self._on_first, name)
            return
        if self.count == 2:
            self._loop.call_soon_threadsafe(self._on_second, name)
            self._timer = threading.Timer(HARD_EXIT_AFTER_S, _exit_now)
            self._timer.daemon = True
            self._timer.start()


def _exit_now() -> None:
    log.warning("still busy %g s after the second interrupt: exiting now", HARD_EXIT_AFTER_S)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(EXIT_INTERRUPTED)
