"""Sending the v1/v2 continuous stream: its chunks over a connection, what went unsent as coverage gaps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection

from app.model.events import ChunkSent, CoverageGap, GapReason
from app.model.wire_v1 import close_request
from app.uplink.envelope_replies import EnvelopeHandler
from app.uplink.link_state import LinkState
from capture.media import SessionClock, StreamChunk
from capture.stream_outbox import StreamOutbox

log = logging.getLogger(__name__)

SEND_BUFFER_BYTES = 64 * 1024
"""The kernel doubles it: about a second of a 1 Mbps stream, and ample for any uplink's round trip."""


class StreamSender:
    """Sends each connection's stream, and keeps across connections where the media sent ends,
    where a lost connection's media ended, and whether sending is paused."""

    def __init__(self, link: LinkState, clock: SessionClock) -> None:
        self._stats = link.stats
        self._emit = link.emit
        self._clock = clock
        self._wake = asyncio.Event()
        self.paused = False
        self.media_end: float | None = None
        """Session time where the media sent so far ends."""
        self.outage_from: float | None = None
        """Where the media of the connection that was lost ended: the next stream's gap starts there."""

    def wake(self) -> None:
        self._wake.set()

    def wake_from_thread(self) -> Callable[[], None]:
        loop = asyncio.get_running_loop()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                loop.call_soon_threadsafe(self._wake.set)

        return wake

    async def send(self, socket: ClientConnection, outbox: StreamOutbox, handler: EnvelopeHandler) -> None:
        """Send the outbox's chunks until its stream is done, then `session.close`. The stream's
        header waits for the first media chunk sent: while paused not one byte of it leaves."""
        header: StreamChunk | None = None
        while True:
            chunk = outbox.take()
            for start, end in outbox.take_dropped_ranges():
                self._gap(start, end, "dropped", "the network fell behind: the oldest media went unsent")
            if chunk is None:
                if outbox.done:
                    break
                self._wake.clear()
                if outbox.stats().queued_chunks == 0 and not outbox.done:
                    await self._wake.wait()
                continue
            if chunk.is_header:
                handler.origin = chunk.origin
                if self.outage_from is not None:
                    self._gap(self.outage_from, chunk.t0, "outage", "no connection to the server")
                    self.outage_from = None
                header = chunk
                continue
            if self.paused:
                self._stats.skipped["paused"] = self._stats.skipped.get("paused", 0) + 1
                self._gap(chunk.t0, chunk.t1, "dropped", "sending was paused")
                continue
            if header is not None:
                await self._send_chunk(socket, header, handler)
                header = None
            await self._send_chunk(socket, chunk, handler)
            self.media_end = chunk.t1
        await socket.send(close_request())
        handler.close_sent = True
        log.info("stream complete: session.close sent")

    async def _send_chunk(
        self, socket: ClientConnection, chunk: StreamChunk, handler: EnvelopeHandler
    ) -> None:
        await socket.send(chunk.data)
        self._stats.sent += 1
        self._stats.bytes_sent += chunk.size_bytes
        self._emit(
            ChunkSent(
                t=self._clock.now(),
                connection=handler.connection,
                chunk=chunk.index,
                t0=chunk.t0,
                t1=chunk.t1,
                bytes=chunk.size_bytes,
            )
        )

    def _gap(self, start: float, end: float, reason: GapReason, detail: str) -> None:
        if end - start <= 0:
            return
        log.info("coverage gap %.2f–%.2f s (%s): %s", start, end, reason, detail)
        self._emit(
            CoverageGap(
                t=self._clock.now(),
                connection=self._stats.connection,
                start=round(start, 3),
                end=round(end, 3),
                reason=reason,
                detail=detail,
            )
        )


def bound_send_buffer(connection: ClientConnection) -> None:
    """Keep the kernel's send buffer to about a second of media: a network falling behind must be
    felt by the outbox, which drops the oldest media, not hidden in megabytes of socket buffer
    that would add their delay to every result."""
    sock = connection.transport.get_extra_info("socket") if connection.transport is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
