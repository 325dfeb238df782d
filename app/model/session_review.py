"""`SessionReview`: what a finished (or crashed) session comes to, from its events alone.

The events are replayed into a `SessionTimeline`, the same one a live session feeds, so the review
and the live window agree on every result whatever the protocol; this module only sums it up: the
time spent in each engagement state, each signal type's frequency with example rationales, quality
overall and per window, how the media reached the analysis, Local analysis's delivery figures
over the session, and every stretch the analysis does not cover, with
its reason. Pure: the folder's own facts (segment files missing or unreadable) are handed in.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.model.coverage_gaps import Gap
from app.model.delivery import LocalDelivery
from app.model.delivery_summary import DeliverySummary, summarise_delivery
from app.model.events import (
    DeliveryMeasured,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SessionEvent,
    SessionSummary,
)
from app.model.timeline import SessionTimeline
from app.model.timeline_snapshot import Counts
from app.model.vocabulary import PROBABILITY_RANK, SIGNAL_MEANINGS, EngagementState, Probability
from app.model.wire_v0 import EngagementWindow, QualityScores, QualityWindow, Signal

EXAMPLES_PER_SIGNAL = 3
MIN_SEND_S = 3.0
"""The shortest segment the service takes (PROTOCOL.md): a shorter tail is never sent."""


@dataclass(frozen=True, slots=True)
class StateTime:
    """Seconds of analysed media in each engagement state."""

    engaged_s: float = 0.0
    neutral_s: float = 0.0
    disengaged_s: float = 0.0

    @property
    def analysed_s(self) -> float:
        return self.engaged_s + self.neutral_s + self.disengaged_s

    def seconds(self, state: EngagementState) -> float:
        return {"engaged": self.engaged_s, "neutral": self.neutral_s, "disengaged": self.disengaged_s}[state]

    def share(self, state: EngagementState) -> float | None:
        """The state's share of the analysed time; None when nothing was analysed."""
        analysed = self.analysed_s
        return self.seconds(state) / analysed if analysed > 0 else None


@dataclass(frozen=True, slots=True)
class SignalStat:
    type: str
    count: int
    total_s: float
    per_minute: float
    """Occurrences per minute of session."""
    strongest: Probability | None
    examples: tuple[str, ...]
    """Up to `EXAMPLES_PER_SIGNAL` different rationales, strongest readings first."""
    meaning: str


@dataclass(frozen=True, slots=True)
class SignalRow:
    """One signal as the report's table and CSV list it."""

    signal: Signal
    segment: int | None
    """The segment whose result carried it (None where the protocol has no segments)."""


@dataclass(frozen=True, slots=True)
class DeliveryFigures:
    """How the session's media reached the analysis and came back."""

    counts: Counts
    latency_median_s: float | None
    latency_p95_s: float | None
    unsent_tail_s: float


@dataclass(frozen=True, slots=True)
class SessionReview:
    length_s: float
    engagement: list[EngagementWindow]
    state_time: StateTime
    signals: list[SignalRow]
    """By start time."""
    signal_stats: list[SignalStat]
    """Most frequent first."""
    quality_overall: QualityScores | None
    quality_series: list[QualityWindow]
    gaps: list[Gap]
    """By start time."""
    delivery: DeliveryFigures
    local_delivery: DeliverySummary | None
    """Local analysis's delivery figures over the session; None from Interhuman's service."""

    @property
    def signal_types(self) -> list[str]:
        return [stat.type for stat in self.signal_stats]

    def signals_at(self, t: float) -> list[Signal]:
        """The signals whose window holds session time `t`, strongest first."""
        found = [row.signal for row in self.signals if row.signal.start <= t < row.signal.end]
        return sorted(found, key=lambda s: (-PROBABILITY_RANK[s.probability], s.type))

    def engagement_at(self, t: float) -> EngagementWindow | None:
        return next((w for w in self.engagement if w.start <= t < w.end), None)

    def quality_at(self, t: float) -> QualityWindow | None:
        return next((w for w in self.quality_series if w.start <= t < w.end), None)


def review_session(
    events: Iterable[SessionEvent], *, media_gaps: Sequence[Gap] = (), ended: bool = True
) -> SessionReview:
    """Sum up a session from its recorded events. `media_gaps` are what the folder lacks (segment
    files missing or unreadable); `ended` says whether the session was stopped properly, which
    decides how a segment without an answer is explained."""
    timeline = SessionTimeline()
    closed: list[SegmentClosed] = []
    latencies: list[float] = []
    summary: SessionSummary | None = None
    stretches: list[LocalDelivery] = []
    latest_t = 0.0
    for event in events:
        timeline.apply(event)
        latest_t = max(latest_t, event.t)
        match event:
            case SegmentClosed():
                closed.append(event)
            case SegmentCompleted():
                latencies.append(event.latency_s)
            case SessionSummary():
                summary = event
            case ResultReceived(delivery=LocalDelivery() as delivery) | DeliveryMeasured(delivery=delivery):
                stretches.append(delivery)
    unsent_tail_s = summary.unsent_tail_s if summary is not None else 0.0
    snapshot = timeline.snapshot(latest_t)
    length_s = _length_s(closed, timeline.results, unsent_tail_s, snapshot.engagement_history)
    rows = _signal_rows(timeline)
    gaps = [
        *timeline.gaps(),
        *_unanswered(timeline, closed, ended),
        *_unsent(closed, unsent_tail_s),
        *media_gaps,
    ]
    return SessionReview(
        length_s=length_s,
        engagement=snapshot.engagement_history,
        state_time=state_time(snapshot.engagement_history),
        signals=rows,
        signal_stats=signal_stats([row.signal for row in rows], length_s),
        quality_overall=snapshot.quality_overall,
        quality_series=snapshot.quality_series,
        gaps=sorted(gaps, key=lambda gap: (gap.start, gap.end)),
        delivery=DeliveryFigures(
            counts=timeline.counts,
            latency_median_s=statistics.median(latencies) if latencies else None,
            latency_p95_s=_percentile(latencies, 0.95),
            unsent_tail_s=unsent_tail_s,
        ),
        local_delivery=summarise_delivery(stretches),
    )


def state_time(windows: Iterable[EngagementWindow]) -> StateTime:
    seconds: dict[EngagementState, float] = {"engaged": 0.0, "neutral": 0.0, "disengaged": 0.0}
    for window in windows:
        seconds[window.state] += max(0.0, window.end - window.start)
    return StateTime(seconds["engaged"], seconds["neutral"], seconds["disengaged"])


def signal_stats(signals: Sequence[Signal], length_s: float) -> list[SignalStat]:
    by_type: dict[str, list[Signal]] = {}
    for signal in signals:
        by_type.setdefault(signal.type, []).append(signal)
    minutes = length_s / 60.0
    stats = []
    for kind, seen in by_type.items():
        strongest_first = sorted(seen, key=lambda s: (-PROBABILITY_RANK[s.probability], s.start))
        examples: list[str] = []
        for signal in strongest_first:
            text = (signal.rationale or "").strip()
            if text and text not in examples:
                examples.append(text)
            if len(examples) == EXAMPLES_PER_SIGNAL:
                break
        stats.append(
            SignalStat(
                type=kind,
                count=len(seen),
                total_s=sum(max(0.0, s.end - s.start) for s in seen),
                per_minute=len(seen) / minutes if minutes > 0 else 0.0,
                strongest=strongest_first[0].probability,
                examples=tuple(examples),
                meaning=SIGNAL_MEANINGS.get(kind, ""),
            )
        )
    stats.sort(key=lambda stat: (-stat.count, -PROBABILITY_RANK[stat.strongest], stat.type))
    return stats


def _signal_rows(timeline: SessionTimeline) -> list[SignalRow]:
    segment_of = {signal: result.index for result in timeline.results for signal in result.signals}
    return [SignalRow(signal, segment_of.get(signal)) for signal in timeline.signals]


def _length_s(
    closed: Sequence[SegmentClosed],
    results: Sequence[ResultReceived],
    unsent_tail_s: float,
    engagement: Sequence[EngagementWindow],
) -> float:
    """Media time, not the clock: a `--fast` session records minutes of media in seconds."""
    ends = [segment.t1 for segment in closed]
    media_end = max(ends) + unsent_tail_s if ends else 0.0
    analysed_end = max([r.t1 for r in results] + [w.end for w in engagement], default=0.0)
    return max(media_end, analysed_end)


def _unanswered(timeline: SessionTimeline, closed: Sequence[SegmentClosed], ended: bool) -> list[Gap]:
    accounted = {result.index for result in timeline.results}
    accounted |= {gap.index for gap in timeline.gaps() if gap.index is not None}
    reason = (
        "no answer before the session stopped"
        if ended
        else "no answer recorded: the session ended unexpectedly"
    )
    return [
        Gap(segment.t0, segment.t1, "unanswered", reason, segment.index)
        for segment in closed
        if segment.index not in accounted
    ]


def _unsent(closed: Sequence[SegmentClosed], unsent_tail_s: float) -> list[Gap]:
    if unsent_tail_s <= 0 or not closed:
        return []
    start = max(segment.t1 for segment in closed)
    reason = f"the last {unsent_tail_s:.1f} s were too short to send (under {MIN_SEND_S:g} s)"
    return [Gap(start, start + unsent_tail_s, "unsent", reason)]


def _percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
