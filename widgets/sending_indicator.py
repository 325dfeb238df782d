"""`SendingIndicator`: whether anything is being sent, as a coloured dot and one sentence.

The main window and the compact window each show one; the tray icon says the same. The dot's
colour and shape carry the state (filled while something goes out, a ring while nothing does), so
it reads without colour too; the sentence is elided to the room there is, the tooltip holds it all.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.model.sending import IDLE_TEXT, SendingKind, SendingState
from widgets import theme
from widgets.painting import dot, draw_text

COLOURS: dict[SendingKind, str] = {
    "sending": theme.ACCENT,
    "local": theme.ENGAGED,
    "paused": theme.WARNING,
    "not_connected": theme.DANGER,
    "idle": theme.WAITING,
}
HOLLOW: frozenset[SendingKind] = frozenset({"paused", "not_connected", "idle"})
"""Nothing leaves the computer in these states: a ring, not a filled dot."""
DOT_SPACE = 18.0


class SendingIndicator(QWidget):
    def __init__(self, parent: QWidget | None = None, *, pixel_size: float = 12.5, bold: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("sendingIndicator")
        self._font = theme.overlay_font(pixel_size, bold=bold)
        self._state = SendingState("idle", IDLE_TEXT, "")
        self.setMaximumWidth(self.sizeHint().width())
        # It takes the room its sentence needs when the window has it, never more, and elides
        # (or shows the short form) rather than widen the window when it has not.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._describe()

    @property
    def state(self) -> SendingState:
        return self._state

    def set_state(self, state: SendingState) -> None:
        if state != self._state:
            self._state = state
            self._describe()
            self.setMaximumWidth(self.sizeHint().width())
            self.updateGeometry()
            self.update()

    def sizeHint(self) -> QSize:
        metrics = QFontMetricsF(self._font)
        return QSize(
            int(DOT_SPACE + metrics.horizontalAdvance(self._state.text) + 4), int(metrics.height() + 8)
        )

    def minimumSizeHint(self) -> QSize:
        # Room for the dot and a word; the rest elides rather than widen the window.
        return QSize(int(DOT_SPACE + 48), self.sizeHint().height())

    def shown_text(self) -> str:
        """The full sentence where it fits, else its short form (elided further if need be)."""
        room = self.width() - DOT_SPACE
        full = self._state.text
        if not self._state.short or QFontMetricsF(self._font).horizontalAdvance(full) <= room:
            return full
        return self._state.short

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        kind = self._state.kind
        centre = QPointF(7.0, self.height() / 2)
        dot(painter, centre, 5.0, COLOURS[kind], hollow=kind in HOLLOW)
        text = QRectF(DOT_SPACE, 0, self.width() - DOT_SPACE, self.height())
        draw_text(painter, text, self.shown_text(), self._font, theme.TEXT)
        painter.end()

    def _describe(self) -> None:
        self.setToolTip(f"{self._state.text}. {self._state.detail}".strip())
        self.setAccessibleName(self._state.text)
        self.setAccessibleDescription(self._state.detail)
