"""The banner shown while no API key is configured: the app works (on Local analysis), and one
click leads to the place where the key goes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from widgets import theme

BANNER_TEXT = "Using Local analysis. Add your Interhuman API key for the full model."


class KeyBanner(QFrame):
    add_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.setSpacing(10)
        icon = QLabel()
        icon.setPixmap(theme.icon("key").pixmap(QSize(18, 18), self.devicePixelRatioF()))
        layout.addWidget(icon)
        self.label = QLabel(BANNER_TEXT)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.add_button = QPushButton("Add key…")
        self.add_button.setObjectName("bannerButton")
        self.add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.add_button.clicked.connect(self.add_key_requested)
        layout.addWidget(self.add_button)
        close = QToolButton()
        close.setObjectName("dismiss")
        close.setText("×")
        close.setToolTip("Hide until the next start")
        close.clicked.connect(self._dismiss)
        layout.addWidget(close)
        self.dismissed = False

    def _dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def set_needed(self, needed: bool) -> None:
        self.setVisible(needed and not self.dismissed)
