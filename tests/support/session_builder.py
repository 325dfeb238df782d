"""Real `TimelineSnapshot`s for widget tests: real `app.model.events` fed to a real `SessionTimeline`."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.model.delivery import LocalDelivery
from app.model.events import (
    CaptureProblem,
    ConnectionChanged,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
)
from app.model.events import ConnectionState as ConnectionStateName
from app.model.timeline import SessionTimeline
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.vocabulary import EngagementState
from app.model.wire_v0 import ConversationQuality, EngagementWindow, QualityScores, QualityWindow, Signal


def scores(
    index: float, clarity: float, authority: float, energy: float, rapport: float, learning: float
) -> QualityScores:
    return QualityScores(
        quality_index=index,
        clarity=clarity,
        authority=authority,
        energy=energy,
        rapport=rapport,
        learning=learning,
    )


def flat_scores(value: float) -> QualityScores:
    return scores(value, value, value, value, value, value)


@dataclass
class SessionBuilder:
    """Builds a session the way the controller would: segment by segment, in session time."""

    timeline: SessionTimeline = field(default_factory=SessionTimeline)
    next_index: int = 0

    def result(
        self,
        t0: float,
        t1: float,
        state: EngagementState | None = "engaged",
        signals: list[tuple[str, str | None, str]] | None = None,
        *,
        overall: QualityScores | None = None,
        window_quality: QualityScores | None = None,
        arrived: float | None = None,
        delivery: LocalDelivery | None = None,
    ) -> ResultReceived:
        """One segment's result: `signals` as (type, probability or None, rationale) over [t0, t1]."""
        index = self.next_index
        self.next_index += 1
        quality = None
        if overall is not None or window_quality is not None:
            timeline = [QualityWindow(start=t0, end=t1, values=window_quality)] if window_quality else []
            quality = ConversationQuality(overall=overall, timeline=timeline)
        event = ResultReceived(
            t=arrived if arrived is not None else t1 + 1.5,
            index=index,
            t0=t0,
            t1=t1,
            engagement=[EngagementWindow(start=t0, end=t1, state=state)] if state else [],
            signals=[
                Signal(type=kind, start=t0, end=t1, probability=probability, rationale=rationale)
                for kind, probability, rationale in signals or []
            ],
            quality=quality,
            delivery=delivery,
        )
        self.timeline.apply(event)
        return event

    def segment(
        self, index: int, t0: float, t1: float, *, size: int = 120_000, latency_s: float = 1.2
    ) -> None:
        """A segment closed, sent and completed."""
        self.timeline.apply(
            SegmentClosed(
                t=t1, index=index, t0=t0, t1=t1, bytes=size, video_frames=120, audio_samples=192_000
            )
        )
        self.timeline.apply(
            SegmentSent(t=t1 + 0.1, index=index, connection=1, server_segment=index + 1, bytes=size)
        )
        self.timeline.apply(SegmentCompleted(t=t1 + 0.1 + latency_s, index=index, latency_s=latency_s))

    def failed(
        self, t: float, index: int, message: str, error_id: str | None = None, link: str | None = None
    ) -> None:
        self.timeline.apply(
            SegmentError(t=t, index=index, connection=1, error_id=error_id, message=message, link=link)
        )

    def skipped(self, t: float, index: int) -> None:
        self.timeline.apply(SegmentSkipped(t=t, index=index, reason="stale"))

    def connection(
        self, t: float, state: ConnectionStateName, *, retry_in_s: float | None = None, detail: str = ""
    ) -> None:
        self.timeline.apply(
            ConnectionChanged(t=t, connection=1, state=state, retry_in_s=retry_in_s, detail=detail)
        )

    def capture_problem(self, t: float, message: str) -> None:
        self.timeline.apply(CaptureProblem(t=t, source="camera", level="error", message=message))

    def snapshot(self, now: float) -> TimelineSnapshot:
        return self.timeline.snapshot(now)
