"""v1/v2 results as they change: the engagement state in force since its start, the signals still
active, and how far the analysis has got, which is where an interval still open ends for now."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.model.events import SignalChanged
from app.model.vocabulary import EngagementState, Probability
from app.model.wire_v0 import EngagementWindow, Signal


@dataclass(slots=True)
class _OpenSignal:
    start: float
    probability: Probability | None
    rationale: str | None


@dataclass
class OpenIntervals:
    analysed_until: float | None = None
    _engagement: tuple[EngagementState, float] | None = None
    _signals: dict[str, _OpenSignal] = field(default_factory=dict)

    def reach(self, until: float) -> None:
        self.analysed_until = until if self.analysed_until is None else max(self.analysed_until, until)

    def engagement_changed(self, state: EngagementState, start: float) -> EngagementWindow | None:
        """`state` from `start` on; returns the window this closes, if it lasted at all."""
        closed = None
        if self._engagement is not None:
            previous, since = self._engagement
            if start > since:
                closed = EngagementWindow(start=since, end=start, state=previous)
        self._engagement = (state, start)
        self.reach(start)
        return closed

    def signal_changed(self, event: SignalChanged) -> Signal | None:
        """Apply an opened, amended or closed signal; returns the interval a close completes."""
        known = self._signals.get(event.type)
        if event.change == "closed":
            if known is None:
                return None
            del self._signals[event.type]
            end = max(known.start, event.end if event.end is not None else known.start)
            self.reach(end)
            return Signal(
                type=event.type,
                start=known.start,
                end=end,
                probability=known.probability,
                rationale=known.rationale,
            )
        if event.start is not None:
            start = event.start
        else:
            start = known.start if known is not None else self.analysed_until or 0.0
        if known is None or event.change == "opened":
            self._signals[event.type] = _OpenSignal(start, event.probability, event.rationale)
        else:
            known.probability, known.rationale = event.probability, event.rationale or known.rationale
        self.reach(start)
        return None

    def engagement_window(self) -> EngagementWindow | None:
        """The state in force, as a window up to where the analysis has got."""
        if self._engagement is None:
            return None
        state, start = self._engagement
        end = self._end(start)
        return EngagementWindow(start=start, end=end, state=state) if end > start else None

    def signals(self) -> list[Signal]:
        """The active signals, oldest first, each up to where the analysis has got."""
        return [
            Signal(
                type=kind,
                start=open_.start,
                end=self._end(open_.start),
                probability=open_.probability,
                rationale=open_.rationale,
            )
            for kind, open_ in sorted(self._signals.items(), key=lambda item: item[1].start)
        ]

    def _end(self, start: float) -> float:
        return max(start, self.analysed_until if self.analysed_until is not None else start)
