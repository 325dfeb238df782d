"""The v0 time-base rule (PROTOCOL.md §4): a result's times, in connection time or segment-relative,
moved onto the session clock."""

from __future__ import annotations

from dataclasses import dataclass

from app.model.wire_v0 import ResultMessage


@dataclass(frozen=True, slots=True)
class SegmentPlacement:
    """Where one sent segment sits, for the time-base rule of PROTOCOL.md §4."""

    t0: float
    """Session time at which the segment starts."""
    duration_s: float
    connection_offset_s: float
    """Media seconds the server had received on this connection before this segment."""
    other_offsets_s: tuple[float, ...] = ()
    """Other plausible connection offsets, tried after `connection_offset_s`: e.g. the offset that
    also counts segments the server rejected, which the protocol leaves open."""


_TIME_SLACK_S = 0.25


def to_session_time(result: ResultMessage, placement: SegmentPlacement) -> ResultMessage:
    """Move a result's times onto the session clock, whichever reading the server follows.

    The current reference counts from the connection's first segment; an older one from the
    segment itself. Each reading places the segment somewhere on the server's time line: the
    one whose place holds the result's windows best wins (misfits under a quarter second, such
    as container durations a frame longer than ours, count as fits). Ties go to connection
    time, so a connection's first segment, where both readings agree, is never ambiguous.
    """
    span = result.time_span()
    offset = placement.connection_offset_s
    if span is not None:
        readings = (placement.connection_offset_s, *placement.other_offsets_s, 0.0)
        offset = min(readings, key=lambda candidate: _misfit(span, candidate, placement.duration_s))
    return result.shifted(placement.t0 - offset)


def _misfit(span: tuple[float, float], start: float, duration_s: float) -> float:
    """How far (seconds) `span` reaches outside [start, start + duration_s], less the slack."""
    lo, hi = span
    outside = max(0.0, start - lo) + max(0.0, hi - (start + duration_s))
    return max(0.0, outside - _TIME_SLACK_S)
