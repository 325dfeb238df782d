"""The freshness cue: how old the feedback on screen is, so stale feedback never passes for live.

Green filled dot: a result arrived recently. Amber filled dot: no result for a while (with the
reason when the connection is down). Grey ring: nothing to show yet, or not running. Beside it,
the cue lag: how far behind the live moment the newest analysed media is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter

from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import Backend, PipelineStatus
from widgets import theme
from widgets.formatting import age_text, countdown_text
from widgets.painting import dot, draw_text, plate, text_width

FreshnessLevel = Literal["idle", "waiting", "fresh", "stale", "paused"]

_COLOURS: dict[FreshnessLevel, str] = {
    "idle": theme.WAITING,
    "waiting": theme.WAITING,
    "fresh": theme.FRESH,
    "stale": theme.STALE,
    "paused": theme.STALE,
}


@dataclass(frozen=True, slots=True)
class Freshness:
    level: FreshnessLevel
    text: str

    @property
    def colour(self) -> str:
        return _COLOURS[self.level]

    @property
    def hollow(self) -> bool:
        return self.level in ("idle", "waiting")


@dataclass(frozen=True, slots=True)
class FreshnessLayout:
    rect: QRectF
    dot_centre: QPointF


def backend_label(backend: Backend) -> str:
    return "Interhuman" if backend == "cloud" else "Local analysis"


def freshness(snapshot: TimelineSnapshot | None, status: PipelineStatus) -> Freshness:
    age = snapshot.last_result_age_s if snapshot is not None else None
    state = status.session_state
    if state == "starting":
        return Freshness("waiting", "Starting…")
    if state == "stopping":
        return Freshness("idle", "Finishing the last segments…")
    if state == "idle":
        return Freshness("idle", "Session stopped" if age is not None else "Not running")
    if status.paused:
        return Freshness("paused", "Sending paused · no new feedback")
    connection = snapshot.connection if snapshot is not None else None
    if age is None:
        if connection is not None and connection.state in ("lost", "reconnecting"):
            # Not "waiting": nothing can come until the server is reached.
            return Freshness("stale", _not_connected(connection.retry_in_s))
        return Freshness("waiting", "Waiting for first result")
    if age <= theme.FRESH_RESULT_S:
        return Freshness("fresh", f"Live · updated {age_text(age)}")
    if connection is not None and connection.state == "reconnecting" and connection.retry_in_s:
        return Freshness(
            "stale", f"Reconnecting in {countdown_text(connection.retry_in_s)} · last result {age_text(age)}"
        )
    if connection is not None and connection.state in ("lost", "failed", "auth_rejected", "reconnecting"):
        return Freshness("stale", f"Not connected · last result {age_text(age)}")
    return Freshness("stale", f"No new result for {round(age)} s")


def _not_connected(retry_in_s: float | None) -> str:
    if retry_in_s:
        return f"Not connected · retrying in {countdown_text(retry_in_s)}"
    return "Not connected · retrying…"


def cue_lag_text(snapshot: TimelineSnapshot | None, status: PipelineStatus) -> str | None:
    """How far behind the live moment the feedback is, while a session runs and has results."""
    if snapshot is None or snapshot.cue_lag_s is None or status.session_state != "running":
        return None
    return f"feedback covers up to {snapshot.cue_lag_s:.1f} s ago"


def paint_freshness_line(painter: QPainter, rect: QRectF, cue: Freshness, scale: float) -> QPointF:
    """The cue as one line (dot and text) in `rect`, without a plate; returns the dot's centre."""
    radius = 5 * scale
    centre = _dot_centre(rect, scale)
    dot(painter, centre, radius, cue.colour, hollow=cue.hollow)
    text_left = centre.x() + radius + 8 * scale
    font = theme.overlay_font(13.5 * scale, bold=cue.level == "fresh")
    draw_text(
        painter,
        QRectF(text_left, rect.top(), rect.right() - text_left, rect.height()),
        cue.text,
        font,
        theme.TEXT,
    )
    return centre


def _dot_centre(line: QRectF, scale: float) -> QPointF:
    return QPointF(line.left() + 5 * scale + 1, line.center().y())


def freshness_layout(
    top_right: QPointF, cue: Freshness, scale: float, backend: str | None = None
) -> FreshnessLayout:
    """Where `paint_freshness` puts the plate and its dot, without painting them."""
    rect = _plate_rect(top_right, cue, scale, backend)
    return FreshnessLayout(rect, _dot_centre(_first_line(rect, scale), scale))


def _plate_rect(top_right: QPointF, cue: Freshness, scale: float, backend: str | None) -> QRectF:
    pad, radius = 10 * scale, 5 * scale
    main_font = theme.overlay_font(13.5 * scale, bold=cue.level == "fresh")
    small_font = theme.overlay_font(11.5 * scale)
    text_w = text_width(main_font, cue.text)
    if backend:
        text_w = max(text_w, text_width(small_font, backend))
    width = pad + 2 * radius + 8 * scale + text_w + pad * 1.3
    height = (46 if backend else 30) * scale
    return QRectF(top_right.x() - width, top_right.y(), width, height)


def _first_line(plate_rect: QRectF, scale: float) -> QRectF:
    pad = 10 * scale
    return QRectF(
        plate_rect.left() + pad, plate_rect.top() + 2 * scale, plate_rect.width() - 2 * pad, 26 * scale
    )


def paint_freshness(
    painter: QPainter,
    top_right: QPointF,
    cue: Freshness,
    scale: float,
    backend: str | None = None,
) -> FreshnessLayout:
    """The cue on a plate whose top-right corner is `top_right`; `backend` adds a second line."""
    pad, radius = 10 * scale, 5 * scale
    rect = _plate_rect(top_right, cue, scale, backend)
    plate(painter, rect, 10 * scale)
    line = _first_line(rect, scale)
    centre = paint_freshness_line(painter, line, cue, scale)
    if backend:
        text_left = centre.x() + radius + 8 * scale
        sub = QRectF(text_left, line.bottom() - 5 * scale, rect.right() - text_left - pad, 16 * scale)
        draw_text(painter, sub, backend, theme.overlay_font(11.5 * scale), theme.TEXT_SECONDARY)
    return FreshnessLayout(rect, centre)
