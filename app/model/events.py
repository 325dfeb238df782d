"""Session events: what happened, stamped in session time and wall time.

One stream of these models feeds everything downstream of capture: the recorder appends them
to `events.jsonl`, `stream --events` prints them, the timeline derives the UI state from them,
and a review rebuilds the same timeline from the file. They are pydantic models because they
cross a boundary (disk, stdout); `parse_event` reads one line back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.model.delivery import LocalDelivery
from app.model.vocabulary import EngagementState, Probability
from app.model.wire_v0 import ConversationQuality, EngagementWindow, QualityScores, QualityWindow, Signal


def wall_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    t: float
    """Session time (seconds since Start) when the event happened."""
    wall: datetime = Field(default_factory=wall_now)


class SegmentClosed(Event):
    kind: Literal["segment_closed"] = "segment_closed"
    index: int
    t0: float
    t1: float
    bytes: int
    video_frames: int
    audio_samples: int
    dropped_video_frames: int = 0
    dropped_audio_chunks: int = 0


class SegmentSent(Event):
    kind: Literal["segment_sent"] = "segment_sent"
    index: int
    connection: int
    """1 for the first connection of the session, 2 after the first reconnection, …"""
    server_segment: int
    """The number the server gives this frame: 1, 2, 3, … per connection."""
    bytes: int


class ServerMessageReceived(Event):
    kind: Literal["server_message"] = "server_message"
    connection: int
    message: Any
    """The frame as received: its JSON value when it parses, else the text itself."""


class ResultReceived(Event):
    """A result, its times already on the session clock."""

    kind: Literal["result"] = "result"
    index: int
    t0: float
    t1: float
    engagement: list[EngagementWindow] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    quality: ConversationQuality | None = None
    delivery: LocalDelivery | None = None
    """Local analysis's delivery figures (eye contact, pace, fillers, …); never from Interhuman."""


class SegmentCompleted(Event):
    kind: Literal["segment_completed"] = "segment_completed"
    index: int
    latency_s: float
    """From the last byte sent to `completed` received."""


class SegmentError(Event):
    kind: Literal["segment_error"] = "segment_error"
    index: int | None
    connection: int
    error_id: str | None = None
    message: str
    link: str | None = None
    correlation_id: str | None = None


class SegmentUnanswered(Event):
    """Sent, but the session ended before the server said `completed` or `error`: not an error of
    the segment, and not analysed in full (`had_result`: its result came, its `completed` did not)."""

    kind: Literal["segment_unanswered"] = "segment_unanswered"
    index: int
    connection: int
    had_result: bool = False


SkipReason = Literal["stale", "paused", "out_of_limits", "not_sent"]


class SegmentSkipped(Event):
    kind: Literal["segment_skipped"] = "segment_skipped"
    index: int
    reason: SkipReason
    detail: str = ""


ConnectionState = Literal[
    "connecting", "connected", "lost", "reconnecting", "auth_rejected", "failed", "closed"
]


class ConnectionChanged(Event):
    kind: Literal["connection"] = "connection"
    connection: int
    state: ConnectionState
    correlation_id: str | None = None
    detail: str = ""
    retry_in_s: float | None = None


class DrainStarted(Event):
    """Stop was asked for: the uplink waits up to `timeout_s` for `in_flight` answers and to send
    `queued` segments, so a front-end can say what it waits for and for how long."""

    kind: Literal["drain"] = "drain"
    in_flight: int
    queued: int
    timeout_s: float


class MessageUnparsed(Event):
    kind: Literal["unparsed"] = "unparsed"
    connection: int
    reason: str
    preview: str


class ChunkSent(Event):
    """A chunk of the continuous v1/v2 stream went out (chunk 0 of a stream is its header)."""

    kind: Literal["chunk_sent"] = "chunk_sent"
    connection: int
    chunk: int
    t0: float
    t1: float
    bytes: int


class EngagementChanged(Event):
    """From `start` (session time) on, the engagement state is `state`: the window before ends there."""

    kind: Literal["engagement_changed"] = "engagement_changed"
    connection: int
    state: EngagementState
    start: float


SignalChange = Literal["opened", "amended", "closed"]


class SignalChanged(Event):
    """A signal interval opened (at `start`), amended (new probability or rationale), or closed
    (at `end`); times are session time."""

    kind: Literal["signal_changed"] = "signal_changed"
    connection: int
    change: SignalChange
    type: str
    start: float | None = None
    end: float | None = None
    probability: Probability | None = None
    rationale: str | None = None


class QualityReceived(Event):
    kind: Literal["quality"] = "quality"
    connection: int
    overall: QualityScores | None = None
    timeline: list[QualityWindow] = Field(default_factory=list)


class AnalysisReached(Event):
    """The server's analysis has covered the media up to `until` (session time)."""

    kind: Literal["analysis_reached"] = "analysis_reached"
    connection: int
    until: float


GapReason = Literal["dropped", "degraded", "outage"]


class CoverageGap(Event):
    """Media the analysis did not cover: never analysed (`dropped`: the server shed it, or the
    client never sent it; `outage`: no connection), or analysed with too little picture
    (`degraded`)."""

    kind: Literal["coverage_gap"] = "coverage_gap"
    connection: int
    start: float
    end: float
    reason: GapReason
    detail: str = ""


class FeedbackReceived(Event):
    kind: Literal["feedback"] = "feedback"
    connection: int
    text: str


class DeliveryMeasured(Event):
    """Local analysis's delivery figures of a stretch of a v1/v2 stream, in session time (on v0
    they ride in each `ResultReceived`)."""

    kind: Literal["delivery"] = "delivery"
    connection: int
    delivery: LocalDelivery


class CaptureProblem(Event):
    """A source or the encoder reports something the user should know (a device lost, silence)."""

    kind: Literal["capture"] = "capture"
    source: str
    level: Literal["info", "warning", "error"]
    message: str


class SendingPaused(Event):
    """The user paused or resumed sending. While paused nothing leaves the computer; the preview
    and the recording go on."""

    kind: Literal["sending_paused"] = "sending_paused"
    paused: bool


class MediaGap(Event):
    """No picture ("video") or no sound ("audio") came in [t0, t1) of session time: a camera
    unplugged, a microphone lost, the computer asleep. The segments on either side stay whole."""

    kind: Literal["gap"] = "gap"
    source: Literal["video", "audio"]
    t0: float
    t1: float


class SessionSummary(Event):
    kind: Literal["summary"] = "summary"
    closed: int
    sent: int
    completed: int
    errored: int
    skipped: int
    reconnects: int
    unanswered: int = 0
    """Sent, with no `completed` or `error` before the session ended (see `SegmentUnanswered`)."""
    unparsed: int = 0
    dropped_video_frames: int = 0
    dropped_audio_chunks: int = 0
    unsent_tail_s: float = 0.0
    """Media captured after the last full segment, too short (under 3 s) to be sent; not recorded."""
    chunks_sent: int = 0
    """Chunks of the continuous v1/v2 stream sent (headers included)."""
    cue_lag_p50_s: float | None = None
    """How far behind the live moment the newest analysed media was, sampled through the
    session (median and 95th percentile); None without any result."""
    cue_lag_p95_s: float | None = None


SessionEvent = Annotated[
    SegmentClosed
    | SegmentSent
    | ServerMessageReceived
    | ResultReceived
    | SegmentCompleted
    | SegmentError
    | SegmentSkipped
    | SegmentUnanswered
    | ConnectionChanged
    | DrainStarted
    | MessageUnparsed
    | ChunkSent
    | EngagementChanged
    | SignalChanged
    | QualityReceived
    | AnalysisReached
    | CoverageGap
    | FeedbackReceived
    | DeliveryMeasured
    | CaptureProblem
    | SendingPaused
    | MediaGap
    | SessionSummary,
    Field(discriminator="kind"),
]
_session_event = TypeAdapter(SessionEvent)
EVENT_KINDS: frozenset[str] = frozenset(
    model.model_fields["kind"].default for model in get_args(get_args(SessionEvent)[0])
)
"""Every `kind` this version reads."""


def parse_event(line: str | bytes) -> SessionEvent:
    """One line of `events.jsonl` back into its model; raises pydantic's ValidationError."""
    return _session_event.validate_json(line)


def event_json(event: Event) -> str:
    """One line of JSON Lines for `event`, without the trailing newline."""
    return event.model_dump_json()
