"""The sources' news, reported on their own threads, turned into session events on the session's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.model.events import CaptureProblem, SessionEvent
from app.session.thread_hop import on_loop
from capture.media import CaptureError, SessionClock


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
