"""Audio and video stay aligned through the encoder: the synthetic source's white flash and 1 kHz
beep start at the same instant, so in every decoded segment they must coincide (within a frame)."""

from __future__ import annotations

import random

import pytest
from support.media_checks import EncoderSink, decode_segment, encode_source, find_beeps, find_flashes

from capture.encoder import EncoderConfig
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment
from capture.synthetic import SyntheticSource


def sync_marks(segment: Segment) -> list[tuple[float, float]]:
    """(flash, beep) session times, paired, for every mark in the segment."""
    decoded = decode_segment(segment.data)
    flashes = [segment.t0 + t for t in find_flashes(decoded)]
    beeps = [segment.t0 + t for t in find_beeps(decoded.audio, decoded.audio_rate, decoded.audio_start_s)]
    assert len(flashes) == len(beeps), f"segment {segment.index}: flashes {flashes}, beeps {beeps}"
    return list(zip(flashes, beeps, strict=True))


def assert_in_sync(segments: list[Segment], fps: float, beep_tolerance_s: float) -> None:
    frame_s = 1 / fps
    checked = 0
    for segment in segments:
        marks = sync_marks(segment)
        assert len(marks) >= 3, f"segment {segment.index} should hold at least 3 marks"
        for flash, beep in marks:
            assert abs(flash - beep) <= frame_s, (
                f"segment {segment.index}: flash {flash:.4f}, beep {beep:.4f}"
            )
            second = round(beep)
            assert abs(beep - second) <= beep_tolerance_s, f"beep at {beep:.4f} s, not at {second} s"
            assert second <= flash + 1e-6 < second + frame_s, f"flash at {flash:.4f} s, not at {second} s"
            checked += 1
    assert checked >= 3 * len(segments)


@pytest.mark.timeout(120)
def test_flash_and_beep_coincide_in_every_segment() -> None:
    run = encode_source(
        SyntheticSource(640, 480, fps=30.0, realtime=False, duration_s=13.0),
        EncoderConfig(block_when_full=True, queue_frames=8),
    )
    assert len(run.segments) == 3
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)


@pytest.mark.timeout(120)
def test_in_sync_with_vp9_five_second_segments_at_25_fps() -> None:
    run = encode_source(
        SyntheticSource(320, 240, fps=25.0, realtime=False, duration_s=10.5),
        EncoderConfig(codec="vp9", segment_s=5.0, width=320, height=240, fps=25.0, block_when_full=True),
    )
    assert len(run.segments) == 2
    assert_in_sync(run.segments, 25.0, beep_tolerance_s=0.002)


@pytest.mark.timeout(120)
def test_in_sync_when_segments_do_not_start_on_a_whole_second() -> None:
    class LateVideoStart(EncoderSink):
        """The first input arrives at 0.35 s, so every window starts 0.35 s past a second."""

        def keep_video(self, frame):
            return frame if frame.t >= 0.35 else None

        def keep_audio(self, chunk):
            return chunk if chunk.t >= 0.35 else None

    run = encode_source(
        SyntheticSource(320, 240, fps=30.0, realtime=False, duration_s=12.5),
        EncoderConfig(width=320, height=240, block_when_full=True),
        LateVideoStart,
    )
    assert [round(s.t0, 3) for s in run.segments] == [0.36, 4.36, 8.36]
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)


@pytest.mark.timeout(120)
def test_jittery_audio_stamps_do_not_move_the_audio() -> None:
    class JitteryStamps(EncoderSink):
        """Stamps taken on arrival, as a microphone callback would: off by up to ±12 ms."""

        rng = random.Random(7)

        def keep_audio(self, chunk: AudioChunk) -> AudioChunk:
            return AudioChunk(chunk.samples, max(0.0, chunk.t + self.rng.uniform(-0.012, 0.012)))

    run = encode_source(
        SyntheticSource(320, 240, fps=30.0, realtime=False, duration_s=12.0),
        EncoderConfig(width=320, height=240, block_when_full=True),
        JitteryStamps,
    )
    assert len(run.segments) == 3
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)
    assert run.stats.silence_samples == 0 and run.stats.audio_samples_late == 0


@pytest.mark.timeout(120)
def test_a_lost_audio_chunk_becomes_silence_and_later_audio_stays_in_place() -> None:
    class LosesOneChunk(EncoderSink):
        def keep_audio(self, chunk: AudioChunk) -> AudioChunk | None:
            return None if round(chunk.t * AUDIO_RATE_HZ) == 2_500 * 48 else chunk

    run = encode_source(
        SyntheticSource(320, 240, fps=30.0, realtime=False, duration_s=12.0),
        EncoderConfig(width=320, height=240, block_when_full=True),
        LosesOneChunk,
    )
    assert len(run.segments) == 3
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)
    assert run.stats.silence_samples == 960


@pytest.mark.timeout(120)
def test_a_stalled_microphone_leaves_silence_and_the_audio_after_it_in_place() -> None:
    class StalledMicrophone(EncoderSink):
        def keep_audio(self, chunk: AudioChunk) -> AudioChunk | None:
            return None if 5.2 <= chunk.t < 5.7 else chunk

    run = encode_source(
        SyntheticSource(320, 240, fps=30.0, realtime=False, duration_s=12.0),
        EncoderConfig(width=320, height=240, block_when_full=True),
        StalledMicrophone,
    )
    assert len(run.segments) == 3
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)
    assert run.stats.silence_samples == AUDIO_RATE_HZ // 2
    assert run.segments[1].audio_samples == 3.5 * AUDIO_RATE_HZ


@pytest.mark.timeout(60)
def test_in_sync_from_a_realtime_source_through_the_live_queue_settings() -> None:
    run = encode_source(
        SyntheticSource(320, 240, fps=30.0, realtime=True, duration_s=6.5),
        EncoderConfig(segment_s=3.0, width=320, height=240),
    )
    assert len(run.segments) == 2
    assert run.stats.video_frames_dropped == run.stats.audio_chunks_dropped == 0
    assert_in_sync(run.segments, 30.0, beep_tolerance_s=0.002)
