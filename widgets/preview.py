"""`PreviewWidget`: the latest camera frame, aspect kept, with the feedback overlay on top.

It holds one frame (the latest) and repaints only when a new frame, snapshot or status is
handed to it; the controller calls `set_frame` from its display timer. Nothing here queues.
The overlay changes a few times a second, the picture thirty: the overlay is painted into
cached transparent pixmaps when what it shows changes, and each frame only composites them. The picture itself
is best handed over already fitted to the box `picture_box_changed` names and as 32-bit BGRX
(`capture.fanout.LatestFrame` does it on the source's thread): it is then painted pixel for pixel,
a copy, where scaling a captured frame here would cost the UI thread milliseconds thirty times a
second.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.model.connection_trouble import connection_trouble
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import PipelineStatus
from widgets import theme
from widgets.connection_card import ConnectionCard
from widgets.gauges import GaugeOrder
from widgets.overlay import OverlayLayout, OverlayLook, cue_card, overlay_look, paint_cue, paint_overlay
from widgets.placeholder import Placeholder, paint_placeholder, placeholder_for

log = logging.getLogger(__name__)

DIM_BEHIND_CARD = QColor(0, 0, 0, 150)
BACKGROUND = QColor(theme.VIDEO_BACKGROUND)


def fitted_rect(image: QSizeF, area: QRectF) -> QRectF:
    """The largest rect of the image's aspect ratio centred in `area`."""
    size = image.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRectF(
        area.left() + (area.width() - size.width()) / 2,
        area.top() + (area.height() - size.height()) / 2,
        size.width(),
        size.height(),
    )


def _layer(size: QSize, ratio: float) -> QPixmap:
    """A transparent pixmap of `size` logical pixels at `ratio` device pixels each."""
    layer = QPixmap(size * ratio)
    layer.setDevicePixelRatio(ratio)
    layer.fill(Qt.GlobalColor.transparent)
    return layer


class PreviewWidget(QWidget):
    picture_box_changed = Signal(int, int)
    """The box (device pixels) a frame fits into to be painted without scaling."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every pixel is painted each time: skipping the background erase keeps video from flickering.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAccessibleName("Live preview")
        self._frame: np.ndarray | None = None
        self._image: QImage | None = None
        self._ratio = 1.0
        # What a paint needs, kept as it changes: thirty paints a second would otherwise each make
        # dozens of calls into Qt, and each call lets go of the interpreter's lock, which a busy
        # worker may then hold for up to the switch interval.
        self._size = self.size().toTuple()
        self._rect = QRectF(self.rect())
        self._picture: tuple[tuple[object, ...], QRectF] | None = None
        self._look: tuple[tuple[object, ...], OverlayLook] | None = None
        self._shown = 0
        """Counts the changes to what the overlay is painted from: the snapshot, the status, the
        overlay shown or hidden, the gauges held under the pointer."""
        self._snapshot: TimelineSnapshot | None = None
        self._status = PipelineStatus()
        self._overlay_visible = True
        self._layout = OverlayLayout()
        self._rest: QPixmap | None = None
        self._rest_key: tuple[object, ...] | None = None
        self._cue: tuple[QPoint, QPixmap] | None = None
        self._cue_key: tuple[object, ...] | None = None
        self._gauge_order = GaugeOrder()
        self.setMouseTracking(True)  # to hold the gauges still under the pointer
        self.connection_card = ConnectionCard(self)
        self._box = (0, 0)

    def sizeHint(self) -> QSize:
        return QSize(960, 540)

    def set_frame(self, image: np.ndarray) -> None:
        """Show `image` from now on: H x W x 3 uint8 BGR as captured, or H x W x 4 BGRX as fitted
        to `picture_box()`."""
        if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype != np.uint8:
            raise ValueError(
                f"the preview needs an H x W x 3 (BGR) or x 4 (BGRX) uint8 image, got shape {image.shape} "
                f"of {image.dtype}"
            )
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        height, width, channels = image.shape
        layout = QImage.Format.Format_BGR888 if channels == 3 else QImage.Format.Format_RGB32
        # QImage wraps the array's memory (no copy); holding the array keeps that memory alive.
        self._frame = image
        self._image = QImage(image.data, width, height, image.strides[0], layout)
        self._ratio = self.devicePixelRatioF()
        self._image.setDevicePixelRatio(self._ratio)
        self.update()

    def picture_box(self) -> tuple[int, int]:
        """The preview's size in device pixels: a frame fitted to it is painted without scaling."""
        ratio = self.devicePixelRatioF()
        return round(self.width() * ratio), round(self.height() * ratio)

    def clear_frame(self) -> None:
        self._frame = None
        self._image = None
        self.update()

    def has_frame(self) -> bool:
        return self._image is not None

    def frame_size(self) -> QSize | None:
        """The shown frame's size in device pixels; None without a frame."""
        return None if self._image is None else self._image.size()

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        self._snapshot = snapshot
        self._changed()
        self._update_card()

    def set_status(self, status: PipelineStatus) -> None:
        if status != self._status:
            self._status = status
            self._changed()
            self._update_card()

    def _changed(self) -> None:
        self._shown += 1
        self.update()

    def _update_card(self) -> None:
        self.connection_card.set_trouble(connection_trouble(self._snapshot, self._status))
        if self.connection_card.trouble is not None:
            self._place_card()

    def _place_card(self) -> None:
        self.connection_card.place_in(self.width(), self.height())

    def set_overlay_visible(self, visible: bool) -> None:
        if visible != self._overlay_visible:
            self._overlay_visible = visible
            self._changed()

    def overlay_visible(self) -> bool:
        return self._overlay_visible

    def placeholder(self) -> Placeholder | None:
        return placeholder_for(self._status, has_frame=self.has_frame())

    def frame_rect(self) -> QRectF | None:
        """Where the picture is drawn, in widget coordinates (not to be changed); None without a
        picture."""
        if self._frame is None or self._image is None:
            return None
        key = (self._frame.shape[:2], self._ratio, self._size)
        if self._picture is None or self._picture[0] != key:
            self._picture = key, self._fit_picture(self._image)
        return self._picture[1]

    def _fit_picture(self, image: QImage) -> QRectF:
        size = image.deviceIndependentSize()
        fitted = fitted_rect(size, self._rect)
        if abs(fitted.width() - size.width()) <= 1 and abs(fitted.height() - size.height()) <= 1:
            # Fitted already (to within rounding): painted pixel for pixel, on whole pixels.
            return QRectF(QPointF(round(fitted.left()), round(fitted.top())), size)
        return fitted

    def overlay_layout(self) -> OverlayLayout:
        """Where the overlay's parts were painted last time."""
        return self._layout

    def tooltip_at(self, pos: QPointF) -> str | None:
        return self._layout.tooltip_at(pos, self._snapshot.gauges if self._snapshot is not None else ())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self._rect, BACKGROUND)
        card = self.placeholder()
        area = self._rect
        picture = self.frame_rect()
        if picture is not None and self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(picture, self._image)
            area = picture
            if card is not None:
                painter.fillRect(picture, DIM_BEHIND_CARD)
        if card is not None:
            paint_placeholder(painter, self._rect, card)
        self._paint_overlay(
            painter, area, None if picture is None or self._picture is None else self._picture[0]
        )
        painter.end()

    def _paint_overlay(self, painter: QPainter, area: QRectF, picture: tuple[object, ...] | None) -> None:
        """The overlay over `area` (the picture, whose `frame_rect` key is `picture`, or the
        whole widget), from two cached layers each painted again only when what it shows or the
        geometry changed: the freshness card, whose text changes with every snapshot, on a small
        one of its own, and the rest, which changes with the results."""
        ratio = self.devicePixelRatioF()
        look = self._overlay_look(area, (self._shown, picture, self._size))
        geometry = (self._size, ratio)
        rest_key = (look.beneath_cue(), geometry)
        if self._rest is None or rest_key != self._rest_key:
            self._rest = _layer(QSize(*self._size), ratio)
            layer_painter = QPainter(self._rest)
            self._layout = paint_overlay(layer_painter, look, cue=False)
            layer_painter.end()
            self._rest_key = rest_key
            self._cue_key = None  # the new layout needs the card's place again
        cue_key = (look.cue_part(), geometry)
        if cue_key != self._cue_key:
            self._cue = self._paint_cue(look, ratio)
            self._cue_key = cue_key
        painter.drawPixmap(0, 0, self._rest)
        if self._cue is not None:
            painter.drawPixmap(*self._cue)

    def _overlay_look(self, area: QRectF, key: tuple[object, ...]) -> OverlayLook:
        """The overlay's look, worked out again only when what it is made from changed."""
        if self._look is None or self._look[0] != key:
            snapshot = self._snapshot
            if snapshot is not None and self._gauge_order.held:
                snapshot = replace(snapshot, gauges=self._gauge_order.apply(snapshot.gauges))
            look = overlay_look(area, snapshot, self._status, feedback_visible=self._overlay_visible)
            self._look = key, look
        return self._look[1]

    def _paint_cue(self, look: OverlayLook, ratio: float) -> tuple[QPoint, QPixmap] | None:
        """The freshness card on a layer just its size, at whole pixels so that it lands on the
        very pixels painting it in place would."""
        card = cue_card(look)
        if card is None:
            return None
        box = card.rect.toAlignedRect().adjusted(-1, -1, 1, 1)
        layer = _layer(box.size(), ratio)
        layer_painter = QPainter(layer)
        layer_painter.translate(-box.topLeft())
        self._layout.freshness = paint_cue(layer_painter, look)
        layer_painter.end()
        return box.topLeft(), layer

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._size = event.size().toTuple()
        self._rect = QRectF(self.rect())
        self._place_card()
        box = self.picture_box()
        if box != self._box:
            self._box = box
            self.picture_box_changed.emit(*box)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._hover(event.position())
        super().mouseMoveEvent(event)

    def _hover(self, pos: QPointF | None) -> None:
        over = pos is not None and any(hit.rect.contains(pos) for hit in self._layout.gauges)
        if self._gauge_order.hover(over, self._layout.gauges):
            self._changed()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._hover(None)
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
