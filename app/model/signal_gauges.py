"""`Gauge`: a signal's latest reading as the UI shows it, fading as it ages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.model.vocabulary import PROBABILITY_RANK, SIGNAL_MEANINGS, Probability
from app.model.wire_v0 import Signal

FADE_START_S = 15.0
"""A signal older than this (session time since its window ended) starts fading."""
FADE_END_S = 60.0
FADED_OPACITY = 0.25


@dataclass(frozen=True, slots=True)
class Gauge:
    type: str
    probability: Probability | None
    rationale: str
    meaning: str
    start: float
    end: float
    age_s: float
    opacity: float
    """1.0 while fresh, fading towards `FADED_OPACITY` as the reading ages."""


def gauges_for(closed: Mapping[str, Signal], still_open: Iterable[Signal], now: float) -> list[Gauge]:
    """One gauge per signal type: its newest reading, an interval still open over a closed one;
    strongest and freshest first."""
    latest = {**closed, **{s.type: s for s in still_open}}
    gauges = [
        Gauge(
            type=s.type,
            probability=s.probability,
            rationale=s.rationale or "",
            meaning=SIGNAL_MEANINGS.get(s.type, ""),
            start=s.start,
            end=s.end,
            age_s=max(0.0, now - s.end),
            opacity=_opacity(now - s.end),
        )
        for s in latest.values()
    ]
    gauges.sort(key=lambda g: (g.opacity < 1.0, -PROBABILITY_RANK[g.probability], g.age_s, g.type))
    return gauges


def _opacity(age_s: float) -> float:
    if age_s <= FADE_START_S:
        return 1.0
    if age_s >= FADE_END_S:
        return FADED_OPACITY
    progress = (age_s - FADE_START_S) / (FADE_END_S - FADE_START_S)
    return 1.0 - progress * (1.0 - FADED_OPACITY)
