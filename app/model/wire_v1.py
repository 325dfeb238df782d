"""The Interhuman v1/v2 stream protocol's wire models (PROTOCOL-V1.md §3–§4): typed envelopes
from the server, and the two text frames a client sends (the session config, the close request).

Every server frame is `{"type", "timestamp", "correlation_id", "data"}`. Parsing never raises:
an envelope of a type we do not know becomes an `UnknownEnvelope` (kept whole, for the record),
and a frame we cannot read at all an `UnparsedMessage`. Unknown fields are ignored. The same
models build what the local analyzer sends, so both ends agree by construction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.model.delivery import V1_EVENT_TYPE, LocalDelivery
from app.model.vocabulary import INCLUDE_FLAGS, QUALITY_DIMENSIONS, EngagementState, Probability
from app.model.wire_v0 import QualityScores, UnparsedMessage

PATH_V1 = "/v1/stream/analyze"
PATH_V2 = "/v2/stream/analyze"
MODELS = ("inter-2", "inter-2-audio")
"""What v2 streams may be analysed by (`?model=` on the handshake); v1 takes none."""
DEFAULT_MODEL = MODELS[0]
GOAL_DIMENSIONS = QUALITY_DIMENSIONS
"""The goal dimensions a session config may set: the five of conversation quality."""
AUDIO_MODEL_SIGNALS = ("agreement", "confidence", "frustration", "hesitation", "interest", "uncertainty")
"""The only signal types inter-2-audio reports (it hears, it does not see)."""
CLOSE_REQUEST_TYPE = "session.close"


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ConfigOptions(_Data):
    include: list[str] = Field(default_factory=list)
    goal_dimensions: list[str] | None = None
    """None: feedback is disabled on this server."""
    model: list[str] | None = None
    """None on v1, which offers no choice."""


class SessionReady(_Data):
    session_idle_timeout_seconds: int
    session_max_duration_seconds: int
    max_segment_duration_seconds: float | None = None
    min_segment_size_bytes: int
    max_segment_size_bytes: int
    supported_session_config_options: ConfigOptions = Field(default_factory=ConfigOptions)


class SessionUpdated(_Data):
    include: list[str] = Field(default_factory=list)
    goal_dimensions: list[str] | None = None
    model: str | None = None


class SessionClosing(_Data):
    max_drain_seconds: int


class SessionEnded(_Data):
    reason: str


class _SignalType(_Data):
    signal_type: str

    @field_validator("signal_type")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        return value.strip().lower()


class SignalDetected(_SignalType):
    start: float
    probability: Probability | None = None
    rationale: str | None = None
    modality: list[str] | None = None
    """`["video"]` on v1; absent on v2."""

    @field_validator("probability", mode="before")
    @classmethod
    def _lowercase_probability(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class SignalUpdated(SignalDetected):
    """The same fields: an active signal's probability, rationale or modality changed."""


class SignalEnded(_SignalType):
    end: float


class EngagementUpdated(_Data):
    state: EngagementState
    start: float

    @field_validator("state", mode="before")
    @classmethod
    def _lowercase_state(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class QualityEntry(_Data):
    start: float
    end: float
    values: QualityScores


class QualityUpdated(_Data):
    overall: QualityScores | None = None
    timeline: list[QualityEntry] | None = None


class FeedbackGenerated(_Data):
    feedback: str


class TimeRange(_Data):
    start: float
    end: float


class CoverageDropped(_Data):
    ranges: list[TimeRange] = Field(default_factory=list)
    """Never analysed (backpressure, or the stream skipped ahead)."""


class CoverageDegraded(_Data):
    ranges: list[TimeRange] = Field(default_factory=list)
    reason: str = "video_gap"


class ErrorData(_Data):
    code: str
    message: str = ""
    link: str | None = None
    segment: int | None = None
    """The 1-based number of the binary frame it concerns, if any."""

    @field_validator("code", mode="before")
    @classmethod
    def _lowercase_code(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


EnvelopeData = (
    SessionReady
    | SessionUpdated
    | SessionClosing
    | SessionEnded
    | SignalDetected
    | SignalUpdated
    | SignalEnded
    | EngagementUpdated
    | QualityUpdated
    | FeedbackGenerated
    | CoverageDropped
    | CoverageDegraded
    | LocalDelivery
    | ErrorData
)

DATA_MODELS: dict[str, type[EnvelopeData]] = {
    "session.ready": SessionReady,
    "session.updated": SessionUpdated,
    "session.closing": SessionClosing,
    "session.ended": SessionEnded,
    "signal.detected": SignalDetected,
    "signal.updated": SignalUpdated,
    "signal.ended": SignalEnded,
    "engagement.updated": EngagementUpdated,
    "conversation_quality.updated": QualityUpdated,
    "feedback.generated": FeedbackGenerated,
    "coverage.dropped": CoverageDropped,
    "coverage.degraded": CoverageDegraded,
    V1_EVENT_TYPE: LocalDelivery,  # Local analysis's extension, ignored by Interhuman's clients
    "error": ErrorData,
}
EnvelopeType = Literal[
    "session.ready",
    "session.updated",
    "session.closing",
    "session.ended",
    "signal.detected",
    "signal.updated",
    "signal.ended",
    "engagement.updated",
    "conversation_quality.updated",
    "feedback.generated",
    "coverage.dropped",
    "coverage.degraded",
    "local.delivery.updated",
    "error",
]


@dataclass(frozen=True, slots=True)
class Envelope:
    """One server envelope of a type we know, its `data` typed."""

    type: EnvelopeType
    data: EnvelopeData
    correlation_id: str | None = None
    timestamp: str | None = None
    """As sent (ISO-8601); not interpreted."""


@dataclass(frozen=True, slots=True)
class UnknownEnvelope:
    """An envelope of a type this version does not know: kept as sent, logged, never fatal."""

    type: str
    raw: dict[str, Any]


def parse_envelope(frame: str | bytes) -> Envelope | UnknownEnvelope | UnparsedMessage:
    if isinstance(frame, bytes):
        return UnparsedMessage("binary frame from the server", f"<{len(frame)} bytes>")
    preview = frame[:200]
    try:
        raw = json.loads(frame)
    except json.JSONDecodeError as error:
        return UnparsedMessage(f"invalid JSON: {error.msg}", preview)
    if not isinstance(raw, dict):
        return UnparsedMessage("JSON is not an object", preview)
    kind = raw.get("type")
    if not isinstance(kind, str):
        return UnparsedMessage("envelope without a string 'type'", preview)
    model = DATA_MODELS.get(kind)
    if model is None:
        return UnknownEnvelope(kind, raw)
    data = raw.get("data", {})
    try:
        typed = model.model_validate(data if data is not None else {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "data"
        return UnparsedMessage(f"invalid {kind} envelope: {where}: {first['msg']}", preview)
    correlation_id = raw.get("correlation_id")
    timestamp = raw.get("timestamp")
    return Envelope(
        kind,  # type: ignore[arg-type]  # a key of DATA_MODELS, hence an EnvelopeType
        typed,
        correlation_id if isinstance(correlation_id, str) else None,
        timestamp if isinstance(timestamp, str) else None,
    )


def envelope_json(kind: EnvelopeType, data: EnvelopeData, correlation_id: str) -> str:
    """An envelope as a server sends it, stamped now (UTC)."""
    if not isinstance(data, DATA_MODELS[kind]):
        raise TypeError(f"{kind} carries {DATA_MODELS[kind].__name__}, not {type(data).__name__}")
    body = {
        "type": kind,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "correlation_id": correlation_id,
        "data": data.model_dump(mode="json", exclude_none=True),
    }
    return json.dumps(body, separators=(",", ":"))


def session_config(
    *,
    include: Sequence[str] | None = None,
    goal_dimensions: Sequence[str] | None = None,
    model: str | None = None,
    local_delivery: bool = False,
) -> str:
    """The session config text frame: keys only for what is given (each frame replaces the
    server's `include` and `goal_dimensions`; `model` is for v2, before the first media;
    `local_delivery` only for Local analysis, whose extension it asks for)."""
    for flag in include or ():
        if flag not in INCLUDE_FLAGS:
            raise ValueError(f"unknown include flag {flag!r}; expected one of {', '.join(INCLUDE_FLAGS)}")
    for dimension in goal_dimensions or ():
        if dimension not in GOAL_DIMENSIONS:
            expected = ", ".join(GOAL_DIMENSIONS)
            raise ValueError(f"unknown goal dimension {dimension!r}; expected one of {expected}")
    if model is not None and model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    config: dict[str, object] = {}
    if include is not None:
        config["include"] = list(include)
    if goal_dimensions is not None:
        config["goal_dimensions"] = list(goal_dimensions)
    if model is not None:
        config["model"] = model
    if local_delivery:
        config["local_delivery"] = True
    return json.dumps(config)


def close_request() -> str:
    """Asks the server to drain and end the session (`session.closing` … `session.ended`)."""
    return json.dumps({"type": CLOSE_REQUEST_TYPE})


class ConfigFrame(_Data):
    """A client's session config as received: strings as sent, checked by the server."""

    include: list[str] | None = None
    goal_dimensions: list[str] | None = None
    model: str | None = None
    audio_format: dict[str, object] | None = None
    local_delivery: bool | None = None
    """Local analysis's extension: send `local.delivery.updated` (Interhuman's service has no such key)."""


@dataclass(frozen=True, slots=True)
class CloseRequest:
    pass


def parse_client_frame(frame: str) -> ConfigFrame | CloseRequest | UnparsedMessage:
    """A client's text frame: the close request, or a session config (an object without `type`)."""
    preview = frame[:200]
    try:
        raw = json.loads(frame)
    except json.JSONDecodeError as error:
        return UnparsedMessage(f"invalid JSON: {error.msg}", preview)
    if not isinstance(raw, dict):
        return UnparsedMessage("JSON is not an object", preview)
    kind = raw.get("type")
    if kind == CLOSE_REQUEST_TYPE:
        return CloseRequest()
    if kind is not None:
        return UnparsedMessage(f"unknown client frame type {kind!r}", preview)
    try:
        return ConfigFrame.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "config"
        return UnparsedMessage(f"invalid session config: {where}: {first['msg']}", preview)
