"""The review window's timeline: the whole session under the video, with a playhead.

Rows, top to bottom: engagement as a band (colour and pattern per state, as on the live strip), one
row per signal type with a mark per reading shaded by its probability, conversation quality as a
line per dimension, and the gaps (errors, skipped segments, reconnections, missing media) hatched
across every row with their reason on hover. Clicking or dragging asks to seek there; the
controller moves the player and hands the new position back with `set_position`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.model.coverage_gaps import Gap
from app.model.session_review import SessionReview
from app.model.vocabulary import PROBABILITY_RANK, QUALITY_DIMENSIONS
from widgets import theme
from widgets.formatting import mmss, probability_text, signal_name, window_text
from widgets.painting import draw_text
from widgets.timeline_strip import paint_band

LABEL_W = 112.0
BAND_H = 22.0
ROW_H = 16.0
ROW_GAP = 4.0
QUALITY_H = 56.0
AXIS_H = 18.0
MARK_OPACITY = {0: 0.45, 1: 0.45, 2: 0.72, 3: 1.0}
QUALITY_COLOURS = {
    "clarity": "#6ea8fe",
    "authority": "#b197fc",
    "energy": "#ffa94d",
    "rapport": "#3ec28b",
    "learning": "#f783ac",
}
GAP_COLOUR = QColor(233, 162, 59)


class ReviewTimeline(QWidget):
    seek_requested = Signal(float)
    """Session seconds the user clicked or dragged to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._review: SessionReview | None = None
        self._position = 0.0
        self._dragging = False
        self.setObjectName("reviewTimeline")
        self.setAccessibleName("Session timeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._fit_height()

    def set_review(self, review: SessionReview | None) -> None:
        self._review = review
        self._fit_height()
        self.update()

    def set_position(self, t: float) -> None:
        if abs(t - self._position) >= 0.02:
            self._position = t
            self.update()

    def position(self) -> float:
        return self._position

    def sizeHint(self) -> QSize:
        return QSize(800, self.height())

    # -- geometry --------------------------------------------------------------------------

    def span_s(self) -> float:
        return max(1.0, self._review.length_s if self._review is not None else 0.0)

    def plot_rect(self) -> QRectF:
        return QRectF(LABEL_W, 2, max(10.0, self.width() - LABEL_W - 8), self.height() - AXIS_H - 4)

    def x_for(self, t: float) -> float:
        plot = self.plot_rect()
        return plot.left() + max(0.0, min(1.0, t / self.span_s())) * plot.width()

    def t_for(self, x: float) -> float:
        plot = self.plot_rect()
        return max(0.0, min(1.0, (x - plot.left()) / plot.width())) * self.span_s()

    def _types(self) -> list[str]:
        return self._review.signal_types if self._review is not None else []

    def _has_quality(self) -> bool:
        return self._review is not None and bool(self._review.quality_series)

    def _fit_height(self) -> None:
        rows = BAND_H + ROW_GAP + len(self._types()) * (ROW_H + ROW_GAP)
        rows += QUALITY_H + ROW_GAP if self._has_quality() else 0
        self.setFixedHeight(int(rows + AXIS_H + 8))

    def gap_at(self, x: float) -> Gap | None:
        if self._review is None:
            return None
        return next(
            (g for g in self._review.gaps if self.x_for(g.start) - 2 <= x <= self.x_for(g.end) + 2), None
        )

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self.plot_rect()
        painter.fillRect(plot, QColor(theme.SURFACE_RAISED))
        review = self._review
        small = theme.overlay_font(11)
        if review is None:
            draw_text(
                painter, plot, "Reading the session…", small, theme.TEXT_MUTED, Qt.AlignmentFlag.AlignCenter
            )
            painter.end()
            return
        y = plot.top()
        self._label(painter, y, BAND_H, "Engagement")
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for window in review.engagement:
            rect = QRectF(QPointF(self.x_for(window.start), y), QPointF(self.x_for(window.end), y + BAND_H))
            paint_band(painter, rect, window.state)
        painter.restore()
        y += BAND_H + ROW_GAP
        for kind in review.signal_types:
            self._label(painter, y, ROW_H, signal_name(kind))
            for row in review.signals:
                signal = row.signal
                if signal.type != kind:
                    continue
                colour = QColor(theme.ACCENT)
                colour.setAlphaF(MARK_OPACITY[PROBABILITY_RANK[signal.probability]])
                left, right = self.x_for(signal.start), self.x_for(signal.end)
                painter.fillRect(QRectF(left, y + 2, max(2.0, right - left - 1), ROW_H - 4), colour)
            y += ROW_H + ROW_GAP
        if self._has_quality():
            self._paint_quality(painter, QRectF(plot.left(), y, plot.width(), QUALITY_H))
            y += QUALITY_H + ROW_GAP
        self._paint_gaps(painter, plot.top(), y - ROW_GAP)
        self._paint_axis(painter, y)
        x = self.x_for(self._position)
        painter.setPen(QPen(QColor(theme.TEXT), 2))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, y))
        painter.end()

    def _label(self, painter: QPainter, y: float, height: float, text: str) -> None:
        rect = QRectF(0, y, LABEL_W - 8, height)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        draw_text(painter, rect, text, theme.overlay_font(11.5), theme.TEXT_SECONDARY, align)

    def _paint_quality(self, painter: QPainter, rect: QRectF) -> None:
        assert self._review is not None
        self._label(painter, rect.top(), rect.height(), "Quality")
        painter.setPen(QPen(QColor(theme.BORDER), 1, Qt.PenStyle.DashLine))
        middle = rect.bottom() - 0.5 * rect.height()
        painter.drawLine(QPointF(rect.left(), middle), QPointF(rect.right(), middle))
        for dimension in QUALITY_DIMENSIONS:
            points = QPolygonF(
                [
                    QPointF(
                        self.x_for((w.start + w.end) / 2),
                        rect.bottom() - getattr(w.values, dimension) / 100.0 * rect.height(),
                    )
                    for w in self._review.quality_series
                ]
            )
            painter.setPen(QPen(QColor(QUALITY_COLOURS[dimension]), 1.6))
            painter.drawPolyline(points)

    def _paint_gaps(self, painter: QPainter, top: float, bottom: float) -> None:
        assert self._review is not None
        for gap in self._review.gaps:
            left = self.x_for(gap.start)
            rect = QRectF(left, top, max(3.0, self.x_for(gap.end) - left), bottom - top)
            fill = QColor(GAP_COLOUR)
            fill.setAlpha(40)
            painter.fillRect(rect, fill)
            painter.fillRect(rect, QBrush(GAP_COLOUR, Qt.BrushStyle.BDiagPattern))

    def _paint_axis(self, painter: QPainter, y: float) -> None:
        plot = self.plot_rect()
        axis = QRectF(plot.left(), y, plot.width(), AXIS_H)
        small = theme.overlay_font(11)
        draw_text(painter, axis, "00:00", small, theme.TEXT_MUTED)
        draw_text(painter, axis, mmss(self.span_s()), small, theme.TEXT_MUTED, Qt.AlignmentFlag.AlignRight)
        draw_text(
            painter,
            axis,
            mmss(self._position),
            theme.overlay_font(11, bold=True),
            theme.TEXT,
            Qt.AlignmentFlag.AlignCenter,
        )

    # -- input -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and event.position().x() >= LABEL_W:
            self._dragging = True
            self._seek(event.position().x())
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging:
            self._seek(event.position().x())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._dragging = False
        super().mouseReleaseEvent(event)

    def _seek(self, x: float) -> None:
        t = self.t_for(x)
        self.set_position(t)
        self.seek_requested.emit(t)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._tooltip(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _tooltip(self, at: QPointF) -> str:
        review = self._review
        if review is None or at.x() < LABEL_W:
            return ""
        t = self.t_for(at.x())
        gap = self.gap_at(at.x())
        if gap is not None:
            return f"{window_text(gap.start, gap.end)} · {gap.reason}"
        plot = self.plot_rect()
        if at.y() <= plot.top() + BAND_H:
            window = review.engagement_at(t)
            return "" if window is None else f"{window_text(window.start, window.end)} · {window.state}"
        row = int((at.y() - plot.top() - BAND_H - ROW_GAP) // (ROW_H + ROW_GAP))
        if 0 <= row < len(review.signal_types):
            kind = review.signal_types[row]
            found = [s for s in review.signals_at(t) if s.type == kind]
            if found:
                s = found[0]
                reading = f"{signal_name(s.type)} {probability_text(s.probability)}"
                return f"{window_text(s.start, s.end)} · {reading}: {s.rationale or ''}"
        return mmss(t)
