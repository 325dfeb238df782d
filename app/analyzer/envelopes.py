"""From analysed windows to v1/v2 envelopes: each window is compared with what the client was
last told, and only the changes go out (PROTOCOL-V1.md §4).

- `engagement.updated` when the state at the window's end differs from the last one sent,
  starting where the window's new second starts;
- `signal.detected` for a signal the window shows that was not active, `signal.updated` when
  an active one's probability changes (its rationale rides along), `signal.ended` when it is
  no longer shown, ending where the window's new second starts; v1 names the modality, v2 not;
  inter-2-audio reports only the signals one can hear;
- `conversation_quality.updated` per window when the client asked for a section: the window's
  values for its new second, and the overall value weighted by length and evidence, as v0;
- `feedback.generated` for the chosen goal dimensions, when the text changes, at most every
  `FEEDBACK_EVERY_S` of media;
- `coverage.degraded` for a window whose new second has too few pictures (`video_gap`);
- `local.delivery.updated` per window, for a client that asks: Local analysis's delivery figures
  of the whole window (app/model/delivery.py).
Times are stream seconds, to the millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.analyzer.feedback import feedback_text
from app.analyzer.rules import Interpretation, scores_from
from app.analyzer.stream_window import MediaWindow
from app.model.delivery import V1_EVENT_TYPE
from app.model.vocabulary import INCLUDE_FLAGS, QUALITY_DIMENSIONS, EngagementState, Probability
from app.model.wire_v0 import QualityScores
from app.model.wire_v1 import (
    AUDIO_MODEL_SIGNALS,
    CoverageDegraded,
    CoverageDropped,
    EngagementUpdated,
    EnvelopeData,
    EnvelopeType,
    FeedbackGenerated,
    QualityEntry,
    QualityUpdated,
    SignalDetected,
    SignalEnded,
    SignalUpdated,
    TimeRange,
)

FEEDBACK_EVERY_S = 10.0
DEGRADED_VIDEO_SHARE = 0.5
"""A window's new second with pictures for less than this share of it is analysed degraded."""

OVERALL, TIMELINE = INCLUDE_FLAGS
Outgoing = tuple[EnvelopeType, EnvelopeData]


@dataclass(frozen=True, slots=True)
class Wants:
    """What the client's session config asks for now."""

    include: frozenset[str] = frozenset()
    goal_dimensions: tuple[str, ...] = ()
    version: str = "v1"
    model: str | None = None
    delivery: bool = False


@dataclass(slots=True)
class _Active:
    probability: Probability | None
    start: float


@dataclass(slots=True)
class EnvelopeSynthesizer:
    engagement: EngagementState | None = None
    active: dict[str, _Active] = field(default_factory=dict)
    last_media_s: float = 0.0
    _sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(QUALITY_DIMENSIONS, 0.0))
    _weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(QUALITY_DIMENSIONS, 0.0))
    _feedback: str | None = None
    _feedback_at: float | None = None

    def window(self, window: MediaWindow, found: Interpretation, wants: Wants) -> list[Outgoing]:
        at = round(window.new_from, 3)
        self.last_media_s = max(self.last_media_s, window.end)
        out: list[Outgoing] = []
        if window.video_share < DEGRADED_VIDEO_SHARE:
            degraded = CoverageDegraded(
                ranges=[TimeRange(start=at, end=round(window.end, 3))], reason="video_gap"
            )
            out.append(("coverage.degraded", degraded))
        if found.engagement and found.engagement[-1].state != self.engagement:
            self.engagement = found.engagement[-1].state
            out.append(("engagement.updated", EngagementUpdated(state=self.engagement, start=at)))
        out.extend(self._signals(found, wants, at))
        self._weigh(found, window.end - window.new_from)
        quality = self._quality(found, wants, at, round(window.end, 3))
        if quality is not None:
            out.append(("conversation_quality.updated", quality))
        feedback = self._feedback_due(wants, window.end)
        if feedback is not None:
            out.append(("feedback.generated", FeedbackGenerated(feedback=feedback)))
        if wants.delivery:
            delivery = found.delivery
            placed = {
                "start": round(window.start + delivery.start, 3),
                "end": round(window.start + delivery.end, 3),
            }
            out.append((V1_EVENT_TYPE, delivery.model_copy(update=placed)))
        return out

    def dropped(self, ranges: Sequence[tuple[float, float]]) -> Outgoing:
        spans = [TimeRange(start=round(a, 3), end=round(b, 3)) for a, b in ranges]
        return "coverage.dropped", CoverageDropped(ranges=spans)

    def finish(self, end_s: float) -> list[Outgoing]:
        """Every signal still active ends with the media."""
        end = round(max(end_s, self.last_media_s), 3)
        out: list[Outgoing] = [
            ("signal.ended", SignalEnded(signal_type=kind, end=max(end, active.start)))
            for kind, active in self.active.items()
        ]
        self.active.clear()
        return out

    def _signals(self, found: Interpretation, wants: Wants, at: float) -> list[Outgoing]:
        shown = {s.type: s for s in found.signals}
        if wants.model == "inter-2-audio":
            shown = {kind: s for kind, s in shown.items() if kind in AUDIO_MODEL_SIGNALS}
        modality = ["video"] if wants.version == "v1" else None
        out: list[Outgoing] = []
        for kind in [k for k in self.active if k not in shown]:
            del self.active[kind]
            out.append(("signal.ended", SignalEnded(signal_type=kind, end=at)))
        for kind, signal in shown.items():
            active = self.active.get(kind)
            fields = {
                "signal_type": kind,
                "probability": signal.probability,
                "rationale": signal.rationale,
                "modality": modality,
            }
            if active is None:
                self.active[kind] = _Active(signal.probability, at)
                out.append(("signal.detected", SignalDetected(start=at, **fields)))  # type: ignore[arg-type]
            elif active.probability != signal.probability:
                active.probability = signal.probability
                out.append(("signal.updated", SignalUpdated(start=active.start, **fields)))  # type: ignore[arg-type]
        return out

    def _weigh(self, found: Interpretation, seconds: float) -> None:
        for name in QUALITY_DIMENSIONS:
            weight = seconds * found.quality.evidence[name]
            self._sums[name] += getattr(found.quality.scores, name) * weight
            self._weights[name] += weight

    def _overall(self) -> QualityScores:
        return scores_from(
            {
                name: total / weight if (weight := self._weights[name]) > 0 else 50.0
                for name, total in self._sums.items()
            }
        )

    def _quality(
        self, found: Interpretation, wants: Wants, start: float, end: float
    ) -> QualityUpdated | None:
        if not wants.include:
            return None
        overall = self._overall() if OVERALL in wants.include else None
        timeline = (
            [QualityEntry(start=start, end=end, values=found.quality.scores)]
            if TIMELINE in wants.include
            else None
        )
        return QualityUpdated(overall=overall, timeline=timeline)

    def _feedback_due(self, wants: Wants, media_s: float) -> str | None:
        if not wants.goal_dimensions:
            return None
        if self._feedback_at is not None and media_s - self._feedback_at < FEEDBACK_EVERY_S:
            return None
        overall = self._overall().model_dump()
        evidence = {name: min(1.0, weight / FEEDBACK_EVERY_S) for name, weight in self._weights.items()}
        text = feedback_text(wants.goal_dimensions, overall, evidence)
        if text is None or text == self._feedback:
            return None
        self._feedback, self._feedback_at = text, media_s
        return text
