"""Delivery in the side panel: what Local analysis measured of the latest analysed stretch (eye
contact, smiling, nods, pace, pauses, pitch) and the filler words of the session so far, and the
one line the compact window shows. It renders the `LocalDelivery` and `FillerCount` handed to it
and does nothing else."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.model.delivery import FillerCount, LocalDelivery

EMPTY_TEXT = "Delivery appears after the first result from Local analysis."
ROWS = ("Eye contact", "Smiling", "Head", "Distance", "Pace", "Pauses", "Voice", "Filler words")
NO_FACE = "no face in view"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}%"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def distance_text(face_width: float | None) -> str:
    """How far from the camera, from the face's width as a share of the picture's."""
    if face_width is None:
        return NO_FACE
    if face_width >= 0.45:
        return "very close"
    if face_width >= 0.12:
        return "good"
    return "far: move closer"


def pitch_text(delivery: LocalDelivery) -> str:
    if delivery.pitch_median_hz is None or delivery.pitch_variety_st is None:
        return "too little speech"
    variety = delivery.pitch_variety_st
    word = "monotone" if variety < 1.5 else "lively" if variety <= 5.0 else "very varied"
    return f"{round(delivery.pitch_median_hz)} Hz, {word} ({variety:.1f} semitones)"


def fillers_text(delivery: LocalDelivery, so_far: FillerCount | None) -> str:
    """The session's count so far: an utterance is counted in the stretch where it ends, so the
    latest stretch alone mostly holds none."""
    if delivery.fillers is None or so_far is None:
        return delivery.fillers_note or "not counted"
    if so_far.total == 0:
        return f"none so far in {_plural(so_far.words, 'word')}"
    words = ", ".join(f"{word} ×{count}" for word, count in sorted(so_far.by_word.items()))
    return f"{so_far.total} so far ({words}) in {_plural(so_far.words, 'word')}"


def row_texts(delivery: LocalDelivery, so_far: FillerCount | None = None) -> dict[str, str]:
    """The panel's rows as the user reads them."""
    face_seen = delivery.face_visible > 0
    pace = "too little speech" if delivery.pace_wpm is None else f"{round(delivery.pace_wpm)} words/min"
    pauses = "none over 0.4 s"
    if delivery.pauses:
        pauses = f"{delivery.pauses}, longest {delivery.longest_pause_s:.1f} s"
    return {
        "Eye contact": f"{_pct(delivery.eye_contact)} · turned away {_pct(delivery.head_turned_away)}"
        if face_seen
        else NO_FACE,
        "Smiling": _pct(delivery.smiling) if face_seen else NO_FACE,
        "Head": f"{_plural(delivery.nods, 'nod')} · {_plural(delivery.head_shakes, 'shake')}"
        if face_seen
        else NO_FACE,
        "Distance": distance_text(delivery.face_width),
        "Pace": f"{pace} · speaking {_pct(delivery.speaking)}",
        "Pauses": pauses,
        "Voice": pitch_text(delivery),
        "Filler words": fillers_text(delivery, so_far),
    }


def compact_line(delivery: LocalDelivery | None, so_far: FillerCount | None = None) -> str:
    """One short line for the compact window (it fits its default width)."""
    if delivery is None:
        return ""
    parts = [f"eye contact {_pct(delivery.eye_contact)}" if delivery.face_visible > 0 else NO_FACE]
    if delivery.pace_wpm is not None:
        parts.append(f"{round(delivery.pace_wpm)} wpm")
    if delivery.fillers is not None and so_far is not None:
        parts.append(_plural(so_far.total, "filler"))
    return " · ".join(parts)


class DeliveryPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deliveryPanel")
        self._shown: tuple[LocalDelivery | None, FillerCount | None] = (None, None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        title = QLabel("Delivery")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        self._details = QWidget()
        grid = QGridLayout(self._details)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self._values: dict[str, QLabel] = {}
        for row, name in enumerate(ROWS):
            label = QLabel(name)
            label.setObjectName("dimension")
            value = QLabel("–")
            value.setObjectName("deliveryValue")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self._values[name] = value
        grid.setColumnStretch(1, 1)
        layout.addWidget(self._details)
        layout.addStretch(1)
        self._details.setVisible(False)

    def set_delivery(self, delivery: LocalDelivery | None, so_far: FillerCount | None = None) -> None:
        """Shows the latest stretch's figures (None: nothing measured yet) and the session's
        filler words so far."""
        if (delivery, so_far) == self._shown:
            return
        self._shown = (delivery, so_far)
        self.empty_label.setVisible(delivery is None)
        self._details.setVisible(delivery is not None)
        if delivery is None:
            return
        for name, text in row_texts(delivery, so_far).items():
            self._values[name].setText(text)

    def value_text(self, row: str) -> str:
        return self._values[row].text()
