"""`SessionReport`: a session's normalised results in session time, as `report --json` writes them.

Its shape is versioned by `format` (README, "Reports": the schema); a reader should check it and
refuse a newer major format. The HTML and CSV reports are made from the same model, so the three
never disagree. Never a secret: the settings come from `session.json`, which holds none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.model.coverage_gaps import GapKind
from app.model.delivery_summary import DeliverySummary
from app.model.session_review import SessionReview
from app.model.vocabulary import EngagementState, Probability
from app.model.wire_v0 import QualityScores

REPORT_FORMAT = 1
CSV_COLUMNS = ("start", "end", "type", "probability", "rationale", "segment")


class ReportModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportSession(ReportModel):
    """What the session folder says about itself."""

    folder: str
    title: str
    session_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    ended_unexpectedly: bool = False
    source: str | None = None
    backend: str
    server_url: str | None = None
    api_version: str
    app_version: str | None = None
    recording_format: int | None = None
    """`session.json`'s own `format`."""
    notes: list[str] = Field(default_factory=list)
    """What the reader found wrong with the folder (a torn line, unknown events, a newer format)."""


class EngagementSummary(ReportModel):
    engaged_s: float
    neutral_s: float
    disengaged_s: float
    analysed_s: float
    engaged_share: float | None
    neutral_share: float | None
    disengaged_share: float | None


class SignalSummary(ReportModel):
    type: str
    count: int
    total_s: float
    per_minute: float
    strongest: Probability | None
    examples: list[str]
    meaning: str


class ReportWindow(ReportModel):
    start: float
    end: float
    state: EngagementState


class ReportSignal(ReportModel):
    start: float
    end: float
    type: str
    probability: Probability | None
    rationale: str | None
    segment: int | None


class ReportQualityWindow(ReportModel):
    start: float
    end: float
    values: QualityScores


class ReportQuality(ReportModel):
    overall: QualityScores | None
    timeline: list[ReportQualityWindow]


class ReportGap(ReportModel):
    start: float
    end: float
    kind: GapKind
    reason: str
    segment: int | None


class ReportDelivery(ReportModel):
    segments_closed: int
    segments_sent: int
    segments_completed: int
    segments_failed: int
    segments_skipped: int
    reconnects: int
    unparsed_messages: int
    dropped_video_frames: int
    latency_median_s: float | None
    latency_p95_s: float | None
    unsent_tail_s: float


class SessionReport(ReportModel):
    format: int = REPORT_FORMAT
    generated_at: datetime
    session: ReportSession
    length_s: float
    engagement_summary: EngagementSummary
    signal_summary: list[SignalSummary]
    engagement: list[ReportWindow]
    signals: list[ReportSignal]
    quality: ReportQuality
    gaps: list[ReportGap]
    delivery: ReportDelivery
    local_delivery: DeliverySummary | None = None
    """Local analysis's delivery figures over the session; shares 0–1, rates per minute of speech."""
    settings: dict[str, Any]
    versions: dict[str, Any]


def build_report(
    review: SessionReview,
    session: ReportSession,
    *,
    settings: dict[str, Any],
    versions: dict[str, Any],
    generated_at: datetime,
) -> SessionReport:
    state = review.state_time
    counts = review.delivery.counts
    return SessionReport(
        generated_at=generated_at,
        session=session,
        length_s=review.length_s,
        engagement_summary=EngagementSummary(
            engaged_s=state.engaged_s,
            neutral_s=state.neutral_s,
            disengaged_s=state.disengaged_s,
            analysed_s=state.analysed_s,
            engaged_share=state.share("engaged"),
            neutral_share=state.share("neutral"),
            disengaged_share=state.share("disengaged"),
        ),
        signal_summary=[
            SignalSummary(
                type=s.type,
                count=s.count,
                total_s=s.total_s,
                per_minute=s.per_minute,
                strongest=s.strongest,
                examples=list(s.examples),
                meaning=s.meaning,
            )
            for s in review.signal_stats
        ],
        engagement=[ReportWindow(start=w.start, end=w.end, state=w.state) for w in review.engagement],
        signals=[
            ReportSignal(
                start=row.signal.start,
                end=row.signal.end,
                type=row.signal.type,
                probability=row.signal.probability,
                rationale=row.signal.rationale,
                segment=row.segment,
            )
            for row in review.signals
        ],
        quality=ReportQuality(
            overall=review.quality_overall,
            timeline=[
                ReportQualityWindow(start=w.start, end=w.end, values=w.values) for w in review.quality_series
            ],
        ),
        gaps=[
            ReportGap(start=g.start, end=g.end, kind=g.kind, reason=g.reason, segment=g.index)
            for g in review.gaps
        ],
        delivery=ReportDelivery(
            segments_closed=counts.closed,
            segments_sent=counts.sent,
            segments_completed=counts.completed,
            segments_failed=counts.errored,
            segments_skipped=counts.skipped,
            reconnects=counts.reconnects,
            unparsed_messages=counts.unparsed,
            dropped_video_frames=counts.dropped_video_frames,
            latency_median_s=review.delivery.latency_median_s,
            latency_p95_s=review.delivery.latency_p95_s,
            unsent_tail_s=review.delivery.unsent_tail_s,
        ),
        local_delivery=review.local_delivery,
        settings=settings,
        versions=versions,
    )


def csv_rows(report: SessionReport) -> list[tuple[str, ...]]:
    """One row per signal under `CSV_COLUMNS`; times in seconds of session time."""
    return [
        (
            f"{s.start:.3f}",
            f"{s.end:.3f}",
            s.type,
            s.probability or "",
            s.rationale or "",
            "" if s.segment is None else str(s.segment),
        )
        for s in report.signals
    ]
