"""`ConnectionCard`: the analysis server cannot be reached, said where the user looks.

It floats over the preview (and, smaller, over the compact window) while the connection is down:
what is wrong in the uplink's own words, when the next attempt comes, and three ways out, as real
buttons the keyboard reaches: Retry now, Use Local analysis, Stop now. The card asks; the
controller does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.model.connection_trouble import ConnectionTrouble
from widgets.formatting import countdown_text

MAX_WIDTH = 460


def retry_text(trouble: ConnectionTrouble) -> str:
    if trouble.retry_in_s is None or trouble.retry_in_s <= 0:
        return "Trying again now…"
    return f"Trying again in {countdown_text(trouble.retry_in_s)}."


class ConnectionCard(QFrame):
    retry_requested = Signal()
    local_requested = Signal()
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("connectionCard")
        self.setProperty("compact", compact)
        self.setAccessibleName("Connection problem")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        margin = 10 if compact else 16
        layout.setContentsMargins(margin, margin - 2, margin, margin)
        layout.setSpacing(4 if compact else 6)
        self.title_label = QLabel()
        self.title_label.setObjectName("cardTitle")
        self.title_label.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("cardReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_label = QLabel()
        self.retry_label.setObjectName("cardHint")
        self.retry_label.setWordWrap(True)
        for label in (self.title_label, self.reason_label, self.retry_label):
            layout.addWidget(label)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.setContentsMargins(0, 6 if compact else 8, 0, 0)
        self.retry_button = self._button("Retry" if compact else "Retry now", "Try to connect again at once")
        self.local_button = self._button(
            "Local" if compact else "Use Local analysis",
            "Stop this session and start again on Local analysis, on this computer",
        )
        self.stop_button = self._button("Stop" if compact else "Stop now", "Stop the session without waiting")
        self.retry_button.setObjectName("cardPrimary")
        self.retry_button.clicked.connect(self.retry_requested)
        self.local_button.clicked.connect(self.local_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        for button in (self.retry_button, self.local_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.trouble: ConnectionTrouble | None = None
        self.hide()

    @staticmethod
    def _button(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def set_trouble(self, trouble: ConnectionTrouble | None) -> None:
        """Show `trouble`, or hide the card when there is none."""
        if trouble == self.trouble:
            return
        self.trouble = trouble
        if trouble is None:
            self.hide()
            return
        self.title_label.setText(trouble.title)
        self.reason_label.setText(trouble.reason)
        self.retry_label.setText(retry_text(trouble))
        self.local_button.setVisible(trouble.can_use_local)
        self.show()
        self.raise_()

    def place_in(self, width: int, height: int, *, bottom_margin: int = 24) -> None:
        """Centre the card near the bottom of a `width` x `height` parent, clear of a face in the middle."""
        card_w = max(120, min(MAX_WIDTH, width - 24))
        card_h = self.heightForWidth(card_w) if self.hasHeightForWidth() else self.sizeHint().height()
        card_h = min(card_h, max(0, height - 8))
        top = max(4, height - card_h - bottom_margin)
        self.setGeometry((width - card_w) // 2, top, card_w, card_h)
