"""InputCheck warns about dark or frozen pictures and silence, and says when they are gone."""

from __future__ import annotations

import numpy as np

from capture.input_check import InputCheck
from capture.media import AUDIO_RATE_HZ, AudioChunk, VideoFrame

FPS = 10


def frames(start_s: float, seconds: float, make) -> list[VideoFrame]:  # type: ignore[no-untyped-def]
    count = int(seconds * FPS)
    return [VideoFrame(make(i), start_s + i / FPS) for i in range(count)]


def noise(i: int) -> np.ndarray:
    return np.random.default_rng(i).integers(0, 255, (48, 64, 3), dtype=np.uint8)


def dark(i: int) -> np.ndarray:
    return np.full((48, 64, 3), 6, dtype=np.uint8)


def still(i: int) -> np.ndarray:
    return noise(0)


def record() -> tuple[InputCheck, list[tuple[str, bool]]]:
    changes: list[tuple[str, bool]] = []
    return InputCheck(lambda condition, active: changes.append((condition, active))), changes


def test_a_dark_picture_is_reported_after_it_lasts_and_cleared_when_light_returns() -> None:
    check, changes = record()
    for frame in frames(0, 2, noise) + frames(2, 3, dark):
        check.video_frame(frame)
    assert ("dark", True) not in changes  # three seconds is not yet "a while"
    for frame in frames(5, 3, dark):
        check.video_frame(frame)
    assert ("dark", True) in changes
    assert check.active() >= {"dark"}
    for frame in frames(8, 6, noise):
        check.video_frame(frame)
    assert ("dark", False) in changes
    assert "dark" not in check.active()


def test_a_frozen_picture_is_reported_but_a_moving_one_is_not() -> None:
    check, changes = record()
    for frame in frames(0, 6, noise):
        check.video_frame(frame)
    assert changes == []
    for frame in frames(6, 6, still):
        check.video_frame(frame)
    assert ("frozen", True) in changes
    assert ("dark", True) not in changes


def test_silence_is_reported_and_a_voice_clears_it() -> None:
    check, changes = record()
    chunk = AUDIO_RATE_HZ // 50
    t = np.arange(chunk) / AUDIO_RATE_HZ
    tone = (3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    for i in range(300):  # 6 s of silence
        check.audio_chunk(AudioChunk(np.zeros(chunk, np.int16), i / 50))
    assert changes == [("silent", True)]
    for i in range(300, 600):
        check.audio_chunk(AudioChunk(tone, i / 50))
    assert changes == [("silent", True), ("silent", False)]


def test_audio_is_not_judged_when_there_is_no_microphone() -> None:
    changes: list[tuple[str, bool]] = []
    check = InputCheck(lambda c, a: changes.append((c, a)), check_audio=False)
    for i in range(600):
        check.audio_chunk(AudioChunk(np.zeros(960, np.int16), i / 50))
    assert changes == []
