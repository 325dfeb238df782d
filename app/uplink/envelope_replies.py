"""What a v1/v2 server's envelopes mean for the session (PROTOCOL-V1.md §4, PROTOCOL.md §6).

`EnvelopeHandler` reads one connection's frames: every frame is recorded as it came (a
`server_message` event, as on v0), and each envelope becomes the version-neutral events the
timeline takes, its times moved from the connection's stream time onto the session clock
(`origin`, the session time of the stream's time 0). It tells the uplink when an envelope
asks it to reconnect (`Retry`), to give up (an `UplinkFailure`), or that the session ended.
It does no I/O of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal

from app.model.api_key import Redactor
from app.model.delivery import LocalDelivery
from app.model.error_codes import ERROR_MEANINGS, classify_error
from app.model.events import (
    AnalysisReached,
    CoverageGap,
    DeliveryMeasured,
    EngagementChanged,
    FeedbackReceived,
    GapReason,
    MessageUnparsed,
    QualityReceived,
    SegmentError,
    ServerMessageReceived,
    SessionEvent,
    SignalChanged,
)
from app.model.vocabulary import INCLUDE_FLAGS
from app.model.wire_v0 import QualityWindow
from app.model.wire_v1 import (
    CoverageDegraded,
    CoverageDropped,
    EngagementUpdated,
    Envelope,
    ErrorData,
    FeedbackGenerated,
    QualityUpdated,
    SessionClosing,
    SessionReady,
    SignalDetected,
    SignalEnded,
    UnknownEnvelope,
    parse_envelope,
)
from app.uplink.failures import UplinkFailure, auth_rejected, quota_exhausted
from app.uplink.replies import (
    INTERNAL_ERRORS_BEFORE_RECONNECT,
    Retry,
    UplinkStats,
    as_recorded,
    too_large_to_read,
)
from capture.media import SessionClock

log = logging.getLogger(__name__)

OVERALL, TIMELINE = INCLUDE_FLAGS
Verdict = Retry | UplinkFailure | Literal["ended"] | None


class EnvelopeHandler:
    def __init__(
        self,
        *,
        connection: int,
        clock: SessionClock,
        stats: UplinkStats,
        redact: Redactor,
        emit: Callable[[SessionEvent], None],
        shown_sections: tuple[str, ...],
    ) -> None:
        """`shown_sections`: the quality sections the user asked for (others may be asked for
        only to follow the analysis)."""
        self.connection = connection
        self.origin = 0.0
        """Session time of this connection's stream time 0 (the header chunk says it)."""
        self.ready: SessionReady | None = None
        self.pre_ready_error: ErrorData | None = None
        self.drain_s: float | None = None
        """What `session.closing` granted."""
        self.close_sent = False
        """We sent `session.close`: the stream is complete, so its end is the end of it all."""
        self.analysed = False
        """Something was analysed on this connection: it was healthy."""
        self.reached: float | None = None
        """Session time up to which this connection's results reach."""
        self.became_ready = asyncio.Event()
        self._clock = clock
        self._stats = stats
        self._redact = redact
        self._emit = emit
        self._shown = shown_sections
        self._open: set[str] = set()
        self._internal_in_row = 0

    def handle(self, frame: str | bytes) -> Verdict:
        now = self._clock.now()
        too_large = too_large_to_read(frame)
        if too_large is not None:
            self._unparsed(now, too_large, f"<{len(frame)} bytes>")
            return None
        frame, recorded = as_recorded(frame, self._redact)
        self._emit(ServerMessageReceived(t=now, connection=self.connection, message=recorded))
        parsed = parse_envelope(frame)
        if isinstance(parsed, UnknownEnvelope):
            self._unparsed(now, f"unknown envelope type {parsed.type!r}", str(recorded)[:200])
            return None
        if not isinstance(parsed, Envelope):
            self._unparsed(now, parsed.reason, parsed.preview)
            return None
        return self._envelope(now, parsed)

    def finish(self, end: float) -> None:
        """The connection is over: signals still open end at `end` (session time)."""
        now = self._clock.now()
        for kind in sorted(self._open):
            self._emit(SignalChanged(t=now, connection=self.connection, change="closed", type=kind, end=end))
        self._open.clear()

    def _envelope(self, now: float, envelope: Envelope) -> Verdict:
        data = envelope.data
        c = self.connection
        if isinstance(data, SessionReady):
            self.ready = data
            self.became_ready.set()
        elif isinstance(data, SessionClosing):
            self.drain_s = float(data.max_drain_seconds)
        elif envelope.type == "session.ended":
            return "ended"
        elif isinstance(data, EngagementUpdated):
            start = self._analysed(data.start)
            self._emit(EngagementChanged(t=now, connection=c, state=data.state, start=start))
        elif isinstance(data, SignalDetected):  # signal.detected and signal.updated
            self._analysed(data.start)
            opened = envelope.type == "signal.detected" or data.signal_type not in self._open
            self._open.add(data.signal_type)
            self._emit(
                SignalChanged(
                    t=now,
                    connection=c,
                    change="opened" if opened else "amended",
                    type=data.signal_type,
                    start=self._at(data.start),
                    probability=data.probability,
                    rationale=data.rationale,
                )
            )
        elif isinstance(data, SignalEnded):
            end = self._analysed(data.end)
            self._open.discard(data.signal_type)
            self._emit(SignalChanged(t=now, connection=c, change="closed", type=data.signal_type, end=end))
        elif isinstance(data, QualityUpdated):
            self._quality(now, data)
        elif isinstance(data, FeedbackGenerated):
            self._emit(FeedbackReceived(t=now, connection=c, text=data.feedback))
        elif isinstance(data, CoverageDropped | CoverageDegraded):
            reason: GapReason = "dropped" if isinstance(data, CoverageDropped) else "degraded"
            detail = "" if isinstance(data, CoverageDropped) else data.reason
            for span in data.ranges:
                self._emit(
                    CoverageGap(
                        t=now,
                        connection=c,
                        start=self._at(span.start),
                        end=self._at(span.end),
                        reason=reason,
                        detail=detail,
                    )
                )
        elif isinstance(data, LocalDelivery):
            placed = {"start": self._at(data.start), "end": self._analysed(data.end)}
            self._emit(DeliveryMeasured(t=now, connection=c, delivery=data.model_copy(update=placed)))
        elif isinstance(data, ErrorData):
            return self._error(now, data, envelope.correlation_id)
        return None

    def _quality(self, now: float, data: QualityUpdated) -> None:
        for entry in data.timeline or ():
            self._analysed(entry.end)
        timeline = [
            QualityWindow(start=self._at(w.start), end=self._at(w.end), values=w.values)
            for w in data.timeline or ()
        ]
        overall = data.overall if OVERALL in self._shown else None
        shown = timeline if TIMELINE in self._shown else []
        if overall is not None or shown:
            self._emit(QualityReceived(t=now, connection=self.connection, overall=overall, timeline=shown))
        if timeline and not shown:
            self._emit(AnalysisReached(t=now, connection=self.connection, until=max(w.end for w in timeline)))

    def _error(self, now: float, data: ErrorData, correlation_id: str | None) -> Verdict:
        kind = classify_error(data.code)
        text = self._redact(data.message) or ERROR_MEANINGS.get(data.code, "The server reported an error.")
        log.warning("server error %s (%s): %s", data.code, kind, text)
        self._emit(
            SegmentError(
                t=now,
                index=None,
                connection=self.connection,
                error_id=data.code,
                message=text,
                link=data.link,
                correlation_id=correlation_id or self._stats.correlation_id,
            )
        )
        self._stats.errored += 1
        if self.ready is None:
            # A refusal after the upgrade: the close that follows says the rest.
            self.pre_ready_error = data
            return None
        if kind == "session_limit":
            return Retry(text, at_once=True)
        if kind in ("no_capacity", "rate_limited"):
            return Retry(text, slow=True)
        if kind == "auth":
            return auth_rejected(text, error_id=data.code, link=data.link, status=None)
        if kind == "quota":
            return quota_exhausted(text, link=data.link)
        if kind == "too_large":
            self._stats.too_large += 1
        elif kind == "bad_segment":
            self._stats.bad_segments_in_row += 1
        elif kind == "internal":
            self._internal_in_row += 1
            if self._internal_in_row >= INTERNAL_ERRORS_BEFORE_RECONNECT:
                return Retry(f"{INTERNAL_ERRORS_BEFORE_RECONNECT} internal server errors in a row")
        return None

    def _analysed(self, stream_s: float) -> float:
        """Results reach stream time `stream_s`: returns it in session time."""
        self.analysed = True
        self._internal_in_row = 0
        self._stats.bad_segments_in_row = 0
        at = self._at(stream_s)
        self.reached = at if self.reached is None else max(self.reached, at)
        return at

    def _at(self, stream_s: float) -> float:
        return round(self.origin + stream_s, 3)

    def _unparsed(self, now: float, reason: str, preview: str) -> None:
        self._stats.unparsed += 1
        log.warning("unparsed server message (%s): %r", reason, preview)
        self._emit(MessageUnparsed(t=now, connection=self.connection, reason=reason, preview=preview))
