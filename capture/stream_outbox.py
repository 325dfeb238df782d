"""Live-stream chunks waiting for the network, in bounded memory.

The encoder puts chunks in as Clusters close; the uplink takes them when the socket can take
more. When the network falls behind, more than `max_queued_s` of media waiting, the oldest
media goes (counted, with its session-time range): live analysis wants the present, and the
standalone segments on disk keep everything. The header is never dropped, and after a drop
the next chunk kept starts on a keyframe, so what is sent still decodes.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from capture.media import StreamChunk

log = logging.getLogger(__name__)

DEFAULT_MAX_QUEUED_S = 4.0


@dataclass(frozen=True, slots=True)
class OutboxStats:
    chunks_put: int
    chunks_taken: int
    chunks_dropped: int
    dropped_media_s: float
    queued_chunks: int
    queued_bytes: int
    queued_media_s: float


class StreamOutbox:
    """One stream's queue between the encoder's worker (`put`, `close`) and its consumer (`take`).

    `on_ready` is called on the putting thread after every put and on close, outside the lock:
    the consumer hops to its own thread from there (e.g. `loop.call_soon_threadsafe`)."""

    def __init__(
        self, max_queued_s: float = DEFAULT_MAX_QUEUED_S, on_ready: Callable[[], None] | None = None
    ):
        if max_queued_s <= 0:
            raise ValueError("max_queued_s must be positive")
        self.max_queued_s = max_queued_s
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._queue: deque[StreamChunk] = deque()
        self._closed = False
        self._dropped_ranges: list[tuple[float, float]] = []
        self._put = self._taken = self._dropped = 0
        self._dropped_s = 0.0

    def put(self, chunk: StreamChunk) -> None:
        with self._lock:
            if self._closed:
                return
            self._queue.append(chunk)
            self._put += 1
            self._shed()
        self._notify()

    def close(self) -> None:
        """No more chunks will come: the session stopped or the stream was given up."""
        with self._lock:
            self._closed = True
        self._notify()

    def take(self) -> StreamChunk | None:
        """The oldest chunk waiting, or None."""
        with self._lock:
            if not self._queue:
                return None
            self._taken += 1
            return self._queue.popleft()

    @property
    def done(self) -> bool:
        """Closed, and everything put has been taken or dropped."""
        with self._lock:
            return self._closed and not self._queue

    def take_dropped_ranges(self) -> list[tuple[float, float]]:
        """Session-time ranges dropped since the last call: gaps in what the server saw."""
        with self._lock:
            ranges, self._dropped_ranges = self._dropped_ranges, []
            return ranges

    def stats(self) -> OutboxStats:
        with self._lock:
            media = [c for c in self._queue if not c.is_header]
            return OutboxStats(
                chunks_put=self._put,
                chunks_taken=self._taken,
                chunks_dropped=self._dropped,
                dropped_media_s=self._dropped_s,
                queued_chunks=len(self._queue),
                queued_bytes=sum(c.size_bytes for c in self._queue),
                queued_media_s=sum(c.duration_s for c in media),
            )

    def _shed(self) -> None:
        """Drop the oldest media while too much waits (the lock held)."""
        dropped_any = False
        while self._queued_media_s() > self.max_queued_s:
            self._drop_oldest_media()
            dropped_any = True
        while dropped_any and (first := self._first_media()) is not None and not first.keyframe_start:
            self._drop_oldest_media()

    def _queued_media_s(self) -> float:
        return sum(c.duration_s for c in self._queue if not c.is_header)

    def _first_media(self) -> StreamChunk | None:
        return next((c for c in self._queue if not c.is_header), None)

    def _drop_oldest_media(self) -> None:
        chunk = self._first_media()
        if chunk is None:
            return
        self._queue.remove(chunk)
        self._dropped += 1
        self._dropped_s += chunk.duration_s
        if self._dropped_ranges and abs(self._dropped_ranges[-1][1] - chunk.t0) < 1e-6:
            self._dropped_ranges[-1] = (self._dropped_ranges[-1][0], chunk.t1)
        else:
            self._dropped_ranges.append((chunk.t0, chunk.t1))
        log.info(
            "live stream: %.2f–%.2f s dropped, the network is behind (%d chunks dropped so far)",
            chunk.t0,
            chunk.t1,
            self._dropped,
        )

    def _notify(self) -> None:
        if self._on_ready is None:
            return
        try:
            self._on_ready()
        except Exception:
            log.exception("the stream outbox's on_ready callback raised")
