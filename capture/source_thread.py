"""`SourceThread`: a capture source's own thread, and the promise its `stop` makes: once `stop`
returns, no sink call follows, whichever thread asked (the sink's own, too)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class SourceThread:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = threading.Event()
        self._delivery = threading.RLock()
        """Held around every sink call (re-entrant: a sink may call `stop` from inside one)."""
        self._delivering = False
        self._thread: threading.Thread | None = None

    def start(self, target: Callable[[], None]) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self.name} was started twice")
        self._delivering = True
        self._thread = threading.Thread(target=target, name=self.name.replace(" ", "-"), daemon=True)
        self._thread.start()

    @contextmanager
    def delivering(self) -> Iterator[bool]:
        """Whether the sink may still be called; hold it for the whole call."""
        with self._delivery:
            yield self._delivering

    def stop(self, timeout_s: float) -> None:
        """Idempotent, from any thread."""
        self.stopping.set()
        with self._delivery:
            self._delivering = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout_s)
            if thread.is_alive():
                # Stuck in a driver's or a sound server's read: it ends when the read returns, and
                # the sink hears nothing more meanwhile.
                log.warning("the %s thread is still in a read after %.0f s", self.name, timeout_s)
