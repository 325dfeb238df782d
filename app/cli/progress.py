"""What `stream` writes as a session runs: JSON Lines of every event, and one human line per analysed
segment (v0) or per `LINE_EVERY_S` of analysed stream (v1/v2)."""

from __future__ import annotations

import sys
from typing import TextIO

from app.model.events import (
    AnalysisReached,
    CaptureProblem,
    ConnectionChanged,
    CoverageGap,
    EngagementChanged,
    Event,
    FeedbackReceived,
    QualityReceived,
    ResultReceived,
    SegmentCompleted,
    SegmentError,
    SegmentSkipped,
    SessionEvent,
    SessionSummary,
    SignalChanged,
    event_json,
)
from app.model.vocabulary import PROBABILITY_RANK
from app.model.wire_v0 import Signal

LINE_EVERY_S = 4.0
"""A v1/v2 stream is analysed continuously: a progress line per this much analysed media."""


class EventWriter:
    """`--events PATH`: one JSON object per line, flushed as it is written (`-` is stdout)."""

    def __init__(self, stream: TextIO, *, owned: bool) -> None:
        self._stream = stream
        self._owned = owned

    @classmethod
    def open(cls, target: str) -> EventWriter:
        if target == "-":
            return cls(sys.stdout, owned=False)
        return cls(open(target, "a", encoding="utf-8"), owned=True)

    def write(self, event: Event) -> None:
        self._stream.write(event_json(event) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._owned:
            self._stream.close()


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
        self._reached: float | None = None
        self._printed_until: float | None = None

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
            case SegmentError():
                where = f"#{event.index}" if event.index is not None else "server"
                code = f" [{event.error_id}]" if event.error_id else ""
                return f"{where} error{code}: {event.message}"
            case SegmentSkipped():
                return f"#{event.index} skipped ({event.reason}){': ' + event.detail if event.detail else ''}"
            case ConnectionChanged() if event.state != "connecting":
                retry = f", retrying in {event.retry_in_s:.1f} s" if event.retry_in_s else ""
                detail = f": {event.detail}" if event.detail else ""
                return f"connection {event.connection} {event.state}{detail}{retry}"
            case CaptureProblem() if event.level != "info":
                return f"{event.source}: {event.message}"
            case EngagementChanged() | SignalChanged() | QualityReceived() | AnalysisReached():
                return self._stream_line(event)
            case CoverageGap():
                detail = f": {event.detail}" if event.detail else ""
                return f"{mmss(event.start)}–{mmss(event.end)}  not analysed ({event.reason}){detail}"
            case FeedbackReceived():
                return f"feedback: {event.text}"
            case SessionSummary() if event.chunks_sent:
                lag = ""
                if event.cue_lag_p50_s is not None and event.cue_lag_p95_s is not None:
                    p50, p95 = event.cue_lag_p50_s, event.cue_lag_p95_s
                    lag = f"; feedback {p50:.1f} s behind live (95%: {p95:.1f} s)"
                return (
                    f"done: {event.closed} segments recorded, {event.chunks_sent} stream chunks sent, "
                    f"{event.errored} errors, {event.reconnects} reconnects{lag}"
                )
            case SessionSummary():
                tail = (
                    f"; the last {event.unsent_tail_s:.1f} s was too short to send"
                    if event.unsent_tail_s
                    else ""
                )
                return (
                    f"done: {event.closed} segments, {event.sent} sent, {event.completed} completed, "
                    f"{event.errored} errors, {event.skipped} skipped, {event.reconnects} reconnects{tail}"
                )
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
        self._reached = until if self._reached is None else max(self._reached, until)
        if self._printed_until is None:
            self._printed_until = 0.0
        if self._reached - self._printed_until < LINE_EVERY_S:
            return None
        start, self._printed_until = self._printed_until, self._reached
        state = self._state or "no engagement state"
        return f"{mmss(start)}–{mmss(self._reached)}  {state:<10}  {top_signals(list(self._open.values()))}"
