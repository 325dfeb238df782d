"""Where each submitted segment stands: queued → sent → processing → result → completed | error | skipped.

The server numbers the binary frames of each connection 1, 2, 3, … and reports by that number,
so the tracker keeps, per connection, which segment went out under which number and how many
media seconds preceded it (the connection offset of PROTOCOL.md §4). Bookkeeping without I/O; an
asyncio event lets the sender wait for work and `stop` wait for the drain.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from app.model.time_base import SegmentPlacement
from capture.encoder_config import MAX_SEGMENT_BYTES, MIN_SEGMENT_BYTES, MIN_SEGMENT_S
from capture.media import Segment

SegmentState = Literal["queued", "sent", "processing", "result", "completed", "error", "skipped"]

_DURATION_SLACK_S = 1e-6  # t1 - t0 of a segment cut at exactly 3.0 s may come out as 2.9999999


@dataclass(slots=True)
class TrackedSegment:
    segment: Segment
    state: SegmentState = "queued"
    connection: int = 0
    server_number: int = 0
    sent_at: float | None = None
    """`time.monotonic()` when the last byte went to the socket."""

    @property
    def index(self) -> int:
        return self.segment.index


def limits_problem(segment: Segment) -> str | None:
    """Why the service would refuse `segment` (PROTOCOL.md §3), or None if it is within the limits."""
    if segment.duration_s < MIN_SEGMENT_S - _DURATION_SLACK_S:
        return f"{segment.duration_s:.2f} s long, under the {MIN_SEGMENT_S:g} s minimum"
    if segment.size_bytes < MIN_SEGMENT_BYTES:
        return f"{segment.size_bytes} bytes, under the {MIN_SEGMENT_BYTES} byte minimum"
    if segment.size_bytes > MAX_SEGMENT_BYTES:
        return f"{segment.size_bytes} bytes, over the {MAX_SEGMENT_BYTES} byte maximum"
    return None


class SegmentTracker:
    def __init__(self) -> None:
        self._queue: deque[TrackedSegment] = deque()
        self._on_connection: list[TrackedSegment] = []
        """Everything sent on the current connection, in the server's numbering (number n at n-1)."""
        self._in_flight: dict[int, TrackedSegment] = {}
        self.connection = 0
        self._changed = asyncio.Event()

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def idle(self) -> bool:
        """Nothing waits to be sent and nothing sent waits for its answer."""
        return not self._queue and not self._in_flight

    def enqueue(self, segment: Segment) -> TrackedSegment:
        tracked = TrackedSegment(segment)
        self._queue.append(tracked)
        self.notify()
        return tracked

    def notify(self) -> None:
        """Wake whoever waits on the tracker: something changed (or a wait should end)."""
        self._changed.set()

    async def wait_changed(self) -> None:
        """Return at the next change; call right after finding nothing to do, with no await between."""
        self._changed.clear()
        await self._changed.wait()

    def pop_stale(self, now: float, stale_after_s: float) -> list[TrackedSegment]:
        """Remove and return the unsent segments that ended more than `stale_after_s` before `now`."""
        stale = [t for t in self._queue if now - t.segment.t1 > stale_after_s]
        for tracked in stale:
            self._queue.remove(tracked)
            tracked.state = "skipped"
        if stale:
            self.notify()
        return stale

    def pop_queued(self) -> list[TrackedSegment]:
        """Remove and return every segment waiting to be sent (sending was paused)."""
        queued = list(self._queue)
        self._queue.clear()
        for tracked in queued:
            tracked.state = "skipped"
        if queued:
            self.notify()
        return queued

    def next_to_send(self, max_in_flight: int) -> TrackedSegment | None:
        """The oldest queued segment, if the in-flight window has room for it."""
        if not self._queue or len(self._in_flight) >= max_in_flight:
            return None
        return self._queue[0]

    def mark_sending(self, tracked: TrackedSegment) -> int:
        """Move the head of the queue in flight on the current connection; returns its server number.

        Called before the bytes go out, so that an answer arriving before `send` returns finds it.
        """
        if not self._queue or self._queue[0] is not tracked:
            raise ValueError("segments go out in queue order")
        self._queue.popleft()
        self._on_connection.append(tracked)
        tracked.state = "sent"
        tracked.connection = self.connection
        tracked.server_number = len(self._on_connection)
        tracked.sent_at = None
        self._in_flight[tracked.server_number] = tracked
        return tracked.server_number

    def by_number(self, server_number: int) -> TrackedSegment | None:
        """The segment sent under `server_number` on the current connection, if any."""
        if 1 <= server_number <= len(self._on_connection):
            return self._on_connection[server_number - 1]
        return None

    def finish(self, tracked: TrackedSegment, state: Literal["completed", "error"]) -> None:
        tracked.state = state
        # Answered segments are never sent again: let their bytes go (the recorder has them), or
        # an hour-long connection would hold every segment it ever sent.
        tracked.segment = replace(tracked.segment, data=b"")
        self._in_flight.pop(tracked.server_number, None)
        self.notify()

    def placement(self, tracked: TrackedSegment) -> SegmentPlacement:
        """Where `tracked` sits in the current connection's media, for `to_session_time`.

        The protocol does not say whether a segment the server rejected counts towards later
        segments' connection time. Our analyzer counts it as zero seconds, so that reading comes
        first; the one that counts it is offered as an alternative.
        """
        before = self._on_connection[: tracked.server_number - 1]
        accepted = sum(t.segment.duration_s for t in before if t.state != "error")
        everything = sum(t.segment.duration_s for t in before)
        others = (everything,) if everything != accepted else ()
        return SegmentPlacement(tracked.segment.t0, tracked.segment.duration_s, accepted, others)

    def new_connection(self, connection: int) -> list[TrackedSegment]:
        """Start numbering afresh; what the old connection left unanswered goes back to the queue
        front, oldest first. Returns those segments."""
        unanswered = sorted(self._in_flight.values(), key=lambda t: t.index)
        self._requeue(unanswered)
        self._in_flight.clear()
        self._on_connection = []
        self.connection = connection
        self.notify()
        return unanswered

    def drop_all(self) -> tuple[list[TrackedSegment], list[TrackedSegment]]:
        """Forget everything outstanding; returns (in flight, still queued)."""
        in_flight = sorted(self._in_flight.values(), key=lambda t: t.index)
        queued = list(self._queue)
        self._in_flight.clear()
        self._queue.clear()
        self.notify()
        return in_flight, queued

    def _requeue(self, tracked: Iterable[TrackedSegment]) -> None:
        for item in sorted(tracked, key=lambda t: t.index, reverse=True):
            item.state = "queued"
            item.sent_at = None
            self._queue.appendleft(item)
