"""What the uplink tests share: the segment length, the test key, and an event log to wait on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from app.model.events import Event, SessionEvent

SEGMENT_S = 3.2
KEY = "ih_live_0123456789abcdefSECRET"
E = TypeVar("E", bound=Event)


class EventLog:
    """Every event an uplink published, and a way to wait for one."""

    def __init__(self) -> None:
        self.events: list[SessionEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: SessionEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    async def wait_for(self, check: Callable[[EventLog], bool], timeout_s: float = 10.0) -> None:
        async def loop() -> None:
            while not check(self):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout_s)
