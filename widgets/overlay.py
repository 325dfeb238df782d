"""The feedback overlay painted over the live preview, kept to the edges so the face stays clear.

Top left: the engagement badge, and under it the signal gauges. Top right: the freshness cue
with the backend's name. Bottom right: conversation quality when the server sends it. Top
centre: the "Sending paused" notice, which stays even when the feedback is hidden, because it
is about privacy, not feedback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.model.signal_gauges import Gauge
from app.model.timeline_snapshot import EngagementNow, TimelineSnapshot
from app.model.view_state import PipelineStatus
from app.model.vocabulary import QUALITY_DIMENSIONS, quality_band
from app.model.wire_v0 import QualityScores
from widgets import theme
from widgets.badge import BadgeLayout, paint_badge
from widgets.freshness import (
    Freshness,
    FreshnessLayout,
    backend_label,
    cue_lag_text,
    freshness,
    freshness_layout,
    paint_freshness,
)
from widgets.gauges import GaugeHit, gauge_tooltip, paint_gauges
from widgets.painting import draw_text, paint_score_bar, plate, text_width

PAUSED_TEXT = "Sending paused — nothing leaves this computer"
FRESHNESS_TOOLTIP = (
    "How old the feedback on screen is. Green: live. Amber: no new result lately. "
    "The second line says how far behind the live moment the analysed media ends."
)


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

    def tooltip_at(self, pos: QPointF, live: Sequence[Gauge] = ()) -> str | None:
        """The tooltip at `pos`; a gauge painted from a look (blank but for what is drawn) is
        described by the gauge of its type in `live`, the snapshot's."""
        for row in self.gauges:
            if row.rect.contains(pos):
                return gauge_tooltip(next((g for g in live if g.type == row.gauge.type), row.gauge))
        if self.freshness is not None and self.freshness.rect.contains(pos):
            return FRESHNESS_TOOLTIP
        for hit in self.hits:
            if hit.rect.contains(pos):
                return hit.tooltip
        return None


def overlay_scale(area: QRectF) -> float:
    """Overlay size follows the picture: legible on a laptop, not shouting on a large monitor."""
    return max(0.8, min(1.5, area.height() / 560, area.width() / 800))


OPACITY_STEPS = 20
"""A fading gauge is drawn in twentieths of full opacity: finer steps would not show, and each
one would paint the overlay again."""


NO_CUE = Freshness("idle", "")


@dataclass(frozen=True, slots=True)
class OverlayLook:
    """What the overlay draws, and nothing else: two looks alike paint the same pixels, so the
    preview paints its overlay again only when the look changes, not on every snapshot (five a
    second, most of them changing nothing drawn)."""

    area: tuple[float, float, float, float]
    feedback: bool
    """The badge, the cue, the gauges and the quality card are shown."""
    engagement: EngagementNow | None
    stale: bool
    cue: Freshness
    second_line: str
    gauges: tuple[Gauge, ...]
    """Only their type, level and opacity are drawn; the rest is blank here."""
    quality: QualityScores | None
    paused: bool

    @property
    def rect(self) -> QRectF:
        return QRectF(*self.area)

    def beneath_cue(self) -> OverlayLook:
        """What the overlay shows besides the freshness card, whose text changes with every
        snapshot ("feedback covers up to 1.4 s ago"). The paused notice keeps clear of the card,
        so while paused the card's text stays in: it moves the notice."""
        return self if self.paused else replace(self, cue=NO_CUE, second_line="")

    def cue_part(self) -> tuple[object, ...]:
        """What the freshness card shows, and where."""
        return (self.area, self.feedback, self.cue, self.second_line)


def overlay_look(
    area: QRectF,
    snapshot: TimelineSnapshot | None,
    status: PipelineStatus,
    *,
    feedback_visible: bool,
) -> OverlayLook:
    engagement = snapshot.engagement if snapshot is not None else None
    stale = engagement is not None and engagement.age_s > theme.FRESH_RESULT_S
    if engagement is not None:
        # The badge shows the age (in whole seconds) only once the result is stale.
        engagement = replace(engagement, age_s=float(round(engagement.age_s)) if stale else 0.0)
    lag = cue_lag_text(snapshot, status)
    return OverlayLook(
        area=(area.x(), area.y(), area.width(), area.height()),
        feedback=feedback_visible and (status.session_state != "idle" or _has_results(snapshot)),
        engagement=engagement,
        stale=stale,
        cue=freshness(snapshot, status),
        second_line=backend_label(status.backend) + (f" · {lag}" if lag else ""),
        gauges=tuple(_as_drawn(g) for g in snapshot.gauges) if snapshot is not None else (),
        quality=snapshot.quality_overall if snapshot is not None else None,
        paused=status.paused,
    )


def _as_drawn(gauge: Gauge) -> Gauge:
    opacity = round(gauge.opacity * OPACITY_STEPS) / OPACITY_STEPS
    return Gauge(gauge.type, gauge.probability, "", "", 0.0, 0.0, 0.0, opacity)


def paint_overlay(painter: QPainter, look: OverlayLook, *, cue: bool = True) -> OverlayLayout:
    """Paints `look`; the layout's gauge hits hold the gauges as drawn (`OverlayLook.gauges`).
    With `cue=False` the freshness card is laid out but left for `paint_cue` to paint."""
    layout = OverlayLayout()
    area = look.rect
    scale = overlay_scale(area)
    _save_smoothing(painter)
    if look.feedback:
        _paint_feedback(painter, area, look, scale, layout, cue=cue)
    if look.paused:
        layout.paused = _paint_paused(painter, area, scale, layout)
    painter.restore()
    return layout


def cue_card(look: OverlayLook) -> FreshnessLayout | None:
    """Where the freshness card of `look` goes; None when it is hidden."""
    if not look.feedback:
        return None
    scale = overlay_scale(look.rect)
    return freshness_layout(_cue_corner(look.rect, scale), look.cue, scale, look.second_line)


def paint_cue(painter: QPainter, look: OverlayLook) -> FreshnessLayout | None:
    """The freshness card alone, where `paint_overlay` would put it; None when it is hidden."""
    if not look.feedback:
        return None
    scale = overlay_scale(look.rect)
    _save_smoothing(painter)
    card = paint_freshness(painter, _cue_corner(look.rect, scale), look.cue, scale, look.second_line)
    painter.restore()
    return card


def _cue_corner(area: QRectF, scale: float) -> QPointF:
    return area.topRight() + QPointF(-14 * scale, 14 * scale)


def _save_smoothing(painter: QPainter) -> None:
    """Saves the painter's state (the caller restores it) and turns antialiasing on."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)


def _has_results(snapshot: TimelineSnapshot | None) -> bool:
    return snapshot is not None and (
        snapshot.last_result_age_s is not None or bool(snapshot.engagement_history)
    )


def _paint_feedback(
    painter: QPainter, area: QRectF, look: OverlayLook, scale: float, layout: OverlayLayout, *, cue: bool
) -> None:
    margin = 14 * scale
    layout.badge = paint_badge(
        painter, area.topLeft() + QPointF(margin, margin), look.engagement, scale, stale=look.stale
    )
    layout.hits.append(Hit(layout.badge.rect, _badge_tooltip(look.engagement)))
    corner = _cue_corner(area, scale)
    if cue:
        layout.freshness = paint_freshness(painter, corner, look.cue, scale, look.second_line)
    else:
        layout.freshness = freshness_layout(corner, look.cue, scale, look.second_line)
    if look.quality is not None:
        layout.quality = _paint_quality(painter, area, look.quality, scale, layout)
    top = layout.badge.rect.bottom() + 8 * scale
    _, layout.gauges = paint_gauges(
        painter, QPointF(area.left() + margin, top), look.gauges, scale, area.bottom() - margin - top
    )


def _badge_tooltip(engagement: EngagementNow | None) -> str:
    if engagement is None:
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
