"""The Interhuman v0 stream protocol's wire models (see PROTOCOL.md §4–§6).

Everything the server sends is parsed here and nowhere else. Parsing never raises: what
cannot be understood becomes an `UnparsedMessage`, which the uplink logs and counts.
The time-base rule of §4 (connection time or segment-relative → session time) and the meaning
of §6's error ids and close codes live here too.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

# The segment limits of PROTOCOL.md §3 live with the encoder, which must honour them and may not
# import app/; the protocol re-exports them as part of the contract.
from app.model.delivery import LocalDelivery
from capture.encoder_config import MAX_SEGMENT_BYTES as MAX_SEGMENT_BYTES
from capture.encoder_config import MIN_SEGMENT_BYTES as MIN_SEGMENT_BYTES
from capture.encoder_config import MIN_SEGMENT_S as MIN_SEGMENT_S

log = logging.getLogger(__name__)

PATH_V0 = "/v0/stream/analyze"
INCLUDE_FLAGS = ("conversation_quality_overall", "conversation_quality_timeline")

Probability = Literal["low", "medium", "high"]
EngagementState = Literal["engaged", "neutral", "disengaged"]
PROBABILITY_RANK: dict[Probability | None, int] = {None: 0, "low": 1, "medium": 2, "high": 3}
"""How strong a band is, for ordering and for drawing its level; no band (older servers) is 0."""

SIGNAL_MEANINGS: dict[str, str] = {
    "agreement": "Aligned with the other person, affirming or building on what was said.",
    "confidence": "States a position firmly, without hedging.",
    "confusion": "A gap in understanding, reorienting.",
    "disagreement": "Active pushback.",
    "disengagement": "Withdrawn, minimal responsiveness.",
    "engagement": "Active, focused participation.",
    "frustration": "Irritation with how things go.",
    "hesitation": "Delay or reluctance before committing.",
    "interest": "Curiosity, wanting more.",
    "skepticism": "Doubt about a claim.",
    "stress": "Visible or audible strain.",
    "uncertainty": "Unsure of one's own position.",
}

QUALITY_DIMENSIONS = ("clarity", "authority", "energy", "rapport", "learning")


def quality_band(value: float) -> str:
    """The protocol's named band for a 0–100 conversation-quality value."""
    if value < 30:
        return "weak"
    if value < 50:
        return "below average"
    if value < 65:
        return "moderate"
    if value < 80:
        return "good"
    return "excellent"


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Signal(WireModel):
    type: str
    start: float
    end: float
    probability: Probability | None = None
    rationale: str | None = None

    @field_validator("type")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("probability", mode="before")
    @classmethod
    def _lowercase_probability(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class EngagementWindow(WireModel):
    start: float
    end: float
    state: EngagementState

    @field_validator("state", mode="before")
    @classmethod
    def _lowercase_state(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class QualityScores(WireModel):
    quality_index: float = Field(ge=0, le=100)
    clarity: float = Field(ge=0, le=100)
    authority: float = Field(ge=0, le=100)
    energy: float = Field(ge=0, le=100)
    rapport: float = Field(ge=0, le=100)
    learning: float = Field(ge=0, le=100)


class QualityWindow(WireModel):
    start: float
    end: float
    values: QualityScores


class ConversationQuality(WireModel):
    overall: QualityScores | None = None
    timeline: list[QualityWindow] = Field(default_factory=list)


class ProcessingMessage(WireModel):
    status: Literal["processing"]
    segment: int
    correlation_id: str | None = None
    bytes: int | None = None


class ResultMessage(WireModel):
    status: Literal["result"]
    segment: int
    correlation_id: str | None = None
    signals: list[Signal] = Field(default_factory=list)
    engagement_state: list[EngagementWindow] = Field(default_factory=list)
    conversation_quality: ConversationQuality | None = None
    local_delivery: LocalDelivery | None = None
    """Local analysis's extension (app/model/delivery.py); Interhuman's service never sends it."""

    def time_span(self) -> tuple[float, float] | None:
        """The smallest interval holding every window of this result, or None if it has none."""
        starts = [w.start for w in self._windows()]
        ends = [w.end for w in self._windows()]
        return (min(starts), max(ends)) if starts else None

    def shifted(self, offset_s: float) -> ResultMessage:
        """The same result with every time moved by `offset_s` seconds."""
        if offset_s == 0:
            return self
        quality = self.conversation_quality
        if quality is not None:
            quality = quality.model_copy(update={"timeline": [_shift(w, offset_s) for w in quality.timeline]})
        return self.model_copy(
            update={
                "signals": [_shift(s, offset_s) for s in self.signals],
                "engagement_state": [_shift(w, offset_s) for w in self.engagement_state],
                "conversation_quality": quality,
                "local_delivery": None
                if self.local_delivery is None
                else _shift(self.local_delivery, offset_s),
            }
        )

    def _windows(self) -> list[Signal | EngagementWindow | QualityWindow]:
        windows: list[Signal | EngagementWindow | QualityWindow] = [*self.signals, *self.engagement_state]
        if self.conversation_quality is not None:
            windows.extend(self.conversation_quality.timeline)
        return windows


class CompletedMessage(WireModel):
    status: Literal["completed"]
    segment: int
    correlation_id: str | None = None


class ErrorMessage(WireModel):
    """Both forms: `error_id`/`message`/`link`, and the older single `error` string."""

    status: Literal["error"]
    segment: int | None = None
    correlation_id: str | None = None
    error_id: str | None = None
    message: str = ""
    link: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_older_form(cls, data: object) -> object:
        if isinstance(data, dict) and "error" in data and not data.get("message"):
            text = str(data["error"])
            data = {**data, "message": text}
            # Older servers often lead the text with the id ("ih6002: message too large").
            found = _ERROR_ID.search(text)
            if found and not data.get("error_id"):
                data["error_id"] = found.group(0).lower()
        return data

    @field_validator("error_id", mode="before")
    @classmethod
    def _lowercase_error_id(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


ServerMessage = Annotated[
    ProcessingMessage | ResultMessage | CompletedMessage | ErrorMessage,
    Field(discriminator="status"),
]
_MODELS: dict[str, type[ProcessingMessage | ResultMessage | CompletedMessage | ErrorMessage]] = {
    "processing": ProcessingMessage,
    "result": ResultMessage,
    "completed": CompletedMessage,
    "error": ErrorMessage,
}


@dataclass(frozen=True, slots=True)
class UnparsedMessage:
    """A frame from the server we could not understand: logged, counted, never fatal."""

    reason: str
    preview: str
    """The start of the frame as text, for the log (never more than 200 characters)."""


def parse_server_message(frame: str | bytes) -> ServerMessage | UnparsedMessage:
    if isinstance(frame, bytes):
        return UnparsedMessage("binary frame from the server", f"<{len(frame)} bytes>")
    preview = frame[:200]
    try:
        data = json.loads(frame)
    except json.JSONDecodeError as error:
        return UnparsedMessage(f"invalid JSON: {error.msg}", preview)
    if not isinstance(data, dict):
        return UnparsedMessage("JSON is not an object", preview)
    status = data.get("status")
    if isinstance(status, str):
        status = status.strip().lower()
    model = _MODELS.get(status) if isinstance(status, str) else None
    if model is None:
        return UnparsedMessage(f"unknown status {status!r}", preview)
    try:
        return model.model_validate({**data, "status": status})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return UnparsedMessage(f"invalid {status} message: {where}: {first['msg']}", preview)


@dataclass(frozen=True, slots=True)
class SegmentPlacement:
    """Where one sent segment sits, for the time-base rule of PROTOCOL.md §4."""

    t0: float
    """Session time at which the segment starts."""
    duration_s: float
    connection_offset_s: float
    """Media seconds the server had received on this connection before this segment."""
    other_offsets_s: tuple[float, ...] = ()
    """Other plausible connection offsets, tried after `connection_offset_s`: e.g. the offset that
    also counts segments the server rejected, which the protocol leaves open."""


_TIME_SLACK_S = 0.25
_W = TypeVar("_W", Signal, EngagementWindow, QualityWindow, LocalDelivery)


def to_session_time(result: ResultMessage, placement: SegmentPlacement) -> ResultMessage:
    """Move a result's times onto the session clock, whichever reading the server follows.

    The current reference counts from the connection's first segment; an older one from the
    segment itself. Each reading places the segment somewhere on the server's time line: the
    one whose place holds the result's windows best wins (misfits under a quarter second, such
    as container durations a frame longer than ours, count as fits). Ties go to connection
    time, so a connection's first segment, where both readings agree, is never ambiguous.
    """
    span = result.time_span()
    offset = placement.connection_offset_s
    if span is not None:
        readings = (placement.connection_offset_s, *placement.other_offsets_s, 0.0)
        offset = min(readings, key=lambda candidate: _misfit(span, candidate, placement.duration_s))
    return result.shifted(placement.t0 - offset)


def _misfit(span: tuple[float, float], start: float, duration_s: float) -> float:
    """How far (seconds) `span` reaches outside [start, start + duration_s], less the slack."""
    lo, hi = span
    outside = max(0.0, start - lo) + max(0.0, hi - (start + duration_s))
    return max(0.0, outside - _TIME_SLACK_S)


def _shift(window: _W, offset_s: float) -> _W:
    return window.model_copy(update={"start": window.start + offset_s, "end": window.end + offset_s})


# PROTOCOL.md §6: what each error id means for the client.
ErrorKind = Literal[
    "internal",  # ih1001: the segment failed; reconnect if it keeps happening
    "no_capacity",  # ih1003: reconnect later, slowly
    "auth",  # ih2001/ih2002/ih2003: stop and ask for a valid key
    "rate_limited",  # ih3001/ih3002: back off longer, then retry
    "quota",  # ih3003: stop
    "too_short",  # ih4007: a bug on our side; log loudly, keep going
    "bad_segment",  # ih5001/ih5002/ih5004: the segment failed; keep going
    "too_large",  # ih6002: the segment failed; lower the bitrate
    "session_limit",  # ih6003/ih6004: reconnect at once and carry on
    "unknown",  # anything else: the segment failed; keep going
]

_ERROR_ID = re.compile(r"\bih\d{4}\b", re.IGNORECASE)

_ERROR_KINDS: dict[str, ErrorKind] = {
    "ih1001": "internal",
    "ih1003": "no_capacity",
    "ih2001": "auth",
    "ih2002": "auth",
    "ih2003": "auth",
    "ih3001": "rate_limited",
    "ih3002": "rate_limited",
    "ih3003": "quota",
    "ih4007": "too_short",
    "ih5001": "bad_segment",
    "ih5002": "bad_segment",
    "ih5004": "bad_segment",
    "ih6002": "too_large",
    "ih6003": "session_limit",
    "ih6004": "session_limit",
}

ERROR_MEANINGS: dict[str, str] = {
    "ih1001": "The service had an internal error.",
    "ih1003": "The service has no analysis capacity right now.",
    "ih2001": "The API key is invalid.",
    "ih2002": "No API key was sent.",
    "ih2003": "The API key lacks the interhumanai.stream scope.",
    "ih3001": "Too many requests: the rate limit was reached.",
    "ih3002": "Too many streams at once: the concurrency limit was reached.",
    "ih3003": "The usage quota is exhausted.",
    "ih4007": "A segment was shorter than 3 seconds.",
    "ih5001": "A segment had no usable video.",
    "ih5002": "A segment could not be read.",
    "ih5004": "A segment was malformed.",
    "ih6002": "A segment was too large.",
    "ih6003": "The stream was idle for too long.",
    "ih6004": "The stream reached its maximum length.",
}
"""One sentence per error id, for when a server sends an id without a message."""


def classify_error(error_id: str | None) -> ErrorKind:
    """What an `error` message's id asks of the client (PROTOCOL.md §6)."""
    if error_id is None:
        return "unknown"
    return _ERROR_KINDS.get(error_id.strip().lower(), "unknown")


CLOSE_NORMAL = 1000
CLOSE_POLICY_VIOLATION = 1008
CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_SCOPE = 4003

CloseKind = Literal["retry", "retry_slowly", "auth"]


def classify_close(code: int | None) -> CloseKind:
    """What a close by the server asks of a client that still has segments to send.

    Only 4003 (the key lacks the scope) is permanent; 1013 asks for a slower retry. Everything
    else, a normal close and an abnormal one (1006, no close frame) included, is retried.
    """
    if code == CLOSE_SCOPE:
        return "auth"
    if code == CLOSE_TRY_AGAIN_LATER:
        return "retry_slowly"
    return "retry"
