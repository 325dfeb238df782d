"""The Delivery panel renders Local analysis's delivery figures: from a real analysed segment (the
astronaut reading LibriVox's words), and the note when filler words cannot be counted."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from support import recordings as rec

import bench.clips as seg
from app.model.delivery import FILLERS_NEED_SPEECH_EXTRA, FillerCount, LocalDelivery
from widgets.delivery_panel import EMPTY_TEXT, NO_FACE, DeliveryPanel, compact_line

pytestmark = pytest.mark.timeout(120)


def _analysed() -> LocalDelivery:
    from app.analyzer import face_landmarks, fillers
    from app.analyzer.analysis import analyse_segment

    read = rec.librivox()[0].samples[: 5 * rec.RATE]
    sound = rec.to_48k(read / float(abs(read).max()) * 0.5)
    try:
        return analyse_segment(seg.encode_webm(5.0, seg.with_noise(seg.still_face), sound)).delivery
    finally:
        face_landmarks.close_idle()
        fillers.close_idle()


def _panel(qtbot: QtBot) -> DeliveryPanel:
    panel = DeliveryPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 360)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_panel_shows_a_real_segments_figures(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    assert panel.empty_label.isVisible() and panel.empty_label.text() == EMPTY_TEXT
    delivery = _analysed()
    panel.set_delivery(delivery, delivery.fillers)
    assert not panel.empty_label.isVisible()
    eye_contact, turned_away = panel.value_text("Eye contact").split(" · ")
    assert int(eye_contact.removesuffix("%")) >= 90 and turned_away == "turned away 0%"
    assert panel.value_text("Distance") == "good"
    assert " words/min · speaking " in panel.value_text("Pace")
    assert "Hz" in panel.value_text("Voice") and "semitones" in panel.value_text("Voice")
    fillers = panel.value_text("Filler words")
    assert (
        fillers == FILLERS_NEED_SPEECH_EXTRA
        if delivery.fillers is None
        else fillers.startswith("none so far in")
    )
    line = compact_line(delivery, delivery.fillers)
    assert line.startswith("eye contact ") and "wpm" in line


def test_without_a_face_or_the_speech_extra_the_panel_says_so_instead_of_zeros(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    faceless = LocalDelivery(
        start=0.0, end=4.0, face_visible=0.0, speaking=0.2, fillers_note=FILLERS_NEED_SPEECH_EXTRA
    )
    panel.set_delivery(faceless)
    assert panel.value_text("Eye contact") == NO_FACE and panel.value_text("Distance") == NO_FACE
    assert panel.value_text("Pace") == "too little speech · speaking 20%"
    assert panel.value_text("Filler words") == FILLERS_NEED_SPEECH_EXTRA
    assert compact_line(faceless) == NO_FACE
    latest = FillerCount(total=0, words=0, speech_s=0.0)
    counted = faceless.model_copy(update={"fillers": latest, "fillers_note": None})
    so_far = FillerCount(total=3, by_word={"um": 2, "uh": 1}, words=40, speech_s=14.0)
    panel.set_delivery(counted, so_far)
    # The latest stretch heard no utterance end: the row says the session's count, not its zero.
    assert panel.value_text("Filler words") == "3 so far (uh ×1, um ×2) in 40 words"
    assert compact_line(counted, so_far).endswith("3 fillers")
    panel.set_delivery(None)
    assert panel.empty_label.isVisible()
