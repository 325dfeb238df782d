"""The Interhuman v0 stream protocol's wire models (PROTOCOL.md §4).

Everything a v0 server sends is parsed here and nowhere else. Parsing never raises: what cannot
be understood becomes an `UnparsedMessage`, which the uplink logs and counts.
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
    ValidationError,
    field_validator,
    model_validator,
)

from app.model.delivery import LocalDelivery
from app.model.error_codes import ERROR_ID
from app.model.vocabulary import EngagementState, Probability

log = logging.getLogger(__name__)

PATH_V0 = "/v0/stream/analyze"


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
        delivery = self.local_delivery
        if delivery is not None:
            delivery = _shift(delivery, offset_s)
        return self.model_copy(
            update={
                "signals": [_shift(s, offset_s) for s in self.signals],
                "engagement_state": [_shift(w, offset_s) for w in self.engagement_state],
                "conversation_quality": quality,
                "local_delivery": delivery,
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
            found = ERROR_ID.search(text)
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


_W = TypeVar("_W", Signal, EngagementWindow, QualityWindow, LocalDelivery)


def _shift(window: _W, offset_s: float) -> _W:
    return window.model_copy(update={"start": window.start + offset_s, "end": window.end + offset_s})
