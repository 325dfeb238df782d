"""What the server's frames mean for the segments in flight (PROTOCOL.md §4 and §6).

`ReplyHandler` turns each frame of a connection into session events, moves the tracked segments
along, and tells the uplink when a reply asks it to reconnect (`Retry`) or to give up (an
`UplinkFailure`). It does no I/O of its own.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from app.model.api_key import Redactor
from app.model.error_codes import ERROR_MEANINGS, classify_error
from app.model.events import (
    ConnectionState,
    MessageUnparsed,
    ResultReceived,
    SegmentCompleted,
    SegmentError,
    SegmentUnanswered,
    ServerMessageReceived,
    SessionEvent,
    SkipReason,
)
from app.model.time_base import to_session_time
from app.model.wire_v0 import (
    CompletedMessage,
    ErrorMessage,
    ProcessingMessage,
    ResultMessage,
    UnparsedMessage,
    parse_server_message,
)
from app.uplink.failures import UplinkFailure, auth_rejected, quota_exhausted
from app.uplink.handshake import MAX_SERVER_MESSAGE_BYTES
from app.uplink.segment_tracker import SegmentTracker, TrackedSegment
from capture.media import SessionClock

log = logging.getLogger(__name__)

INTERNAL_ERRORS_BEFORE_RECONNECT = 3
"""ih1001 this many times in a row: this connection's server side is unwell; start afresh."""

UplinkState = Literal["idle", ConnectionState]


@dataclass
class UplinkStats:
    state: UplinkState = "idle"
    connection: int = 0
    """Connections established so far: the current one's number."""
    correlation_id: str | None = None
    queued: int = 0
    in_flight: int = 0
    submitted: int = 0
    sent: int = 0
    """Binary frames sent, re-sends after a reconnection included."""
    completed: int = 0
    errored: int = 0
    skipped: dict[SkipReason, int] = field(default_factory=dict)
    unparsed: int = 0
    reconnects: int = 0
    bytes_sent: int = 0
    last_latency_s: float | None = None
    too_large: int = 0
    """ih6002 answers: the controller lowers the bitrate when this grows."""
    bad_segments_in_row: int = 0
    """ih5001/ih5002/ih5004 answers in a row: the controller restarts the encoder when this grows."""


@dataclass(frozen=True, slots=True)
class Retry:
    """Why a connection ends and how to come back."""

    reason: str
    slow: bool = False
    """The server asked us to slow down (1013, rate limits): a longer backoff."""
    at_once: bool = False
    """ih6003/ih6004: the server ended a healthy stream; reconnect without a pause."""


def too_large_to_read(frame: str | bytes) -> str | None:
    """Why a frame is dropped unread, or None: status messages are a few kilobytes, and one this
    large is a broken server's (parsing it would only hold the loop)."""
    size = len(frame) if isinstance(frame, bytes) else len(frame.encode("utf-8", "replace"))
    if size <= MAX_SERVER_MESSAGE_BYTES:
        return None
    limit = MAX_SERVER_MESSAGE_BYTES // 2**20
    return f"a {size / 2**20:.1f} MiB frame, over the {limit} MiB a message may be: dropped"


def as_recorded(frame: str | bytes, redact: Redactor) -> tuple[str | bytes, object]:
    """The frame with the key taken out, and how events.jsonl keeps it: JSON as JSON, anything
    else as its text, a binary frame by its size."""
    if isinstance(frame, bytes):
        return frame, f"<binary frame, {len(frame)} bytes>"
    frame = redact(frame)
    try:
        return frame, json.loads(frame)
    except json.JSONDecodeError:
        return frame, frame


class ReplyHandler:
    def __init__(
        self,
        *,
        tracker: SegmentTracker,
        stats: UplinkStats,
        clock: SessionClock,
        redact: Redactor,
        emit: Callable[[SessionEvent], None],
    ) -> None:
        self._tracker = tracker
        self._stats = stats
        self._clock = clock
        self._redact = redact
        self._emit = emit
        self._internal_errors_in_row = 0

    def handle(self, frame: str | bytes) -> Retry | UplinkFailure | None:
        """Act on one frame; returns what the connection should do next (None: carry on)."""
        now = self._clock.now()
        connection = self._stats.connection
        too_large = too_large_to_read(frame)
        if too_large is not None:
            self._stats.unparsed += 1
            log.warning("server frame dropped: %s", too_large)
            self._emit(
                MessageUnparsed(
                    t=now, connection=connection, reason=too_large, preview=f"<{len(frame)} bytes>"
                )
            )
            return None
        frame, recorded = as_recorded(frame, self._redact)
        self._emit(ServerMessageReceived(t=now, connection=connection, message=recorded))
        message = parse_server_message(frame)
        if isinstance(message, UnparsedMessage):
            self._stats.unparsed += 1
            log.warning("unparsed server message (%s): %r", message.reason, message.preview)
            self._emit(
                MessageUnparsed(t=now, connection=connection, reason=message.reason, preview=message.preview)
            )
            return None
        if isinstance(message, ErrorMessage):
            return self._error(message)
        tracked = self._tracker.by_number(message.segment)
        if tracked is None or tracked.state in ("completed", "error"):
            log.warning("%s for segment %d, which awaits no answer", message.status, message.segment)
            return None
        if isinstance(message, ProcessingMessage):
            tracked.state = "processing"
        elif isinstance(message, ResultMessage):
            self._result(tracked, message)
        elif isinstance(message, CompletedMessage):
            self._completed(tracked)
        return None

    def segment_failed(self, tracked: TrackedSegment | None, text: str, message: ErrorMessage | None) -> None:
        """`tracked` (or the stream as a whole, when None) failed: say so, once."""
        if tracked is not None:
            if tracked.state in ("completed", "error"):
                return
            self._tracker.finish(tracked, "error")
            self._stats.errored += 1
        self._emit(
            SegmentError(
                t=self._clock.now(),
                index=None if tracked is None else tracked.index,
                connection=self._stats.connection,
                error_id=None if message is None else message.error_id,
                message=text,
                link=None if message is None else message.link,
                correlation_id=(message.correlation_id if message else None) or self._stats.correlation_id,
            )
        )

    def unanswered(self, tracked: TrackedSegment) -> None:
        """The session ended with `tracked` sent and neither completed nor failed."""
        self._emit(
            SegmentUnanswered(
                t=self._clock.now(),
                index=tracked.index,
                connection=tracked.connection,
                had_result=tracked.state == "result",
            )
        )

    def _result(self, tracked: TrackedSegment, message: ResultMessage) -> None:
        tracked.state = "result"
        placed = to_session_time(message, self._tracker.placement(tracked))
        self._emit(
            ResultReceived(
                t=self._clock.now(),
                index=tracked.index,
                t0=tracked.segment.t0,
                t1=tracked.segment.t1,
                engagement=placed.engagement_state,
                signals=placed.signals,
                quality=placed.conversation_quality,
                delivery=placed.local_delivery,
            )
        )

    def _completed(self, tracked: TrackedSegment) -> None:
        self._tracker.finish(tracked, "completed")
        # An answer can beat `send()` back to the loop on loopback: then no time passed since.
        latency = 0.0 if tracked.sent_at is None else time.monotonic() - tracked.sent_at
        self._stats.completed += 1
        self._stats.last_latency_s = latency
        self._stats.bad_segments_in_row = 0
        self._internal_errors_in_row = 0
        self._emit(SegmentCompleted(t=self._clock.now(), index=tracked.index, latency_s=latency))

    def _error(self, message: ErrorMessage) -> Retry | UplinkFailure | None:
        kind = classify_error(message.error_id)
        text = message.message or ERROR_MEANINGS.get(message.error_id or "", "The server reported an error.")
        tracked = None if message.segment is None else self._tracker.by_number(message.segment)
        where = "the stream" if tracked is None else f"segment {tracked.index}"
        log.warning(
            "server error %s(%s) for %s: %s",
            f"{message.error_id} " if message.error_id else "",
            kind,
            where,
            text,
        )
        if kind in ("no_capacity", "rate_limited", "session_limit"):
            # Nothing was analysed: the segment goes out again on the next connection.
            return Retry(text, slow=kind != "session_limit", at_once=kind == "session_limit")
        if kind in ("auth", "quota"):
            if tracked is not None:
                self.segment_failed(tracked, text, message)
            if kind == "quota":
                return quota_exhausted(text, link=message.link)
            return auth_rejected(text, error_id=message.error_id, link=message.link, status=None)
        self.segment_failed(tracked, text, message)
        if kind == "too_short":
            log.error("the server says a segment was under 3 s: the encoder or the limits check is wrong")
        elif kind == "too_large":
            self._stats.too_large += 1
        elif kind == "bad_segment":
            self._stats.bad_segments_in_row += 1
        elif kind == "internal":
            self._internal_errors_in_row += 1
            if self._internal_errors_in_row >= INTERNAL_ERRORS_BEFORE_RECONNECT:
                self._internal_errors_in_row = 0
                return Retry(f"{INTERNAL_ERRORS_BEFORE_RECONNECT} internal server errors in a row")
        return None
