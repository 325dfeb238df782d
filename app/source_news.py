"""From the capture threads to the session's loop: callbacks that hop threads, and the sources' news
turned into session events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from app.events import CaptureProblem, SessionEvent
from capture.media import CaptureError, SessionClock

log = logging.getLogger(__name__)


def on_loop(loop: asyncio.AbstractEventLoop, callback: Callable[..., None]) -> Callable[..., None]:
    """`callback`, callable from any thread, run on `loop`; dropped once the loop has closed."""

    def hop(*args: object) -> None:
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop has closed: the session is over
            log.debug("dropped a late callback %s", getattr(callback, "__name__", callback))

    return hop


class SourceNews:
    """The `SourceObserver` of a session: the sources report on their own threads, the session
    hears it on its loop as `CaptureProblem` events, and `finished` when a finite source is done."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        clock: SessionClock,
        emit: Callable[[SessionEvent], None],
        finished: Callable[[str], None],
    ) -> None:
        self._clock = clock
        self._emit = emit
        self.source_error = on_loop(loop, self._on_error)
        self.source_recovered = on_loop(loop, self._on_recovered)
        self.source_finished = on_loop(loop, finished)

    def _on_error(self, error: CaptureError) -> None:
        self._emit(
            CaptureProblem(
                t=self._clock.now(), source=error.source or "capture", level="error", message=str(error)
            )
        )

    def _on_recovered(self, source: str) -> None:
        self._emit(
            CaptureProblem(t=self._clock.now(), source=source, level="info", message=f"The {source} is back.")
        )
