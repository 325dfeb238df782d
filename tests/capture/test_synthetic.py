"""The synthetic source: exact timestamps, the sync marks, realtime pacing, and a clean stop."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import numpy as np
import pytest
from support.media_checks import tone_magnitude
from support.media_files import RecordingSink, dominant_frequency

from capture.media import AUDIO_RATE_HZ, AudioChunk, CaptureError, SessionClock
from capture.synthetic import (
    BEEP_SAMPLES,
    CHUNK_SAMPLES,
    SyntheticSource,
    is_flash_frame,
    tone_samples,
)


def run_fast(source: SyntheticSource) -> RecordingSink:
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    assert source.join(30), "the synthetic source did not finish"
    source.stop()
    return sink


def no_source_thread_left() -> bool:
    return not any(t.name == "synthetic-source" for t in threading.enumerate())


def dbfs(samples: np.ndarray) -> float:
    as_float = samples.astype(np.float64) / 32768
    return 20 * np.log10(np.sqrt(np.mean(as_float**2)))


@pytest.mark.timeout(60)
def test_fast_mode_delivers_exactly_the_duration_with_exact_timestamps() -> None:
    source = SyntheticSource(160, 120, fps=30.0, realtime=False, duration_s=2.5)
    sink = run_fast(source)

    assert sink.finished == ["synthetic"]
    assert len(sink.frames) == 75
    assert [f.t for f in sink.frames] == [n / 30.0 for n in range(75)]
    assert all(f.image.shape == (120, 160, 3) and f.image.dtype == np.uint8 for f in sink.frames)
    assert all(f.image.flags.c_contiguous for f in sink.frames)
    assert sink.audio_samples == round(2.5 * AUDIO_RATE_HZ)
    starts = np.cumsum([0] + [len(c.samples) for c in sink.chunks[:-1]])
    assert [c.t for c in sink.chunks] == [s / AUDIO_RATE_HZ for s in starts]
    assert {len(c.samples) for c in sink.chunks[:-1]} == {CHUNK_SAMPLES}
    assert all(c.samples.dtype == np.int16 for c in sink.chunks)
    assert no_source_thread_left()


@pytest.mark.timeout(60)
def test_audio_and_video_arrive_interleaved_in_time_order() -> None:
    times: list[float] = []

    class TimeSink(RecordingSink):
        def video_frame(self, frame):
            times.append(frame.t)

        def audio_chunk(self, chunk):
            times.append(chunk.t)

    source = SyntheticSource(64, 48, fps=25.0, realtime=False, duration_s=1.0)
    sink = TimeSink()
    source.start(SessionClock(), sink)
    assert source.join(30)
    assert times == sorted(times)
    assert len(times) == 25 + 50


@pytest.mark.timeout(60)
def test_one_white_frame_at_each_whole_second_and_a_moving_card_between() -> None:
    sink = run_fast(SyntheticSource(320, 240, fps=30.0, realtime=False, duration_s=3.2))
    white = [i for i, f in enumerate(sink.frames) if (f.image == 255).all()]
    assert white == [0, 30, 60, 90]
    card = [f.image for i, f in enumerate(sink.frames) if i not in white]
    assert all(image.mean() < 200 for image in card)
    differences = [np.abs(a.astype(int) - b).mean() for a, b in pairwise(card)]
    assert min(differences) > 1.0, "consecutive frames should differ: the card moves"
    assert card[0].std() > 30, "the card should have detail, not a flat colour"


def test_flash_frames_fall_on_or_just_after_whole_seconds_at_any_rate() -> None:
    for fps in (30.0, 29.97, 25.0, 12.5, 0.5):
        flashes = [n for n in range(200) if is_flash_frame(n, fps)]
        seconds = [n / fps for n in flashes]
        assert flashes[0] == 0
        for second, t in enumerate(seconds):
            if fps >= 1:
                assert second <= t < second + 1 / fps + 1e-9


@pytest.mark.timeout(60)
def test_the_same_frames_every_time() -> None:
    first = run_fast(SyntheticSource(96, 64, fps=30.0, realtime=False, duration_s=0.5))
    second = run_fast(SyntheticSource(96, 64, fps=30.0, realtime=False, duration_s=0.5))
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first.frames, second.frames, strict=True))
    assert np.array_equal(first.audio(), second.audio())


def test_a_50_ms_1_khz_beep_each_second_and_a_quiet_220_hz_tone_between() -> None:
    audio = tone_samples(0, 3 * AUDIO_RATE_HZ)
    for second in range(3):
        start = second * AUDIO_RATE_HZ
        beep = audio[start : start + BEEP_SAMPLES]
        assert dominant_frequency(beep) == pytest.approx(1000, abs=25)
        assert dbfs(beep) == pytest.approx(-9.0, abs=0.5)  # a sine peaking at -6 dBFS
        hum = audio[start + BEEP_SAMPLES + 480 : start + AUDIO_RATE_HZ]
        assert dominant_frequency(hum) == pytest.approx(220, abs=2)
        assert dbfs(hum) == pytest.approx(-33.0, abs=0.5)
    onset = tone_magnitude(audio[: BEEP_SAMPLES * 2] / 32768, AUDIO_RATE_HZ, 1000.0)
    assert onset[BEEP_SAMPLES - 200] > 0.2 > onset[BEEP_SAMPLES + 200]


def test_audio_is_the_same_however_it_is_chunked() -> None:
    whole = tone_samples(1000, 5000)
    pieces = np.concatenate([tone_samples(1000, 1234), tone_samples(2234, 3766)])
    assert np.array_equal(whole, pieces)


@pytest.mark.timeout(60)
def test_realtime_mode_waits_for_the_clock() -> None:
    clock = SessionClock()
    lateness: list[float] = []

    class ClockSink(RecordingSink):
        def video_frame(self, frame):
            lateness.append(clock.now() - frame.t)
            super().video_frame(frame)

        def audio_chunk(self, chunk):
            lateness.append(clock.now() - chunk.t)
            super().audio_chunk(chunk)

    source = SyntheticSource(64, 48, fps=20.0, realtime=True, duration_s=0.6)
    sink = ClockSink()
    began = time.monotonic()
    source.start(clock, sink)
    assert source.join(10)
    elapsed = time.monotonic() - began
    assert elapsed >= 0.55, "a realtime source must not run ahead of the clock"
    assert min(lateness) >= 0.0
    assert len(sink.frames) == 12
    assert sink.finished == ["synthetic"]


@pytest.mark.timeout(30)
def test_stop_ends_an_endless_source_promptly_and_is_idempotent() -> None:
    source = SyntheticSource(64, 48, realtime=True)
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    deadline = time.monotonic() + 5
    while not sink.frames and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    source.stop()
    assert time.monotonic() - began < 1.0
    source.stop()
    delivered = len(sink.frames)
    time.sleep(0.1)
    assert len(sink.frames) == delivered, "nothing may be delivered after stop()"
    assert sink.finished == []
    assert no_source_thread_left()


@pytest.mark.timeout(30)
def test_stop_ends_an_endless_fast_source() -> None:
    source = SyntheticSource(64, 48, realtime=False)
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    time.sleep(0.1)
    source.stop()
    assert len(sink.frames) > 10
    assert no_source_thread_left()


@pytest.mark.timeout(30)
def test_a_failing_sink_ends_the_source_with_an_error_for_the_user() -> None:
    class BrokenSink(RecordingSink):
        def audio_chunk(self, chunk: AudioChunk) -> None:
            raise RuntimeError("consumer broke")

    source = SyntheticSource(64, 48, realtime=False, duration_s=1.0)
    sink = BrokenSink()
    source.start(SessionClock(), sink)
    assert source.join(10)
    assert len(sink.errors) == 1
    assert isinstance(sink.errors[0], CaptureError)
    assert sink.errors[0].source == "synthetic"
    assert "start again" in str(sink.errors[0])
    assert sink.finished == []


def test_info_describes_the_signal() -> None:
    info = SyntheticSource(320, 240, fps=25.0).info()
    assert (info.name, info.video, info.audio) == ("synthetic", True, True)
    assert (info.width, info.height, info.fps) == (320, 240, 25.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"width": 8}, {"height": 0}, {"fps": 0.0}, {"duration_s": 0.0}, {"duration_s": -1.0}],
)
def test_bad_settings_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        SyntheticSource(**kwargs)


@pytest.mark.timeout(30)
def test_a_source_starts_once() -> None:
    source = SyntheticSource(64, 48, realtime=False, duration_s=0.1)
    source.start(SessionClock(), RecordingSink())
    try:
        with pytest.raises(RuntimeError):
            source.start(SessionClock(), RecordingSink())
    finally:
        source.stop()
