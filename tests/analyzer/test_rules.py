"""The measurements and rules on their own: windows, states, bands, quality without evidence, the
nod detector on known head paths, and pitch on known sounds (real recordings: test_voice_measures)."""

from __future__ import annotations

import numpy as np
import pytest

from app.analyzer import thresholds as th
from app.analyzer.face_tracking import FaceSample
from app.analyzer.rules import engagement_state, probability, quality, split_windows, toward
from app.analyzer.vision import PictureSample, PictureSummary, count_nod_swings
from app.analyzer.voice import VoiceSummary, measure_voice

RATE = th.AUDIO_RATE_HZ


def _picture(**changes: float) -> PictureSummary:
    values: dict[str, float] = {
        "samples": 16,
        "face_ratio": 1.0,
        "face_width": 0.2,
        "nod_swings": 0,
        "motion": 2.0,
        "dark_ratio": 0.0,
        "frozen_ratio": 0.0,
        "lost_ratio": 0.0,
        "eye_contact_ratio": 1.0,
    }
    values.update(changes)
    return PictureSummary(**values)  # type: ignore[arg-type]


def _voice(**changes: object) -> VoiceSummary:
    values: dict[str, object] = {
        "seconds": 2.0,
        "speech_ratio": 0.0,
        "voiced_s": 0.0,
        "pauses": 0,
        "longest_pause_s": 0.0,
        "loudness_spread_db": 0.0,
        "pitch_spread_st": None,
        "utterances": 0,
        "rising_endings": 0,
    }
    values.update(changes)
    return VoiceSummary(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration_s", "expected"),
    [
        (4.0, [(0.0, 2.0), (2.0, 4.0)]),
        (3.0, [(0.0, 1.5), (1.5, 3.0)]),
        (5.0, [(0.0, 1.667), (1.667, 3.333), (3.333, 5.0)]),
        (2.0, [(0.0, 2.0)]),
    ],
)
def test_windows_are_equal_contiguous_and_at_most_two_seconds(
    duration_s: float, expected: list[tuple[float, float]]
) -> None:
    assert split_windows(duration_s) == expected


def test_engagement_state_rules() -> None:
    speaking = _voice(speech_ratio=0.6, voiced_s=1.2)
    assert engagement_state(_picture(), speaking) == "engaged"
    assert engagement_state(_picture(nod_swings=2), _voice()) == "engaged"
    assert engagement_state(_picture(), _voice(speech_ratio=0.1)) == "neutral"
    assert engagement_state(_picture(face_ratio=0.4), speaking) == "disengaged"
    assert engagement_state(_picture(lost_ratio=0.75, frozen_ratio=0.75), speaking) == "disengaged"
    assert engagement_state(_picture(face_ratio=0.0, samples=0), _voice()) == "disengaged"
    # Eye contact decides between speaking to someone and speaking past them.
    assert engagement_state(_picture(eye_contact_ratio=0.2), speaking) == "disengaged"  # eyes away
    assert engagement_state(_picture(turned_away_ratio=0.7, eye_contact_ratio=0.0), speaking) == "disengaged"
    assert engagement_state(_picture(eye_contact_ratio=0.6), speaking) == "engaged"
    assert engagement_state(_picture(eye_contact_ratio=0.4, turned_away_ratio=0.2), speaking) == "neutral"
    assert engagement_state(_picture(eye_contact_ratio=0.3, nod_swings=3), _voice()) == "disengaged"


def test_probability_bands_and_the_linear_ramp() -> None:
    assert [probability(s) for s in (0.0, 0.24, 0.25, 0.45, 0.69, 0.7, 1.0)] == [
        None,
        None,
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    assert toward(0.35, 0.1, 0.6) == pytest.approx(0.5)
    assert (toward(-1.0, 0.1, 0.6), toward(9.0, 0.1, 0.6)) == (0.0, 1.0)


def test_quality_is_50_everywhere_without_evidence_and_its_index_is_the_mean() -> None:
    nothing = quality(_picture(face_ratio=0.0, dark_ratio=1.0, lost_ratio=1.0, motion=0.0), _voice())
    assert set(nothing.scores.model_dump().values()) == {50.0}
    assert set(nothing.evidence.values()) == {0.0}
    fluent = quality(
        _picture(nod_swings=3),
        _voice(speech_ratio=0.8, voiced_s=1.6, loudness_spread_db=6.0, pitch_spread_st=3.0),
    )
    scores = fluent.scores
    assert all(10.0 <= v <= 90.0 for v in scores.model_dump().values())
    assert scores.clarity > 80 and scores.rapport > 80
    dimensions = (scores.clarity, scores.authority, scores.energy, scores.rapport, scores.learning)
    assert scores.quality_index == pytest.approx(sum(dimensions) / 5, abs=0.06)


def _face(cx: float, cy: float, *, yaw_deg: float = 0.0, pitch_deg: float = 15.0) -> FaceSample:
    return FaceSample(cx, cy, 0.2, 0.25, yaw_deg, pitch_deg, 0.05, 0.1, 0.1, 0.1)


def _head_path(ys: list[float], xs: list[float] | None = None, step_s: float = 0.125) -> list[PictureSample]:
    xs = xs or [0.5] * len(ys)
    return [
        PictureSample(i * step_s, _face(x, y), 120.0, 3.0, False, False)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]


def test_nods_are_quick_vertical_swings_of_the_face() -> None:
    t = np.arange(32) * 0.125
    nod = list(0.4 + 0.05 * np.sin(2 * np.pi * 1.5 * t))  # ±0.2 face heights at 1.5 Hz
    assert count_nod_swings(_head_path(nod)) >= 8
    jitter = list(0.4 + 0.004 * np.random.default_rng(3).standard_normal(32))
    assert count_nod_swings(_head_path(jitter)) == 0
    slow = list(0.3 + 0.1 * t / 4)  # a slow drift downwards: repositioning, not a nod
    assert count_nod_swings(_head_path(slow)) == 0
    shake = list(0.5 + 0.08 * np.sin(2 * np.pi * 1.5 * t))  # sideways, with a little vertical travel
    assert count_nod_swings(_head_path([0.4 + 0.25 * (x - 0.5) for x in shake], xs=shake)) == 0
    faceless = [PictureSample(s.t, None, 120.0, 3.0, False, False) for s in _head_path(nod)]
    broken = [
        with_face if i % 2 else without
        for i, (with_face, without) in enumerate(zip(_head_path(nod), faceless, strict=True))
    ]
    assert count_nod_swings(broken) == 0  # no two face samples in a row


def _tone(seconds: float, pitch_hz: float, level: float = 0.2) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * sum(np.sin(2 * np.pi * k * pitch_hz * t) / k for k in range(1, 6))).astype(np.float32)


def test_pitch_of_a_harmonic_tone_is_found() -> None:
    quiet = np.zeros(round(0.4 * RATE), np.float32)
    for pitch_hz in (90.0, 150.0, 240.0):
        # Between silences: a sound that never stops is the noise floor, not a voice.
        track = measure_voice(np.concatenate([quiet, _tone(1.0, pitch_hz), quiet]))
        found = track.pitch_hz[~np.isnan(track.pitch_hz)]
        assert len(found) > 30
        assert np.median(found) == pytest.approx(pitch_hz, rel=0.02)
