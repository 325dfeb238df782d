"""The feedback overlay painted over the live preview, kept to the edges so the face stays clear.

Top left: the engagement badge, and under it the signal gauges. Top right: the freshness cue
with the backend's name. Bottom right: conversation quality when the server sends it. Top
centre: the "Sending paused" notice, which stays even when the feedback is hidden, because it
is about privacy, not feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import PipelineStatus
from app.model.vocabulary import QUALITY_DIMENSIONS, quality_band
from app.model.wire_v0 import QualityScores
from widgets import theme
from widgets.badge import BadgeLayout, paint_badge
from widgets.freshness import FreshnessLayout, backend_label, cue_lag_text, freshness, paint_freshness
from widgets.gauges import GaugeHit, gauge_tooltip, paint_gauges
from widgets.painting import draw_text, paint_score_bar, plate, text_width

PAUSED_TEXT = "Sending paused — nothing leaves this computer"


@dataclass(frozen=True, slots=True)
class Hit:
    rect: QRectF
    tooltip: str


@dataclass(slots=True)
class OverlayLayout:
    """Where each part was painted: for tooltips, and for tests that look at the pixels."""

    badge: BadgeLayout | None = None
    gauges: list[GaugeHit] = field(default_factory=list)
    freshness: FreshnessLayout | None = None
    quality: QRectF | None = None
    quality_heading: tuple[str, QRectF] | None = None
    """The quality card's heading as painted, and the room it had beside the score."""
    paused: QRectF | None = None
    hits: list[Hit] = field(default_factory=list)

    def tooltip_at(self, pos: QPointF) -> str | None:
        for gauge in self.gauges:
            if gauge.rect.contains(pos):
                return gauge_tooltip(gauge.gauge)
        for hit in self.hits:
            if hit.rect.contains(pos):
                return hit.tooltip
        return None


def overlay_scale(area: QRectF) -> float:
    """Overlay size follows the picture: legible on a laptop, not shouting on a large monitor."""
    return max(0.8, min(1.5, area.height() / 560, area.width() / 800))


def paint_overlay(
    painter: QPainter,
    area: QRectF,
    snapshot: TimelineSnapshot | None,
    status: PipelineStatus,
    *,
    feedback_visible: bool,
) -> OverlayLayout:
    layout = OverlayLayout()
    scale = overlay_scale(area)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    if feedback_visible and (status.session_state != "idle" or _has_results(snapshot)):
        _paint_feedback(painter, area, snapshot, status, scale, layout)
    if status.paused:
        layout.paused = _paint_paused(painter, area, scale, layout)
    painter.restore()
    return layout


def _has_results(snapshot: TimelineSnapshot | None) -> bool:
    return snapshot is not None and (
        snapshot.last_result_age_s is not None or bool(snapshot.engagement_history)
    )


def _paint_feedback(
    painter: QPainter,
    area: QRectF,
    snapshot: TimelineSnapshot | None,
    status: PipelineStatus,
    scale: float,
    layout: OverlayLayout,
) -> None:
    margin = 14 * scale
    engagement = snapshot.engagement if snapshot is not None else None
    stale = engagement is not None and engagement.age_s > theme.FRESH_RESULT_S
    layout.badge = paint_badge(
        painter, area.topLeft() + QPointF(margin, margin), engagement, scale, stale=stale
    )
    layout.hits.append(Hit(layout.badge.rect, _badge_tooltip(snapshot)))
    cue = freshness(snapshot, status)
    lag = cue_lag_text(snapshot, status)
    second_line = backend_label(status.backend) + (f" · {lag}" if lag else "")
    layout.freshness = paint_freshness(
        painter, area.topRight() + QPointF(-margin, margin), cue, scale, second_line
    )
    layout.hits.append(
        Hit(
            layout.freshness.rect,
            "How old the feedback on screen is. Green: live. Amber: no new result lately. "
            "The second line says how far behind the live moment the analysed media ends.",
        )
    )
    if snapshot is None:
        return
    if snapshot.quality_overall is not None:
        layout.quality = _paint_quality(painter, area, snapshot.quality_overall, scale, layout)
    top = layout.badge.rect.bottom() + 8 * scale
    _, layout.gauges = paint_gauges(
        painter, QPointF(area.left() + margin, top), snapshot.gauges, scale, area.bottom() - margin - top
    )


def _badge_tooltip(snapshot: TimelineSnapshot | None) -> str:
    if snapshot is None or snapshot.engagement is None:
        return "Engagement appears here after the first result, a few seconds after Start."
    return "Your engagement in the latest analysed window, with the session time it covers."


QUALITY_HEADINGS = ("Conversation quality", "Quality")
"""The quality card's heading, and its short form for when the band takes the room."""


def _paint_quality(
    painter: QPainter, area: QRectF, scores: QualityScores, scale: float, layout: OverlayLayout
) -> QRectF:
    margin, pad = 14 * scale, 10 * scale
    header_h, row_h = 28 * scale, 17 * scale
    width = 252 * scale
    height = pad + header_h + row_h * len(QUALITY_DIMENSIONS) + pad * 0.8
    rect = QRectF(area.right() - margin - width, area.bottom() - margin - height, width, height)
    plate(painter, rect, 10 * scale)
    band = quality_band(scores.quality_index)
    header = QRectF(rect.left() + pad, rect.top() + pad * 0.6, rect.width() - 2 * pad, header_h)
    label_font = theme.overlay_font(12.5 * scale)
    value_font = theme.overlay_font(19 * scale, bold=True)
    value = f"{round(scores.quality_index)}"
    value_w = text_width(value_font, value) + 2 * scale
    band_font = theme.overlay_font(11.5 * scale)
    band_w = text_width(band_font, band) + 2 * scale
    band_rect = QRectF(header.right() - band_w, header.top(), band_w, header_h)
    draw_text(painter, band_rect, band, band_font, theme.quality_colour(scores.quality_index))
    value_rect = QRectF(band_rect.left() - 6 * scale - value_w, header.top(), value_w, header_h)
    draw_text(painter, value_rect, value, value_font, theme.TEXT)
    # A long band ("below average") leaves the heading less room: it never runs under the score.
    room = QRectF(header.left(), header.top(), value_rect.left() - 6 * scale - header.left(), header_h)
    heading = next(
        (text for text in QUALITY_HEADINGS if text_width(label_font, text) <= room.width()),
        QUALITY_HEADINGS[-1],
    )
    draw_text(painter, room, heading, label_font, theme.TEXT_SECONDARY)
    layout.quality_heading = (heading, room)
    layout.hits.append(
        Hit(
            header,
            f"Conversation quality so far: {round(scores.quality_index)} ({band}). 50 means no evidence.",
        )
    )
    name_font = theme.overlay_font(11.5 * scale)
    for i, name in enumerate(QUALITY_DIMENSIONS):
        score = float(getattr(scores, name))
        row = QRectF(rect.left() + pad, header.bottom() + i * row_h, rect.width() - 2 * pad, row_h)
        draw_text(
            painter,
            QRectF(row.left(), row.top(), 68 * scale, row_h),
            name.capitalize(),
            name_font,
            theme.TEXT,
        )
        number = QRectF(row.right() - 24 * scale, row.top(), 24 * scale, row_h)
        draw_text(
            painter,
            number,
            f"{round(score)}",
            name_font,
            theme.TEXT_SECONDARY,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )
        bar = QRectF(
            row.left() + 70 * scale,
            row.center().y() - 3 * scale,
            number.left() - row.left() - 78 * scale,
            6 * scale,
        )
        paint_score_bar(painter, bar, score)
        layout.hits.append(Hit(row, f"{name.capitalize()}: {round(score)} ({quality_band(score)})"))
    return rect


def _paint_paused(painter: QPainter, area: QRectF, scale: float, layout: OverlayLayout) -> QRectF:
    font = theme.overlay_font(14 * scale, bold=True)
    pad, glyph = 12 * scale, 14 * scale
    width = pad + glyph + 10 * scale + text_width(font, PAUSED_TEXT) + pad * 1.3
    width = min(width, area.width() - 8 * scale)
    height = 34 * scale
    rect = QRectF(area.center().x() - width / 2, area.top() + 14 * scale, width, height)
    taken = [part.rect for part in (layout.badge, layout.freshness) if part is not None]
    if any(other.intersects(rect) for other in taken) and layout.freshness is not None:
        # No room between the badge and the cue: tuck the notice under the cue, clear of the face.
        rect.moveTopRight(QPointF(layout.freshness.rect.right(), layout.freshness.rect.bottom() + 8 * scale))
    plate(painter, rect, height / 2, QColor(24, 20, 12, 214))
    painter.save()
    painter.setPen(QPen(QColor(theme.WARNING), 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), height / 2 - 1, height / 2 - 1)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.WARNING))
    bar_w = glyph * 0.32
    top = rect.center().y() - glyph / 2
    left = rect.left() + pad
    painter.drawRoundedRect(QRectF(left, top, bar_w, glyph), 1.5, 1.5)
    painter.drawRoundedRect(QRectF(left + glyph - bar_w, top, bar_w, glyph), 1.5, 1.5)
    painter.restore()
    text = QRectF(
        left + glyph + 10 * scale, rect.top(), rect.right() - left - glyph - 10 * scale - pad, height
    )
    draw_text(painter, text, PAUSED_TEXT, font, theme.TEXT)
    layout.hits.append(Hit(rect, "Segments are not sent while paused. Press Ctrl+P to resume."))
    return rect
