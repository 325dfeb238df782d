"""The Interhuman v0 stream protocol's wire models (see PROTOCOL.md §4–§6).

Everything the server sends is parsed here and nowhere else. Parsing never raises: what
cannot be understood becomes an `UnparsedMessage`, which the uplink logs and counts.
The time-base rule of §4 (connection time or segment-relative → session time) lives here too.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

log = logging.getLogger(__name__)

PATH_V0 = "/v0/stream/analyze"
INCLUDE_FLAGS = ("conversation_quality_overall", "conversation_quality_timeline")
MIN_SEGMENT_S = 3.0
MIN_SEGMENT_BYTES = 10 * 1024
MAX_SEGMENT_BYTES = 20 * 1024 * 1024

Probability = Literal["low", "medium", "high"]
EngagementState = Literal["engaged", "neutral", "disengaged"]

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
            quality = quality.model_copy(
                update={"timeline": [_shift(w, offset_s) for w in quality.timeline]}
            )
        return self.model_copy(
            update={
                "signals": [_shift(s, offset_s) for s in self.signals],
                "engagement_state": [_shift(w, offset_s) for w in self.engagement_state],
                "conversation_quality": quality,
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
            data = {**data, "message": str(data["error"])}
        return data


ServerMessage = Annotated[
    ProcessingMessage | ResultMessage | CompletedMessage | ErrorMessage,
    Field(discriminator="status"),
]
_server_message = TypeAdapter(ServerMessage)


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
    if status not in ("processing", "result", "completed", "error"):
        return UnparsedMessage(f"unknown status {status!r}", preview)
    try:
        return _server_message.validate_python(data)
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


_TIME_SLACK_S = 0.25
_W = TypeVar("_W", Signal, EngagementWindow, QualityWindow)


def to_session_time(result: ResultMessage, placement: SegmentPlacement) -> ResultMessage:
    """Move a result's times onto the session clock, whichever reading the server follows.

    The current reference counts from the connection's first segment; an older one from the
    segment itself. When a result's windows fit inside [0, duration] although the segment
    started later in the connection, they are segment-relative. When both readings fit (a
    connection's first segment, where they agree), connection time is taken.
    """
    span = result.time_span()
    offset = placement.connection_offset_s
    if span is not None and offset > 0:
        lo, hi = span
        fits_segment = lo >= -_TIME_SLACK_S and hi <= placement.duration_s + _TIME_SLACK_S
        fits_connection = lo >= offset - _TIME_SLACK_S and hi <= offset + placement.duration_s + _TIME_SLACK_S
        if fits_segment and not fits_connection:
            offset = 0.0
    return result.shifted(placement.t0 - offset)


def _shift(window: _W, offset_s: float) -> _W:
    return window.model_copy(update={"start": window.start + offset_s, "end": window.end + offset_s})
