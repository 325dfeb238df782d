"""The engagement badge: state by colour, by shape and by word, with the time window it describes.

Engaged is a circle with an upward chevron, neutral a rounded square with a level dash,
disengaged a diamond with a downward chevron; with no reading yet, a dashed grey ring. A badge
whose window ended long ago is drawn faded and says how old it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from app.model.timeline_snapshot import EngagementNow
from app.model.vocabulary import EngagementState
from widgets import theme
from widgets.formatting import age_text, window_text
from widgets.painting import draw_text, plate, text_width

STALE_OPACITY = 0.55


@dataclass(frozen=True, slots=True)
class BadgeLayout:
    rect: QRectF
    glyph: QRectF


def paint_glyph(painter: QPainter, rect: QRectF, state: EngagementState | None) -> None:
    """The state's shape in `rect` (a square), white mark on the state's colour."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = rect.center()
    r = rect.width() / 2
    if state is None:
        pen = QPen(QColor(theme.WAITING), max(1.5, r * 0.16), Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(c, r * 0.82, r * 0.82)
        painter.restore()
        return
    painter.setPen(QPen(QColor(0, 0, 0, 110), 1.0))
    painter.setBrush(QColor(theme.ENGAGEMENT_COLOURS[state]))
    if state == "engaged":
        painter.drawEllipse(c, r, r)
    elif state == "neutral":
        inset = r * 0.1
        painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), r * 0.3, r * 0.3)
    else:
        diamond = QPainterPath(QPointF(c.x(), c.y() - r))
        for x, y in ((c.x() + r, c.y()), (c.x(), c.y() + r), (c.x() - r, c.y())):
            diamond.lineTo(x, y)
        diamond.closeSubpath()
        painter.drawPath(diamond)
    mark = QPen(QColor("#ffffff"), max(1.5, r * 0.2))
    mark.setCapStyle(Qt.PenCapStyle.RoundCap)
    mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(mark)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    w, h = r * 0.42, r * 0.22
    if state == "engaged":
        chevron = [(c.x() - w, c.y() + h), (c.x(), c.y() - h), (c.x() + w, c.y() + h)]
    elif state == "disengaged":
        chevron = [(c.x() - w, c.y() - h), (c.x(), c.y() + h), (c.x() + w, c.y() - h)]
    else:
        chevron = [(c.x() - w, c.y()), (c.x() + w, c.y())]
    path = QPainterPath(QPointF(*chevron[0]))
    for x, y in chevron[1:]:
        path.lineTo(x, y)
    painter.drawPath(path)
    painter.restore()


def badge_texts(engagement: EngagementNow | None, *, stale: bool) -> tuple[str, str]:
    if engagement is None:
        return "Engagement", "waiting for first result"
    detail = window_text(engagement.start, engagement.end)
    if stale:
        detail += f" · {age_text(engagement.age_s)}"
    return theme.ENGAGEMENT_LABELS[engagement.state], detail


def badge_size(engagement: EngagementNow | None, scale: float, *, stale: bool) -> tuple[float, float]:
    title, detail = badge_texts(engagement, stale=stale)
    pad, glyph = 10 * scale, 30 * scale
    text_w = max(
        text_width(theme.overlay_font(17 * scale, bold=True), title),
        text_width(theme.overlay_font(12 * scale), detail),
    )
    return pad + glyph + 10 * scale + text_w + pad * 1.4, 52 * scale


def paint_badge(
    painter: QPainter, origin: QPointF, engagement: EngagementNow | None, scale: float, *, stale: bool
) -> BadgeLayout:
    width, height = badge_size(engagement, scale, stale=stale)
    rect = QRectF(origin.x(), origin.y(), width, height)
    title, detail = badge_texts(engagement, stale=stale)
    painter.save()
    if stale:
        painter.setOpacity(painter.opacity() * STALE_OPACITY)
    plate(painter, rect, 10 * scale)
    pad, size = 10 * scale, 30 * scale
    glyph = QRectF(rect.left() + pad, rect.center().y() - size / 2, size, size)
    paint_glyph(painter, glyph, engagement.state if engagement else None)
    text_left = glyph.right() + 10 * scale
    text_rect = QRectF(text_left, rect.top() + 7 * scale, rect.right() - text_left - pad, 22 * scale)
    title_colour = theme.TEXT if engagement else theme.TEXT_SECONDARY
    draw_text(painter, text_rect, title, theme.overlay_font(17 * scale, bold=True), title_colour)
    detail_rect = QRectF(text_left, text_rect.bottom(), text_rect.width(), 16 * scale)
    draw_text(painter, detail_rect, detail, theme.overlay_font(12 * scale), theme.TEXT_SECONDARY)
    painter.restore()
    return BadgeLayout(rect, glyph)
