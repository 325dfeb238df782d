"""What `stream` tells a person as a session runs: one line per analysed segment (v0) or per
`LINE_EVERY_S` of analysed stream (v1/v2), and a line for each thing that went wrong, on stderr.
(`app.cli.event_output` writes the events for scripts.)"""

from __future__ import annotations

from typing import TextIO

from app.cli.advice import capture_hint
from app.model.error_codes import classify_error
from app.model.events import (
    AnalysisReached,
    CaptureProblem,
    ConnectionChanged,
    CoverageGap,
    DrainStarted,
    EngagementChanged,
    FeedbackReceived,
    MediaGap,
    QualityReceived,
    ResultReceived,
    SegmentCompleted,
    SegmentError,
    SegmentSkipped,
    SegmentUnanswered,
    SessionEvent,
    SessionSummary,
    SignalChanged,
)
from app.model.vocabulary import PROBABILITY_RANK
from app.model.wire_v0 import Signal

LINE_EVERY_S = 4.0
"""A v1/v2 stream is analysed continuously: a progress line per this much analysed media."""


def mmss(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}"


def top_signals(signals: list[Signal], count: int = 3) -> str:
    best: dict[str, Signal] = {}
    for signal in signals:
        known = best.get(signal.type)
        if known is None or PROBABILITY_RANK[signal.probability] > PROBABILITY_RANK[known.probability]:
            best[signal.type] = signal
    ranked = sorted(best.values(), key=lambda s: -PROBABILITY_RANK[s.probability])[:count]
    return (
        ", ".join(f"{s.type} ({s.probability})" if s.probability else s.type for s in ranked) or "no signals"
    )


class ProgressPrinter:
    """One line per analysed segment, and a line for each thing that went wrong, on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._results: dict[int, ResultReceived] = {}
        self._state: str | None = None
        self._open: dict[str, Signal] = {}
        self._reached = 0.0
        self._printed_until = 0.0

    def handle(self, event: SessionEvent) -> None:
        line = self._line(event)
        if line:
            print(line, file=self._stream, flush=True)

    def _line(self, event: SessionEvent) -> str | None:
        match event:
            case ResultReceived():
                self._results[event.index] = event
            case SegmentCompleted():
                result = self._results.pop(event.index, None)
                if result is None:
                    return f"#{event.index} completed without a result ({event.latency_s:.2f} s)"
                state = result.engagement[-1].state if result.engagement else "no engagement state"
                return (
                    f"#{event.index:<4} {mmss(result.t0)}–{mmss(result.t1)}  {state:<10}  "
                    f"{top_signals(result.signals)}  ({event.latency_s:.2f} s)"
                )
            case SegmentError() if classify_error(event.error_id) in ("auth", "quota"):
                return None  # it ends the session: the command's last line says it, once
            case SegmentError():
                where = f"#{event.index}" if event.index is not None else "server"
                code = f" [{event.error_id}]" if event.error_id else ""
                return f"{where} error{code}: {event.message}"
            case SegmentSkipped():
                return f"#{event.index} skipped ({event.reason}){': ' + event.detail if event.detail else ''}"
            case SegmentUnanswered():
                answered = "its result came, its completion did not" if event.had_result else "no answer"
                return f"#{event.index} unanswered when the session ended ({answered})"
            case DrainStarted():
                return f"waiting up to {event.timeout_s:g} s for {_drain_text(event)}…"
            case ConnectionChanged() if event.state not in ("connecting", "failed", "auth_rejected"):
                # A failure ends the session; the command's last line says it, once.
                retry = f", retrying in {event.retry_in_s:.1f} s" if event.retry_in_s else ""
                detail = f": {event.detail}" if event.detail else ""
                return f"connection {event.connection} {event.state}{detail}{retry}"
            case CaptureProblem() if event.level != "info":
                hint = capture_hint(event.source) if event.level == "error" else None
                return f"{event.source}: {event.message}{' ' + hint if hint else ''}"
            case EngagementChanged() | SignalChanged() | QualityReceived() | AnalysisReached():
                return self._stream_line(event)
            case CoverageGap() if event.reason != "outage":  # an outage says itself as connection lines
                detail = f": {event.detail}" if event.detail else ""
                return f"{mmss(event.start)}–{mmss(event.end)}  not analysed ({event.reason}){detail}"
            case FeedbackReceived():
                return f"feedback: {event.text}"
            case MediaGap():
                return (
                    f"{event.source}: nothing from {mmss(event.t0)} to {mmss(event.t1)} "
                    f"({event.t1 - event.t0:.1f} s gap)"
                )
            case SessionSummary():
                return summary_line(event)
        return None

    def _stream_line(
        self, event: EngagementChanged | SignalChanged | QualityReceived | AnalysisReached
    ) -> str | None:
        """A line when the analysis has moved `LINE_EVERY_S` on: the state and the open signals."""
        match event:
            case EngagementChanged():
                self._state = event.state
                until = event.start
            case SignalChanged() if event.change == "closed":
                self._open.pop(event.type, None)
                until = event.end or 0.0
            case SignalChanged():
                start = event.start or 0.0
                self._open[event.type] = Signal(
                    type=event.type, start=start, end=start, probability=event.probability
                )
                until = start
            case QualityReceived():
                until = max((w.end for w in event.timeline), default=0.0)
            case AnalysisReached():
                until = event.until
        self._reached = max(self._reached, until)
        if self._reached - self._printed_until < LINE_EVERY_S:
            return None
        start, self._printed_until = self._printed_until, self._reached
        state = self._state or "no engagement state"
        return f"{mmss(start)}–{mmss(self._reached)}  {state:<10}  {top_signals(list(self._open.values()))}"


def summary_line(summary: SessionSummary) -> str:
    if summary.chunks_sent:
        return _stream_summary_line(summary)
    unanswered = f", {summary.unanswered} unanswered" if summary.unanswered else ""
    tail = round(summary.unsent_tail_s, 1)
    short = f"; the last {tail:g} s was too short to send" if tail > 0 else ""
    return (
        f"done: {_count(summary.closed, 'segment')}, {summary.sent} sent, {summary.completed} completed, "
        f"{_count(summary.errored, 'error')}{unanswered}, {summary.skipped} skipped, "
        f"{_count(summary.reconnects, 'reconnect')}{short}"
    )


def _stream_summary_line(summary: SessionSummary) -> str:
    lag = ""
    if summary.cue_lag_p50_s is not None and summary.cue_lag_p95_s is not None:
        lag = f"; feedback {summary.cue_lag_p50_s:.1f} s behind live (95%: {summary.cue_lag_p95_s:.1f} s)"
    return (
        f"done: {_count(summary.closed, 'segment')} recorded, {summary.chunks_sent} stream chunks sent, "
        f"{_count(summary.errored, 'error')}, {_count(summary.reconnects, 'reconnect')}{lag}"
    )


def _drain_text(drain: DrainStarted) -> str:
    parts = []
    if drain.in_flight:
        parts.append(f"the answers to {_count(drain.in_flight, 'segment')}")
    if drain.queued:
        parts.append(f"{_count(drain.queued, 'segment')} still to send")
    return " and ".join(parts) or "the connection to close"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
