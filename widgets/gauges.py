"""Signal gauges: one row per signal type, its latest band as 1–3 lit segments, fading with age.

The segments use one neutral accent for every signal: a 'high' stress reading is not good news
and a 'high' confidence reading is, so colour here means only 'how strong', never 'how good'.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from app.model.signal_gauges import Gauge
from app.model.vocabulary import PROBABILITY_RANK
from widgets import theme
from widgets.formatting import age_text, probability_text, signal_name, window_text
from widgets.painting import draw_text, plate

ROW_PX = 24
WIDTH_PX = 256
"""Wide enough for the longest signal name ("Disengagement") beside its level and band."""


@dataclass(frozen=True, slots=True)
class GaugeHit:
    """Where one gauge row was painted, so the preview can map the mouse to it."""

    rect: QRectF
    gauge: Gauge


def gauge_tooltip(gauge: Gauge) -> str:
    rationale = gauge.rationale or "The server gave no rationale for this reading."
    meaning = gauge.meaning or "A signal type this version of the app has no description for yet."
    return (
        f"<b>{html.escape(signal_name(gauge.type))}</b> · {probability_text(gauge.probability)}"
        f"<p style='margin:4px 0'>{html.escape(rationale)}</p>"
        f"<p style='margin:4px 0; color:{theme.TEXT_SECONDARY}'>"
        f"<i>{html.escape(signal_name(gauge.type))}:</i> {html.escape(meaning)}</p>"
        f"<span style='color:{theme.TEXT_MUTED}'>{window_text(gauge.start, gauge.end)}"
        f" · {age_text(gauge.age_s)}</span>"
    )


def paint_level(painter: QPainter, rect: QRectF, level: int, scale: float) -> None:
    """Three segments left to right; `level` of them lit."""
    gap = 3 * scale
    seg_w = (rect.width() - 2 * gap) / 3
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    for i in range(3):
        seg = QRectF(rect.left() + i * (seg_w + gap), rect.top(), seg_w, rect.height())
        painter.setBrush(QColor(theme.ACCENT) if i < level else theme.GAUGE_EMPTY)
        painter.drawRoundedRect(seg, 2 * scale, 2 * scale)
    painter.restore()


def rows_that_fit(count: int, max_height: float, scale: float) -> int:
    """How many gauge rows fit in `max_height`, keeping one row for '+N more' when some do not."""
    pad = 8 * scale
    available = int((max_height - 2 * pad) // (ROW_PX * scale))
    if available >= count:
        return count
    return max(0, available - 1)


def paint_gauges(
    painter: QPainter,
    origin: QPointF,
    gauges: Sequence[Gauge],
    scale: float,
    max_height: float,
    width: float | None = None,
) -> tuple[QRectF, list[GaugeHit]]:
    """The gauge plate at `origin` (`width` wide, by default the overlay's column); returns its
    rect and one hit area per painted row."""
    shown = rows_that_fit(len(gauges), max_height, scale)
    hidden = len(gauges) - shown
    if shown == 0 and hidden == 0:
        return QRectF(origin, origin), []
    pad, row_h = 8 * scale, ROW_PX * scale
    rows = shown + (1 if hidden else 0)
    rect = QRectF(origin.x(), origin.y(), width or WIDTH_PX * scale, 2 * pad + rows * row_h)
    plate(painter, rect, 10 * scale)
    hits: list[GaugeHit] = []
    name_font = theme.overlay_font(13.5 * scale)
    band_font = theme.overlay_font(11.5 * scale)
    for i, gauge in enumerate(gauges[:shown]):
        row = QRectF(rect.left(), rect.top() + pad + i * row_h, rect.width(), row_h)
        painter.save()
        painter.setOpacity(painter.opacity() * gauge.opacity)
        band_w = 54 * scale
        bar_w = 48 * scale
        band_rect = QRectF(row.right() - pad - band_w, row.top(), band_w, row_h)
        bar_rect = QRectF(
            band_rect.left() - 6 * scale - bar_w, row.center().y() - 4 * scale, bar_w, 8 * scale
        )
        name_rect = QRectF(
            row.left() + pad + 2 * scale, row.top(), bar_rect.left() - row.left() - 2 * pad, row_h
        )
        draw_text(painter, name_rect, signal_name(gauge.type), name_font, theme.TEXT)
        paint_level(painter, bar_rect, PROBABILITY_RANK[gauge.probability], scale)
        draw_text(painter, band_rect, probability_text(gauge.probability), band_font, theme.TEXT_SECONDARY)
        painter.restore()
        hits.append(GaugeHit(row, gauge))
    if hidden:
        row = QRectF(
            rect.left() + pad + 2 * scale, rect.top() + pad + shown * row_h, rect.width() - 2 * pad, row_h
        )
        more = f"+{hidden} more signals"
        draw_text(painter, row, more, band_font, theme.TEXT_MUTED)
    return rect, hits


class GaugeOrder:
    """Keeps the gauges' rows where they are while the pointer rests on them.

    The timeline sorts gauges strongest first, so rows trade places as results come in; under the
    pointer that would make an open tooltip describe the row that moved in. While held, rows keep
    the order they had when the pointer arrived, new signals go below, and the order follows the
    timeline again once the pointer leaves.
    """

    def __init__(self) -> None:
        self._held: list[str] | None = None

    @property
    def held(self) -> bool:
        return self._held is not None

    def hover(self, over_gauges: bool, shown: Sequence[GaugeHit]) -> bool:
        """The pointer is (or is not) over the gauge rows painted as `shown`; True if that changed."""
        if over_gauges and self._held is None:
            self._held = [hit.gauge.type for hit in shown]
            return True
        if not over_gauges and self._held is not None:
            self._held = None
            return True
        return False

    def apply(self, gauges: Sequence[Gauge]) -> list[Gauge]:
        held = self._held
        if held is None:
            return list(gauges)
        place = {kind: i for i, kind in enumerate(held)}
        return sorted(gauges, key=lambda g: place.get(g.type, len(held)))
