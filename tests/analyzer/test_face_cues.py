"""The face cues on a real photograph (scikit-image's astronaut) moved, scaled, rolled, covered and
turned frame by frame, encoded to VP8 and decoded as the server does."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from support import faces

import bench.clips as seg
from app.analyzer import gaze
from app.analyzer.analysis import analyse_segment
from app.analyzer.decode import decode_segment
from app.analyzer.vision import PictureTrack, measure_picture

pytestmark = pytest.mark.timeout(300)


def _track(picture: seg.Picture, seconds: float = 4.0) -> PictureTrack:
    return measure_picture(decode_segment(seg.encode_webm(seconds, picture, seg.silence(seconds))).frames)


def _present(track: PictureTrack, start_s: float = 0.0, end_s: float = 99.0) -> float:
    part = [s for s in track.samples if start_s <= s.t < end_s]
    return sum(s.face is not None for s in part) / len(part)


def _wandering(t: float) -> np.ndarray:
    """Moving about the picture, nearer and farther, leaning her head from side to side."""
    return faces.moved(
        dx=round(90 * math.sin(2 * math.pi * 0.3 * t)),
        dy=round(40 * math.sin(2 * math.pi * 0.45 * t)),
        scale=0.75 + 0.35 * (0.5 + 0.5 * math.sin(2 * math.pi * 0.2 * t)),
        roll_deg=25 * math.sin(2 * math.pi * 0.35 * t),
    )


def test_a_face_moving_scaling_and_rolling_is_present_in_nearly_every_sample() -> None:
    track = _track(seg.with_noise(_wandering))
    presence = _present(track)
    print(f"face present in {presence:.0%} of {len(track.samples)} samples while moving, scaling and rolling")
    assert presence >= 0.95
    assert analyse_segment(seg.encode_webm(4.0, _wandering, seg.silence(4.0))).delivery.face_visible >= 0.95


def test_a_covered_face_is_absent_while_covered_and_present_around_it() -> None:
    def picture(t: float) -> np.ndarray:
        frame = faces.frontal()
        return faces.covered(frame) if 1.5 <= t < 3.0 else frame

    track = _track(seg.with_noise(picture))
    assert _present(track, 0.0, 1.5) >= 0.95 and _present(track, 3.0) >= 0.95
    # Not bridged over: a whole second and a half is far longer than a blink of the detector.
    assert _present(track, 1.7, 2.9) == 0.0


def test_a_far_away_face_is_found_by_the_cascade_and_read_by_the_landmarker() -> None:
    for share in (0.10, 0.12):
        track = _track(seg.with_noise(lambda _t, share=share: faces.small(share)), seconds=3.0)
        presence = _present(track)
        widths = [s.face.width for s in track.samples if s.face is not None]
        print(f"face {share:.0%} of the picture wide: present in {presence:.0%} of the samples")
        assert presence >= 0.95
        assert float(np.median(widths)) == pytest.approx(share, rel=0.15)


def test_a_face_looking_into_the_camera_has_eye_contact_and_her_smile_is_seen() -> None:
    summary = _track(seg.with_noise(lambda _t: faces.frontal())).summary(0.0, 4.0)
    assert summary.face_ratio >= 0.95
    assert summary.eye_contact_ratio >= 0.9
    assert summary.turned_away_ratio == 0.0
    assert summary.smile_ratio >= 0.9  # the astronaut smiles in the photograph
    assert summary.nod_swings == 0 and summary.shake_swings == 0


def test_a_head_turned_60_degrees_is_turned_away_and_one_turned_15_is_not() -> None:
    for yaw in (60.0, -60.0):
        summary = _track(seg.with_noise(lambda _t, yaw=yaw: faces.turned(yaw)), seconds=3.0).summary(0.0, 3.0)
        # Turned this far the face is either read as turned away or not found at all: either way
        # it does not face the camera, and nobody makes eye contact with it.
        print(f"yaw {yaw:+.0f}°: face {summary.face_ratio:.0%}, turned away {summary.turned_away_ratio:.0%}")
        assert summary.facing_ratio <= 0.05 and summary.eye_contact_ratio == 0.0
    found = analyse_segment(seg.encode_webm(4.0, lambda _t: faces.turned(60.0), seg.silence(4.0)))
    assert [w.state for w in found.engagement] == ["disengaged", "disengaged"]
    slight = _track(seg.with_noise(lambda _t: faces.turned(15.0)), seconds=3.0).summary(0.0, 3.0)
    assert slight.face_ratio >= 0.95 and slight.turned_away_ratio == 0.0


def test_head_pose_follows_a_turned_head() -> None:
    track = _track(lambda t: faces.turned(-30.0 if t < 1.5 else 30.0), seconds=3.0)
    left = [s.face.yaw_deg for s in track.samples if s.face is not None and s.t < 1.4]
    right = [s.face.yaw_deg for s in track.samples if s.face is not None and s.t > 1.6]
    assert len(left) > 8 and len(right) > 8
    # Opposite turns read as opposite yaws, each at least two thirds of the way there.
    assert np.median(left) >= 18 and np.median(right) <= -18


def _swinging(yaw_amplitude: float, pitch_amplitude: float, rate_hz: float = 1.2) -> seg.Picture:
    def picture(t: float) -> np.ndarray:
        swing = math.sin(2 * math.pi * rate_hz * t)
        return faces.turned(round(yaw_amplitude * swing), round(pitch_amplitude * swing))

    return picture


def test_a_head_shake_is_seen_as_shakes_and_a_nod_as_nods() -> None:
    shaking = _track(_swinging(25.0, 0.0)).summary(0.0, 4.0)
    nodding = _track(_swinging(0.0, 15.0)).summary(0.0, 4.0)
    print(f"shaking: {shaking.shake_swings} shakes, {shaking.nod_swings} nods")
    print(f"nodding: {nodding.nod_swings} nods, {nodding.shake_swings} shakes")
    # 1.2 swings a second for 4 s: about 9 movements each way.
    assert shaking.shake_swings >= 5 and shaking.nod_swings <= 1
    assert nodding.nod_swings >= 5 and nodding.shake_swings <= 1


def test_closed_eyes_count_as_a_blink_and_no_eye_contact() -> None:
    track = _track(seg.with_noise(lambda _t: faces.frontal()), seconds=3.0)
    open_eyes = next(s.face for s in track.samples if s.face is not None)
    shut = replace(open_eyes, eyes_closed=0.9)
    assert gaze.count_blinks([open_eyes, shut, shut, open_eyes, shut, open_eyes]) == 2
    assert gaze.count_blinks([open_eyes, replace(shut, bridged=True), open_eyes]) == 0
    assert not gaze.eye_contact(shut) and gaze.eye_contact(open_eyes)
