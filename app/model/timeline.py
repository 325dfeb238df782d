"""`SessionTimeline`: every result of a session in session time, and what the UI shows from it.

Pure Python. It is fed the same `SessionEvent` stream the recorder writes, so a live session and
a review of `events.jsonl` derive the same state. `snapshot(now)` returns plain frozen
dataclasses (`timeline_snapshot`) that the widgets render without knowing anything of sockets or JSON.

Results come whole (a v0 segment's windows and signals) or as changes (v1/v2: an engagement
state from a start on, a signal interval opened, amended, closed, the analysis reaching a
time); an interval still open reaches as far as the analysis has. Either way the newest
analysed media's end gives the cue lag: how far behind the live moment the feedback is.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import TypeVar

from app.model.coverage_gaps import (
    COVERAGE_REASONS,
    NO_PICTURE_REASON,
    SKIP_REASONS,
    Gap,
    GapKind,
    outage_gap,
)
from app.model.delivery import FillerCount, LocalDelivery
from app.model.events import (
    AnalysisReached,
    CaptureProblem,
    ChunkSent,
    ConnectionChanged,
    CoverageGap,
    DeliveryMeasured,
    EngagementChanged,
    FeedbackReceived,
    MediaGap,
    MessageUnparsed,
    QualityReceived,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
    SegmentUnanswered,
    SendingPaused,
    SessionEvent,
    SignalChanged,
)
from app.model.open_intervals import OpenIntervals
from app.model.signal_gauges import gauges_for
from app.model.timeline_snapshot import (
    ConnectionNow,
    Counts,
    EngagementNow,
    Feedback,
    Problem,
    Span,
    TimelineSnapshot,
)
from app.model.vocabulary import PROBABILITY_RANK
from app.model.wire_v0 import EngagementWindow, QualityScores, QualityWindow, Signal

RECENT_SIGNALS = 50
RECENT_FEEDBACK = 20
UPLOAD_RATE_WINDOW_S = 20.0


@dataclass
class SessionTimeline:
    results: list[ResultReceived] = field(default_factory=list)
    _engagement: list[EngagementWindow] = field(default_factory=list)
    _latest_signal: dict[str, Signal] = field(default_factory=dict)
    _signals: list[Signal] = field(default_factory=list)
    _quality_series: list[QualityWindow] = field(default_factory=list)
    _quality_overall: QualityScores | None = None
    _delivery: LocalDelivery | None = None
    _fillers: FillerCount | None = None
    _sent: set[int] = field(default_factory=set)
    _completed: set[int] = field(default_factory=set)
    _errored: set[int] = field(default_factory=set)
    _skipped: set[int] = field(default_factory=set)
    _unanswered: set[int] = field(default_factory=set)
    _answered: set[int] = field(default_factory=set)
    """The segments in `results`: asked of each snapshot, five a second, over hours of them."""
    _counts: Counts = field(default_factory=Counts)
    _connection: ConnectionChanged | None = None
    _problem: Problem | None = None
    _last_result_at: float | None = None
    _last_latency_s: float | None = None
    _uploads: list[tuple[float, int]] = field(default_factory=list)
    _open: OpenIntervals = field(default_factory=OpenIntervals)
    _latest_end: float | None = None
    _coverage_gaps: list[Gap] = field(default_factory=list)
    _feedback: list[Feedback] = field(default_factory=list)
    _spans: dict[int, tuple[float, float]] = field(default_factory=dict)
    _segment_gaps: dict[int, Gap] = field(default_factory=dict)
    _outages: list[Gap] = field(default_factory=list)
    _outage_since: ConnectionChanged | None = None
    _latest_t: float = 0.0
    _paused_since: float | None = None
    _paused_spans: list[Span] = field(default_factory=list)
    _picture_gaps: list[Span] = field(default_factory=list)

    def apply(self, event: SessionEvent) -> None:
        self._latest_t = max(self._latest_t, event.t)
        match event:
            case ResultReceived():
                self._apply_result(event)
            case ChunkSent():
                self._uploads.append((event.t, event.bytes))
                self._bump(chunks_sent=self._counts.chunks_sent + 1)
            case EngagementChanged() | SignalChanged() | QualityReceived() | AnalysisReached():
                self._apply_change(event)
            case CoverageGap(reason="dropped" | "degraded" as kind):
                reason = COVERAGE_REASONS[kind] + (f": {event.detail}" if event.detail else "")
                self._coverage_gaps.append(Gap(event.start, event.end, kind, reason))
                if kind == "degraded":
                    self._reached(event.t, event.end)
            case CoverageGap():
                pass  # an outage: the connection's own gap says it (`gaps`), from its state changes
            case FeedbackReceived():
                self._feedback.append(Feedback(event.t, event.text))
            case DeliveryMeasured():
                self._take_delivery(event.delivery)
            case SegmentClosed():
                self._spans[event.index] = (event.t0, event.t1)
                self._bump(
                    closed=self._counts.closed + 1,
                    dropped_video_frames=self._counts.dropped_video_frames + event.dropped_video_frames,
                    dropped_audio_chunks=self._counts.dropped_audio_chunks + event.dropped_audio_chunks,
                )
            case SegmentSent():
                self._sent.add(event.index)
                self._uploads.append((event.t, event.bytes))
                self._bump(sent=len(self._sent))
            case SegmentCompleted():
                self._completed.add(event.index)
                self._last_latency_s = event.latency_s
                self._bump(completed=len(self._completed))
                self._clear_problem("server")  # segments get through again
            case SegmentError():
                if event.index is not None:
                    self._errored.add(event.index)
                    self._bump(errored=len(self._errored))
                    self._segment_gap(event.index, "error", f"analysis failed: {event.message}")
                self._problem = Problem(event.t, "server", event.message, event.error_id, event.link)
            case SegmentSkipped():
                self._skipped.add(event.index)
                self._bump(skipped=len(self._skipped))
                self._segment_gap(event.index, "skipped", SKIP_REASONS[event.reason])
            case SegmentUnanswered():
                self._unanswered.add(event.index)
                self._bump(unanswered=len(self._unanswered))
            case ConnectionChanged():
                self._apply_connection(event)
            case MessageUnparsed():
                self._bump(unparsed=self._counts.unparsed + 1)
            case CaptureProblem() if event.level == "error":
                self._problem = Problem(event.t, event.source, event.message)
            case SendingPaused():
                self._apply_pause(event)
            case MediaGap() if event.source == "video":
                self._picture_gaps.append(Span(event.t0, event.t1))
            case CaptureProblem() if event.level == "info":
                self._clear_problem(event.source)

    @property
    def counts(self) -> Counts:
        return self._counts

    @property
    def signals(self) -> list[Signal]:
        """Every signal of the session, by start time."""
        return list(self._signals)

    @property
    def segment_spans(self) -> dict[int, tuple[float, float]]:
        """Each closed segment's [t0, t1) in session time, by index."""
        return dict(self._spans)

    def gaps(self) -> list[Gap]:
        """Segments that failed or were not sent (unless a later answer covered them) and the
        connection's outages, by start time; an outage still open runs to the latest event."""
        found = [gap for index, gap in self._segment_gaps.items() if index not in self._answered]
        found += self._outages + self._coverage_gaps
        found += [Gap(span.start, span.end, "no_picture", NO_PICTURE_REASON) for span in self._picture_gaps]
        if self._outage_since is not None:
            found.append(outage_gap(self._outage_since, self._latest_t, "not reconnected"))
        return sorted(found, key=lambda gap: (gap.start, gap.end))

    def snapshot(self, now: float) -> TimelineSnapshot:
        engagement = None
        history = self._engagement_history()
        if history:
            latest = history[-1]
            engagement = EngagementNow(latest.state, latest.start, latest.end, max(0.0, now - latest.end))
        connection = None
        if self._connection is not None:
            c = self._connection
            retry = None if c.retry_in_s is None else max(0.0, c.retry_in_s - (now - c.t))
            connection = ConnectionNow(c.state, c.connection, c.correlation_id, retry, c.detail)
        return TimelineSnapshot(
            now=now,
            engagement=engagement,
            gauges=gauges_for(self._latest_signal, self._open.signals(), now),
            quality_overall=self._quality_overall,
            quality_series=list(self._quality_series),
            engagement_history=history,
            recent_signals=[*self._open.signals()[::-1], *self._signals[-RECENT_SIGNALS:][::-1]][
                :RECENT_SIGNALS
            ],
            counts=self._counts,
            connection=connection,
            problem=self._problem,
            last_result_age_s=None if self._last_result_at is None else max(0.0, now - self._last_result_at),
            last_latency_s=self._last_latency_s,
            upload_rate_bps=self._upload_rate_bps(now),
            coverage_gaps=self.gaps(),
            feedback=self._feedback[-RECENT_FEEDBACK:][::-1],
            cue_lag_s=self.cue_lag_s(now),
            paused_spans=self._paused_until(now),
            picture_gaps=list(self._picture_gaps),
            delivery=self._delivery,
            fillers_so_far=self._fillers,
        )

    def cue_lag_s(self, now: float) -> float | None:
        """How far behind `now` the newest analysed media ends; None before any result."""
        return None if self._latest_end is None else max(0.0, now - self._latest_end)

    def _apply_change(
        self, event: EngagementChanged | SignalChanged | QualityReceived | AnalysisReached
    ) -> None:
        match event:
            case EngagementChanged():
                closed = self._open.engagement_changed(event.state, event.start)
                if closed is not None:
                    _insert_sorted(self._engagement, closed)
                self._reached(event.t, event.start)
            case SignalChanged():
                interval = self._open.signal_changed(event)
                if interval is not None:
                    _insert_sorted(self._signals, interval)
                    self._latest_signal[event.type] = interval
                self._reached(event.t, self._open.analysed_until or 0.0)
            case QualityReceived():
                if event.overall is not None:
                    self._quality_overall = event.overall
                for window in event.timeline:
                    _insert_sorted(self._quality_series, window)
                    self._reached(event.t, window.end)
            case AnalysisReached():
                self._reached(event.t, event.until)

    def _reached(self, at: float, until: float) -> None:
        """Results now cover the media up to `until` (session time); they arrived at `at`."""
        self._last_result_at = at
        self._open.reach(until)
        self._latest_end = until if self._latest_end is None else max(self._latest_end, until)

    def _engagement_history(self) -> list[EngagementWindow]:
        current = self._open.engagement_window()
        return [*self._engagement, *([] if current is None else [current])]

    def _apply_result(self, event: ResultReceived) -> None:
        self._last_result_at = event.t
        if event.index in self._answered:
            # A segment re-sent after a reconnection can be answered twice: the later answer wins.
            self.results = [known for known in self.results if known.index != event.index]
            self.results.append(event)
            self._rebuild_results()
            return
        self.results.append(event)
        self._answered.add(event.index)
        self._add_result(event)
        ends = [w.end for w in event.engagement] + [s.end for s in event.signals]
        if ends:
            self._latest_end = max([*ends, *([] if self._latest_end is None else [self._latest_end])])

    def _rebuild_results(self) -> None:
        self._engagement.clear()
        self._signals.clear()
        self._latest_signal.clear()
        self._quality_series.clear()
        self._quality_overall = None
        self._delivery = None
        self._fillers = None
        for result in self.results:
            self._add_result(result)

    def _take_delivery(self, delivery: LocalDelivery) -> None:
        if self._delivery is None or delivery.end >= self._delivery.end:
            self._delivery = delivery
        if delivery.fillers is not None:
            known = self._fillers
            self._fillers = delivery.fillers if known is None else known.plus(delivery.fillers)

    def _add_result(self, event: ResultReceived) -> None:
        for window in event.engagement:
            _insert_sorted(self._engagement, window)
        for signal in event.signals:
            _insert_sorted(self._signals, signal)
            known = self._latest_signal.get(signal.type)
            if known is None or (signal.end, PROBABILITY_RANK[signal.probability]) >= (
                known.end,
                PROBABILITY_RANK[known.probability],
            ):
                self._latest_signal[signal.type] = signal
        if event.delivery is not None:
            self._take_delivery(event.delivery)
        if event.quality is not None:
            if event.quality.overall is not None:
                self._quality_overall = event.quality.overall
            for quality in event.quality.timeline:
                _insert_sorted(self._quality_series, quality)

    def _apply_connection(self, event: ConnectionChanged) -> None:
        # A reconnection is a connection opened after the first; retries that never got through
        # are attempts, not reconnections.
        if event.state == "connected" and event.connection > 1:
            self._bump(reconnects=self._counts.reconnects + 1)
        if event.state == "connected" and self._outage_since is not None:
            outcome = f"connected again (connection {event.connection})"
            self._outages.append(outage_gap(self._outage_since, event.t, outcome))
            self._outage_since = None
        if event.state in ("lost", "reconnecting") and self._outage_since is None:
            self._outage_since = event
        self._connection = event
        if event.state in ("auth_rejected", "failed", "lost"):
            self._problem = Problem(event.t, "connection", event.detail or event.state)
        elif event.state == "connected":
            self._clear_problem("connection")

    def _clear_problem(self, source: str) -> None:
        """The latest problem came from `source`, which is fine again: it no longer holds."""
        if self._problem is not None and self._problem.source == source:
            self._problem = None

    def _paused_until(self, now: float) -> list[Span]:
        if self._paused_since is None:
            return list(self._paused_spans)
        return [*self._paused_spans, Span(self._paused_since, max(now, self._paused_since))]

    def _apply_pause(self, event: SendingPaused) -> None:
        if event.paused and self._paused_since is None:
            self._paused_since = event.t
        elif not event.paused and self._paused_since is not None:
            self._paused_spans.append(Span(self._paused_since, event.t))
            self._paused_since = None

    def _segment_gap(self, index: int, kind: GapKind, reason: str) -> None:
        start, end = self._spans.get(index, (self._latest_t, self._latest_t))
        self._segment_gaps[index] = Gap(start, end, kind, reason, index)

    def _upload_rate_bps(self, now: float) -> float:
        since = now - UPLOAD_RATE_WINDOW_S
        sent = sum(size for t, size in self._uploads if since < t <= now)
        return 8.0 * sent / UPLOAD_RATE_WINDOW_S

    def _bump(self, **changes: int) -> None:
        self._counts = replace(self._counts, **changes)


_W = TypeVar("_W", Signal, EngagementWindow, QualityWindow)


def _insert_sorted(items: list[_W], item: _W) -> None:
    bisect.insort(items, item, key=lambda w: (w.start, w.end))
