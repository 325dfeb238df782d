"""Feedback text on the goals the user chose (v1/v2 `feedback.generated`), newest first; hidden
while there is none."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.model.timeline_snapshot import Feedback
from widgets.formatting import mmss

SHOWN = 3


class FeedbackPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackPanel")
        self._feedback: list[Feedback] = []
        self.title = QLabel("Feedback on your goals")
        self.title.setObjectName("sectionTitle")
        self.text = QLabel()
        self.text.setObjectName("feedbackText")
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.setAccessibleName("Feedback on your goals")
        self.hide()

    def set_feedback(self, feedback: list[Feedback]) -> None:
        """`feedback` newest first, as the timeline gives it."""
        if feedback == self._feedback:
            return
        self._feedback = list(feedback)
        self.text.setText("\n".join(f"{mmss(item.t)}  {item.text}" for item in feedback[:SHOWN]))
        self.setVisible(bool(feedback))
