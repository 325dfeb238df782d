"""`SessionEntry`: one past session as the library lists it, and the progress across sessions.

An entry is what `interhuman-live sessions --json` prints and what the library window's table and
progress chart render; it is a pydantic model because it crosses boundaries (stdout, the listing
cache). `progress_series` turns the entries into one series per measure, oldest session first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.model.session_review import SessionReview
from app.model.vocabulary import QUALITY_DIMENSIONS

QUALITY_MEASURES = ("quality_index", *QUALITY_DIMENSIONS)


class ListingFigures(BaseModel):
    """What the library shows of a session's results. The recorder writes them into `session.json`
    when the session stops, so listing a finished session never replays its events."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    length_s: float
    sent: int = 0
    completed: int = 0
    failed: int = 0
    engaged_share: float | None = None
    """Of the analysed time; None when nothing was analysed."""
    quality: dict[str, float] = Field(default_factory=dict)
    """The overall conversation quality by measure (`QUALITY_MEASURES`), when the service sent it."""
    signals_per_minute: dict[str, float] = Field(default_factory=dict)


def listing_figures(review: SessionReview) -> ListingFigures:
    counts = review.delivery.counts
    overall = review.quality_overall
    return ListingFigures(
        length_s=review.length_s,
        sent=counts.sent,
        completed=counts.completed,
        failed=counts.errored,
        engaged_share=review.state_time.share("engaged"),
        quality={} if overall is None else {m: float(getattr(overall, m)) for m in QUALITY_MEASURES},
        signals_per_minute={stat.type: stat.per_minute for stat in review.signal_stats},
    )


class SessionEntry(ListingFigures):
    folder: str
    """The session folder's full path."""
    name: str
    """The folder's own name (its start time and id)."""
    title: str
    """The title the user gave it, else one made from its start time."""
    started_at: datetime | None
    backend: str
    """ "Local analysis" or the analysis server's host."""
    api_version: str
    ended_unexpectedly: bool = False
    notes: list[str] = Field(default_factory=list)
    """What the listing found wrong with the folder, one short sentence each."""

    @property
    def quality_index(self) -> float | None:
        return self.quality.get("quality_index")


def session_entry(
    figures: ListingFigures,
    *,
    folder: str,
    name: str,
    title: str,
    started_at: datetime | None,
    backend: str,
    api_version: str,
    ended_unexpectedly: bool,
    notes: Sequence[str],
) -> SessionEntry:
    """The entry of a session: what its folder says about it, and the figures of its results."""
    return SessionEntry(
        folder=folder,
        name=name,
        title=title,
        started_at=started_at,
        backend=backend,
        api_version=api_version,
        ended_unexpectedly=ended_unexpectedly,
        notes=list(notes),
        **figures.model_dump(),
    )


@dataclass(frozen=True, slots=True)
class ProgressSeries:
    """Measures session by session, oldest first; a session without a measure has None there."""

    folders: list[str]
    titles: list[str]
    engaged_share: list[float | None]
    quality: dict[str, list[float | None]]
    """By measure, only measures some session has."""
    signals_per_minute: dict[str, list[float]]
    """By signal type; a session without the signal has 0 there (it was listened for, not seen)."""


def progress_series(entries: Sequence[SessionEntry]) -> ProgressSeries:
    ordered = sorted(entries, key=_oldest_first)
    measures = [m for m in QUALITY_MEASURES if any(m in e.quality for e in ordered)]
    types = sorted({kind for e in ordered for kind in e.signals_per_minute})
    return ProgressSeries(
        folders=[e.folder for e in ordered],
        titles=[e.title for e in ordered],
        engaged_share=[e.engaged_share for e in ordered],
        quality={m: [e.quality.get(m) for e in ordered] for m in measures},
        signals_per_minute={k: [e.signals_per_minute.get(k, 0.0) for e in ordered] for k in types},
    )


def _oldest_first(entry: SessionEntry) -> tuple[bool, float, str]:
    started = entry.started_at
    return (started is None, 0.0 if started is None else started.timestamp(), entry.name)
