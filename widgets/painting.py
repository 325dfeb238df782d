"""Small QPainter helpers shared by the overlay, the compact window and the side panel."""

from __future__ import annotations

import struct

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTextLayout

from widgets import theme


def plate(painter: QPainter, rect: QRectF, radius: float, fill: QColor | None = None) -> None:
    """A translucent dark rounded plate with a hairline edge, behind overlay text."""
    painter.save()
    painter.setPen(QPen(theme.PLATE_BORDER, 1.0))
    painter.setBrush(fill if fill is not None else theme.PLATE)
    painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    painter.restore()


def text_width(font: QFont, text: str) -> float:
    return QFontMetricsF(font).horizontalAdvance(text)


def draw_text(
    painter: QPainter,
    rect: QRectF,
    text: str,
    font: QFont,
    colour: QColor | str,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
) -> None:
    """One line of text, elided to fit `rect`."""
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor(colour))
    elided = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, int(align), elided)
    painter.restore()


def dot(
    painter: QPainter, centre: QPointF, radius: float, fill: QColor | str, *, hollow: bool = False
) -> None:
    """A status dot; hollow (a ring) for 'nothing yet' so the cue is not colour alone."""
    painter.save()
    if hollow:
        painter.setPen(QPen(QColor(fill), max(1.5, radius * 0.45)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius * 0.8, radius * 0.8)
    else:
        painter.setPen(QPen(QColor(0, 0, 0, 90), 1.0))
        painter.setBrush(QColor(fill))
        painter.drawEllipse(centre, radius, radius)
    painter.restore()


def paint_score_bar(painter: QPainter, bar: QRectF, score: float) -> None:
    """A 0–100 bar in its band's colour, with a tick at 50 ('no evidence either way')."""
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.GAUGE_EMPTY)
    painter.drawRoundedRect(bar, bar.height() / 2, bar.height() / 2)
    filled = QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(100.0, score)) / 100, bar.height())
    painter.setBrush(theme.quality_colour(score))
    painter.drawRoundedRect(filled, bar.height() / 2, bar.height() / 2)
    mid = bar.left() + bar.width() / 2
    painter.setPen(QPen(QColor(255, 255, 255, 120), 1.0))
    painter.drawLine(QPointF(mid, bar.top() - 2), QPointF(mid, bar.bottom() + 2))
    painter.restore()


def wrap_lines(text: str, font: QFont, width: float, max_lines: int) -> list[str]:
    """`text` wrapped to `width`, at most `max_lines` lines, the last one elided if it had to be cut."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines: list[str] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        if len(lines) == max_lines - 1:
            rest = text[line.textStart() :].replace("\n", " ")
            lines.append(QFontMetricsF(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
            break
        lines.append(text[line.textStart() : line.textStart() + line.textLength()].rstrip())
    layout.endLayout()
    return lines


_PATH_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def polyline_path(xs: np.ndarray, ys: np.ndarray) -> QPainterPath:
    """The line through the points (xs[i], ys[i]), made in a handful of calls into Qt, however
    many points: Qt reads it whole in the form a QDataStream holds a QPainterPath (big-endian: the
    element count; each element's type, x and y; the current subpath's start; the fill rule).
    Made point by point, each call would let go of the interpreter's lock and wait to get it back."""
    elements = np.empty(len(xs), _PATH_ELEMENT)
    elements["type"] = QPainterPath.ElementType.LineToElement.value
    elements["type"][:1] = QPainterPath.ElementType.MoveToElement.value
    elements["x"], elements["y"] = xs, ys
    fill = Qt.FillRule.OddEvenFill.value
    data = struct.pack(">i", len(xs)) + elements.tobytes() + struct.pack(">ii", 0, fill)
    path = QPainterPath()
    QDataStream(QByteArray(data)) >> path
    return path
