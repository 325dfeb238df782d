"""`Gap`: a stretch of session time the analysis does not cover as it should, its kinds and their wording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.model.events import ConnectionChanged

GapKind = Literal[
    "error",
    "skipped",
    "reconnection",
    "no_picture",
    "unanswered",
    "unsent",
    "missing_media",
    "dropped",
    "degraded",
]
"""What the timeline finds itself (errors, skipped segments, reconnections, no picture at all; on
v1/v2 the media never analysed and that analysed with too little picture) and what a review of the
folder adds (segments never answered, the unsent tail, segment files missing or unreadable)."""
COVERAGE_REASONS = {
    "dropped": "not analysed",
    "degraded": "analysed with too little picture",
}
NO_PICTURE_REASON = "no picture came: the camera unplugged, or the computer asleep"


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of session time the analysis does not cover as it should, and why."""

    start: float
    end: float
    kind: GapKind
    reason: str
    """One short sentence for the user."""
    index: int | None = None
    """The segment it concerns, where there is one."""


SKIP_REASONS = {
    "stale": "not sent: too old by the time it could go",
    "paused": "not sent: sending was paused",
    "out_of_limits": "not sent: outside the service's size limits",
    "not_sent": "not sent before the session ended",
}


def outage_gap(since: ConnectionChanged, until: float, outcome: str) -> Gap:
    """The connection was down from `since` to `until`; `outcome` says how that ended."""
    detail = (since.detail or "the connection was lost").rstrip(".")
    return Gap(since.t, max(since.t, until), "reconnection", f"{detail}; {outcome}")
