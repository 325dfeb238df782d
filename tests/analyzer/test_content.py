"""The analysis reads the segment's real content: segments made with PyAV from real photographs,
synthetic speech and test cards, decoded and measured as the server does."""

from __future__ import annotations

import pytest
from support.analyzer_helpers import Clips

import bench.clips as seg
from app.analyzer.analysis import analyse_segment
from app.analyzer.decode import decode_segment
from app.analyzer.rules import Interpretation
from app.analyzer.vision import PictureSummary, measure_picture
from app.analyzer.voice import VoiceSummary, measure_voice

pytestmark = pytest.mark.timeout(120)


def _cues(data: bytes) -> tuple[PictureSummary, VoiceSummary]:
    decoded = decode_segment(data)
    picture = measure_picture(decoded.frames).summary(0.0, decoded.duration_s)
    voice = measure_voice(decoded.audio).summary(0.0, decoded.duration_s)
    return picture, voice


def _states(found: Interpretation) -> list[str]:
    return [window.state for window in found.engagement]


def _signal(found: Interpretation, kind: str) -> tuple[str, str] | None:
    matches = [(s.probability or "", s.rationale or "") for s in found.signals if s.type == kind]
    return matches[0] if matches else None


def test_a_face_free_test_card_is_disengaged(clips: Clips) -> None:
    data = clips.get("card_silent_4s")
    picture, _ = _cues(data)
    assert picture.face_ratio == 0.0
    assert picture.dark_ratio == 0.0 and picture.frozen_ratio == 0.0  # it lacks only a face
    found = analyse_segment(data)
    assert _states(found) == ["disengaged", "disengaged"]
    disengagement = _signal(found, "disengagement")
    assert disengagement is not None and disengagement[0] == "high"
    assert "face missing 100%" in disengagement[1]
    assert _signal(found, "engagement") is None


def test_a_modulated_harmonic_tone_has_a_higher_voice_ratio_than_silence_or_hum(clips: Clips) -> None:
    _, speaking = _cues(clips.get("still_face_voice_4s"))
    _, silent = _cues(clips.get("still_face_silent_4s"))
    _, hum = _cues(clips.get("still_face_hum_4s"))
    assert speaking.speech_ratio > 0.5
    assert silent.speech_ratio == 0.0
    assert hum.speech_ratio < 0.1  # steady noise, however loud, is the floor, not a voice
    assert speaking.pitch_spread_st is not None and 1.0 < speaking.pitch_spread_st < 4.0
    assert analyse_segment(clips.get("still_face_voice_4s")).engagement[0].state == "engaged"
    assert analyse_segment(clips.get("still_face_silent_4s")).engagement[0].state == "neutral"


def test_espeak_speech_has_a_higher_voice_ratio_than_silence(clips: Clips) -> None:
    voice = seg.speech(4.0)
    if voice is None:
        pytest.skip("espeak-ng is not installed")
    _, speaking = _cues(seg.encode_webm(4.0, seg.with_noise(seg.still_face), voice))
    _, silent = _cues(clips.get("still_face_silent_4s"))
    assert speaking.speech_ratio > 0.5 > silent.speech_ratio
    assert speaking.utterances >= 1 and speaking.pitch_spread_st is not None


def test_a_frozen_picture_is_detected_and_a_live_still_one_is_not(clips: Clips) -> None:
    picture, _ = _cues(clips.get("frozen_voice_4s"))
    assert picture.frozen_ratio == 1.0 and picture.face_ratio > 0.9
    found = analyse_segment(clips.get("frozen_voice_4s"))
    assert _states(found) == ["disengaged", "disengaged"]
    disengagement = _signal(found, "disengagement")
    assert disengagement is not None and "frozen 100%" in disengagement[1]
    live, _ = _cues(clips.get("still_face_silent_4s"))
    assert live.frozen_ratio < 0.2


def test_a_dark_picture_is_detected(clips: Clips) -> None:
    picture, _ = _cues(clips.get("dark_voice_4s"))
    assert picture.dark_ratio == 1.0
    found = analyse_segment(clips.get("dark_voice_4s"))
    assert _states(found) == ["disengaged", "disengaged"]
    disengagement = _signal(found, "disengagement")
    assert disengagement is not None and "picture dark 100%" in disengagement[1]
    card, _ = _cues(clips.get("card_silent_4s"))
    assert card.dark_ratio == 0.0


def test_a_real_face_is_found_and_its_nod_is_seen(clips: Clips) -> None:
    picture, _ = _cues(clips.get("nod_silent_4s"))
    assert picture.face_ratio > 0.9
    assert 0.1 < picture.face_width < 0.35
    assert picture.nod_swings >= 4  # 1.5 nods a second for 4 s: about 12 movements
    found = analyse_segment(clips.get("nod_silent_4s"))
    # Silent, but nodding with the face in view: engaged and interested.
    assert _states(found) == ["engaged", "engaged"]
    interest = _signal(found, "interest")
    assert interest is not None and "nod movements" in interest[1]
    still, _ = _cues(clips.get("still_face_silent_4s"))
    assert still.face_ratio > 0.9 and still.nod_swings == 0


def test_a_face_moving_sideways_and_zooming_is_found_without_a_nod(clips: Clips) -> None:
    picture, _ = _cues(clips.get("pan_silent_4s"))
    assert picture.face_ratio > 0.9
    assert picture.nod_swings == 0
    assert _states(analyse_segment(clips.get("pan_silent_4s"))) == ["neutral", "neutral"]


def test_a_face_from_the_lfw_photographs_is_found(clips: Clips) -> None:
    picture, _ = _cues(clips.get("lfw_silent_3s"))
    assert picture.face_ratio > 0.8


def test_long_pauses_in_speech_read_as_hesitation_and_fluent_speech_as_confidence(clips: Clips) -> None:
    halting = analyse_segment(clips.get("still_face_halting_5s"))
    fluent = analyse_segment(clips.get("still_face_fluent_5s"))
    hesitation = _signal(halting, "hesitation")
    assert hesitation is not None and hesitation[1].startswith("2 pauses longer than 0.4 s")
    assert _signal(fluent, "hesitation") is None
    confidence = _signal(fluent, "confidence")
    assert confidence is not None and confidence[0] == "high"
    assert fluent.quality.scores.clarity > halting.quality.scores.clarity
