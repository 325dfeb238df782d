"""What the preview says when it has no picture to show, and what the user can do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from app.model.view_state import PipelineStatus
from widgets import theme
from widgets.painting import plate

PlaceholderIcon = Literal["camera", "camera_off", "wait"]
_SYNTHETIC_HINT = "For a demo, choose “Synthetic test signal” in the camera list."
_OTHER_FILE_HINT = "Choose another file, or “Synthetic test signal”, in the camera list."


@dataclass(frozen=True, slots=True)
class Placeholder:
    title: str
    detail: str
    icon: PlaceholderIcon


def placeholder_for(status: PipelineStatus, *, has_frame: bool) -> Placeholder | None:
    """The card to show, or None when the picture speaks for itself."""
    camera = status.camera
    if camera.state == "missing" and camera.source == "file":
        detail = f"{camera.message or 'The file could not be read.'} {_OTHER_FILE_HINT}"
        return Placeholder("This file cannot be played", detail, "camera_off")
    if camera.state == "missing":
        detail = f"{camera.message or 'Connect a camera and press Start again.'} {_SYNTHETIC_HINT}"
        return Placeholder("No camera found", detail, "camera_off")
    if camera.state == "lost":
        return Placeholder(
            "Camera lost — waiting for it to come back",
            camera.message or "Check the cable, or close other apps that use the camera.",
            "camera_off",
        )
    if has_frame:
        return None
    if status.session_state == "starting" or camera.state == "starting":
        return Placeholder("Starting…", "Opening the camera and connecting to the analysis.", "wait")
    if status.session_state == "stopping":
        return Placeholder("Finishing…", "Sending the last segments and saving the recording.", "wait")
    if status.session_state == "running":
        if camera.state == "off":
            return Placeholder(
                "Camera off", camera.message or "Feedback comes from your voice only.", "camera_off"
            )
        return Placeholder("Waiting for the picture…", camera.message or "The camera is starting up.", "wait")
    return Placeholder(
        "Ready when you are", "Press Start (Ctrl+Return) to see yourself and get live feedback.", "camera"
    )


def paint_placeholder(painter: QPainter, area: QRectF, card: Placeholder) -> QRectF:
    """A calm centred card: an outline icon, a title and what to do next."""
    width = min(460.0, area.width() - 32)
    title_font = theme.overlay_font(20, bold=True)
    detail_font = theme.overlay_font(14)
    detail_rect = QFontMetricsF(detail_font).boundingRect(
        QRectF(0, 0, width - 48, 1000),
        int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter),
        card.detail,
    )
    icon_size = 44.0
    height = 28 + icon_size + 16 + 30 + 4 + detail_rect.height() + 28
    rect = QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    plate(painter, rect, 14, QColor(23, 26, 32, 220))
    icon_rect = QRectF(rect.center().x() - icon_size / 2, rect.top() + 28, icon_size, icon_size)
    _paint_icon(painter, icon_rect, card.icon)
    painter.setFont(title_font)
    painter.setPen(QColor(theme.TEXT))
    title_rect = QRectF(rect.left() + 24, icon_rect.bottom() + 16, rect.width() - 48, 30)
    painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignCenter), card.title)
    painter.setFont(detail_font)
    painter.setPen(QColor(theme.TEXT_SECONDARY))
    body = QRectF(rect.left() + 24, title_rect.bottom() + 4, rect.width() - 48, detail_rect.height() + 4)
    painter.drawText(body, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter), card.detail)
    painter.restore()
    return rect


def _paint_icon(painter: QPainter, rect: QRectF, kind: PlaceholderIcon) -> None:
    pen = QPen(QColor(theme.TEXT_SECONDARY), 2.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if kind == "wait":
        painter.drawEllipse(rect.adjusted(4, 4, -4, -4))
        c = rect.center()
        painter.drawLine(c, QPointF(c.x(), rect.top() + 12))
        painter.drawLine(c, QPointF(rect.right() - 13, c.y() + 4))
        return
    body = QRectF(rect.left() + 2, rect.top() + 11, rect.width() * 0.66, rect.height() - 22)
    painter.drawRoundedRect(body, 5, 5)
    lens_top, lens_bottom = body.top() + 6, body.bottom() - 6
    right = rect.right() - 2
    painter.drawPolyline(
        [
            QPointF(body.right() + 2, body.center().y() - 3),
            QPointF(right, lens_top),
            QPointF(right, lens_bottom),
            QPointF(body.right() + 2, body.center().y() + 3),
        ]
    )
    if kind == "camera_off":
        slash = QPen(QColor(theme.WARNING), 2.6)
        slash.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(slash)
        painter.drawLine(
            QPointF(rect.left() + 4, rect.top() + 4), QPointF(rect.right() - 4, rect.bottom() - 4)
        )
