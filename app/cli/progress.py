"""What `stream` writes as a session runs: JSON Lines of every event, and one human line per segment."""

from __future__ import annotations

import sys
from typing import TextIO

from app.model.events import (
    CaptureProblem,
    ConnectionChanged,
    Event,
    MediaGap,
    ResultReceived,
    SegmentCompleted,
    SegmentError,
    SegmentSkipped,
    SessionEvent,
    SessionSummary,
    event_json,
)
from app.model.vocabulary import PROBABILITY_RANK
from app.model.wire_v0 import Signal


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
            case MediaGap():
                return (
                    f"{event.source}: nothing from {mmss(event.t0)} to {mmss(event.t1)} "
                    f"({event.t1 - event.t0:.1f} s gap)"
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
