"""`TimelineSnapshot`: what the UI shows of a session's timeline at one moment, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.model.coverage_gaps import Gap
from app.model.delivery import FillerCount, LocalDelivery
from app.model.events import ConnectionState
from app.model.signal_gauges import Gauge
from app.model.vocabulary import EngagementState
from app.model.wire_v0 import EngagementWindow, QualityScores, QualityWindow, Signal


@dataclass(frozen=True, slots=True)
class EngagementNow:
    state: EngagementState
    start: float
    end: float
    age_s: float
    """How long ago (session time) the window this state refers to ended."""


@dataclass(frozen=True, slots=True)
class Counts:
    closed: int = 0
    sent: int = 0
    completed: int = 0
    errored: int = 0
    skipped: int = 0
    reconnects: int = 0
    unanswered: int = 0
    unparsed: int = 0
    dropped_video_frames: int = 0
    dropped_audio_chunks: int = 0
    chunks_sent: int = 0

    @property
    def in_flight(self) -> int:
        return max(0, self.sent - self.completed - self.errored - self.unanswered)


@dataclass(frozen=True, slots=True)
class Problem:
    """The latest thing that went wrong, as the user should read it."""

    t: float
    source: str
    message: str
    error_id: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionNow:
    state: ConnectionState
    connection: int
    correlation_id: str | None
    retry_in_s: float | None
    """Seconds left before the next reconnection attempt, while one is pending."""
    detail: str = ""
    """Why the connection is in this state ("the connection was refused"), when it is not up."""


@dataclass(frozen=True, slots=True)
class Feedback:
    t: float
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of session time [start, end)."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class TimelineSnapshot:
    now: float
    engagement: EngagementNow | None
    gauges: list[Gauge]
    """One per signal type seen in the session, strongest and freshest first."""
    quality_overall: QualityScores | None
    quality_series: list[QualityWindow]
    engagement_history: list[EngagementWindow]
    recent_signals: list[Signal]
    """The latest signals, newest first."""
    counts: Counts
    connection: ConnectionNow | None
    problem: Problem | None
    last_result_age_s: float | None
    """Session seconds since the latest result arrived; None while waiting for the first."""
    last_latency_s: float | None
    upload_rate_bps: float
    coverage_gaps: list[Gap] = field(default_factory=list)
    """What the analysis does not cover as it should (`SessionTimeline.gaps`), for the strip."""
    feedback: list[Feedback] = field(default_factory=list)
    """Feedback text on the chosen goals, newest first."""
    cue_lag_s: float | None = None
    """Session seconds from the end of the newest analysed media to now; None before any result."""
    paused_spans: list[Span] = field(default_factory=list)
    """When sending was paused; the one still going ends at `now`."""
    picture_gaps: list[Span] = field(default_factory=list)
    """When no picture came (a camera unplugged, the computer asleep)."""
    delivery: LocalDelivery | None = None
    """Local analysis's delivery figures of the latest analysed stretch; None with Interhuman's
    service, or before the first result."""
    fillers_so_far: FillerCount | None = None
    """The filler words of the whole session so far (each utterance is counted where it ends, so
    most stretches hold none); None until Local analysis counted any."""
