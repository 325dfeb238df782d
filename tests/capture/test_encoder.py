"""The rolling WebM encoder, with real encoding: the segment contract, cutting, queues and guards."""

from __future__ import annotations

import io
import shutil
from itertools import pairwise

import av
import numpy as np
import pytest
from support.media_checks import (
    FPS,
    FRAME_S,
    EncoderSink,
    assert_all_accounted_for,
    decode_segment,
    encode_source,
    ffprobe,
    no_encoder_thread_left,
    small,
)

from capture.encoder import (
    MAX_SEGMENT_BYTES,
    MIN_SEGMENT_BYTES,
    EncoderConfig,
)
from capture.media import AUDIO_RATE_HZ, AudioChunk
from capture.synthetic import SyntheticSource
from capture.webm import EBML_MAGIC, WebmLayoutError, encode_vint, is_webm, pad_to_size, read_vint


@pytest.mark.timeout(120)
def test_every_segment_is_a_standalone_webm_of_the_contract() -> None:
    source = SyntheticSource(320, 240, fps=FPS, realtime=False, duration_s=21.5)
    run = encode_source(source, small())

    assert run.errors == [] and run.source_errors == []
    assert len(run.segments) == 5
    for n, segment in enumerate(run.segments):
        assert segment.index == n
        assert segment.data[:4] == EBML_MAGIC and is_webm(segment.data)
        assert MIN_SEGMENT_BYTES <= segment.size_bytes <= MAX_SEGMENT_BYTES
        decoded = decode_segment(segment.data)
        assert decoded.video_codec == "vp8" and decoded.first_packet_keyframe
        assert (decoded.width, decoded.height) == (320, 240)
        assert len(decoded.video_times) == segment.video_frames == 120
        assert all(b > a for a, b in pairwise(decoded.video_times))
        assert 3.0 <= decoded.duration_s <= 5.0 + FRAME_S
        assert decoded.video_end_s == pytest.approx(segment.duration_s, abs=0.002)
        assert (decoded.audio_codec, decoded.audio_rate, decoded.audio_channels) == ("opus", 48_000, 1)
        assert decoded.audio_start_s == pytest.approx(0.0, abs=0.001)
        assert decoded.audio_duration_s == pytest.approx(segment.duration_s, abs=FRAME_S)
        assert segment.audio_samples == 4 * AUDIO_RATE_HZ
        assert np.sqrt(np.mean(decoded.audio**2)) > 0.01, "the test tone must come through"
    assert run.segments[0].t0 == 0.0
    for before, after in pairwise(run.segments):
        assert after.t0 == before.t1
        assert after.duration_s == pytest.approx(4.0)

    stats = run.stats
    assert stats.segments_emitted == 5
    assert stats.video_frames_dropped == stats.audio_chunks_dropped == 0
    assert stats.video_frames_received == source.frames_delivered == 645
    assert stats.audio_samples_received == source.samples_delivered
    assert sum(s.video_frames for s in run.segments) + stats.short_tail_video_frames == 645
    assert sum(s.audio_samples for s in run.segments) + stats.short_tail_audio_samples == 21.5 * AUDIO_RATE_HZ
    assert stats.short_tail_s == pytest.approx(1.5, abs=FRAME_S)
    assert stats.silence_samples == 0
    assert 0 < stats.encode_load_last < 1 and 0 < stats.encode_load_avg < 1
    assert stats.media_s == pytest.approx(20.0)
    assert stats.queued_video_frames == stats.queued_audio_chunks == 0
    assert_all_accounted_for(stats)
    assert no_encoder_thread_left()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("segment_s", [3.0, 5.0])
def test_segment_length_follows_the_setting(segment_s: float) -> None:
    run = encode_source(
        SyntheticSource(160, 120, realtime=False, duration_s=3 * segment_s), small(segment_s=segment_s)
    )
    assert len(run.segments) == 3
    for segment in run.segments:
        assert segment.duration_s == pytest.approx(segment_s)
        decoded = decode_segment(segment.data)
        assert len(decoded.video_times) == round(segment_s * FPS)
        assert decoded.video_end_s == pytest.approx(segment_s, abs=0.002)
        assert segment_s <= decoded.duration_s <= segment_s + FRAME_S
    assert run.stats.short_tail_s == 0.0


@pytest.mark.timeout(120)
def test_the_last_segment_is_sent_on_stop_when_at_least_3_s_long() -> None:
    run = encode_source(SyntheticSource(160, 120, realtime=False, duration_s=11.5), small())
    assert [round(s.duration_s, 3) for s in run.segments] == [4.0, 4.0, 3.5]
    assert run.segments[-1].t1 == pytest.approx(11.5)
    last = decode_segment(run.segments[-1].data)
    assert 3.5 - FRAME_S <= last.duration_s <= 3.5 + FRAME_S
    assert last.audio_duration_s == pytest.approx(3.5, abs=0.001)
    assert run.stats.short_tail_s == 0.0
    assert_all_accounted_for(run.stats)


@pytest.mark.timeout(120)
def test_a_final_window_under_3_s_is_the_short_tail() -> None:
    run = encode_source(SyntheticSource(160, 120, realtime=False, duration_s=10.0), small())
    assert len(run.segments) == 2
    assert run.stats.short_tail_s == pytest.approx(2.0, abs=FRAME_S)
    assert run.stats.short_tail_video_frames == 60
    assert run.stats.short_tail_audio_samples == 2 * AUDIO_RATE_HZ
    assert_all_accounted_for(run.stats)


@pytest.mark.timeout(120)
def test_vp9() -> None:
    run = encode_source(SyntheticSource(320, 240, realtime=False, duration_s=8.0), small(codec="vp9"))
    assert len(run.segments) == 2
    for segment in run.segments:
        assert segment.codec == "vp9"
        decoded = decode_segment(segment.data)
        assert decoded.video_codec == "vp9" and decoded.first_packet_keyframe
        assert len(decoded.video_times) == 120
        assert decoded.audio_codec == "opus"


@pytest.mark.timeout(120)
def test_pictures_of_another_size_are_scaled_to_fit_with_their_shape_kept() -> None:
    run = encode_source(
        SyntheticSource(640, 360, realtime=False, duration_s=4.0), small(width=320, height=240)
    )
    assert len(run.segments) == 1
    with av.open(io.BytesIO(run.segments[0].data)) as container:
        frames = container.decode(video=0)
        picture = [next(frames) for _ in range(6)][-1].to_ndarray(format="gray")  # frame 0 is the flash
    assert picture.shape == (240, 320)
    # 640x360 fits 320x180: 30-pixel black bars above and below, the card in between.
    assert picture[:26].mean() < 20 and picture[-26:].mean() < 20
    assert picture[40:200].mean() > 60


@pytest.mark.timeout(120)
def test_without_a_microphone_every_segment_still_has_an_aligned_opus_track_of_silence() -> None:
    class VideoOnly(EncoderSink):
        def keep_audio(self, chunk: AudioChunk) -> None:
            return None

    run = encode_source(
        SyntheticSource(160, 120, realtime=False, duration_s=8.0), small(has_audio_input=False), VideoOnly
    )
    assert len(run.segments) == 2
    for segment in run.segments:
        assert segment.audio_samples == 0
        decoded = decode_segment(segment.data)
        assert decoded.audio_codec == "opus"
        assert decoded.audio_duration_s == pytest.approx(4.0, abs=0.001)
        assert np.abs(decoded.audio).max() < 1e-3
    assert run.stats.silence_samples == 8 * AUDIO_RATE_HZ


@pytest.mark.timeout(60)
@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_ffprobe_agrees_on_the_segment() -> None:
    run = encode_source(SyntheticSource(320, 240, realtime=False, duration_s=4.0), small())
    [segment] = run.segments
    probe = ffprobe(segment.data)
    assert "webm" in probe["format"]["format_name"]
    assert float(probe["format"]["duration"]) == pytest.approx(4.0, abs=FRAME_S)
    video, audio = sorted(probe["streams"], key=lambda s: s["codec_type"], reverse=True)
    assert (video["codec_name"], video["width"], video["height"]) == ("vp8", 320, 240)
    assert int(video["nb_read_frames"]) == 120
    assert (audio["codec_name"], int(audio["sample_rate"]), audio["channels"]) == ("opus", 48_000, 1)


@pytest.mark.parametrize(
    "overrides",
    [
        {"segment_s": 2.9},
        {"segment_s": 5.1},
        {"codec": "h264"},
        {"width": 321},
        {"height": 8},
        {"fps": 0.5},
        {"video_bitrate_bps": 1000},
        {"audio_bitrate_bps": 1000},
        {"queue_frames": 0},
        {"max_segment_bytes": MAX_SEGMENT_BYTES + 1},
        {"threads": 0},
    ],
)
def test_bad_settings_are_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        EncoderConfig(**overrides)


def test_the_default_bitrate_follows_the_picture_size() -> None:
    assert EncoderConfig().resolved_video_bitrate_bps == 1_000_000
    assert EncoderConfig(width=1280, height=720).resolved_video_bitrate_bps == 2_500_000
    assert EncoderConfig(width=160, height=120).resolved_video_bitrate_bps == 150_000
    assert EncoderConfig(video_bitrate_bps=700_000).resolved_video_bitrate_bps == 700_000
    assert EncoderConfig(width=320, height=240).resolved_threads == 1


def test_ebml_sizes_round_trip_and_bad_files_are_refused() -> None:
    for value, width in [(0, 1), (126, 1), (127, 2), (5000, 2), (2**56 - 2, 8)]:
        assert read_vint(encode_vint(value, width), 0) == (value, width)
    assert read_vint(b"\x01\xff\xff\xff\xff\xff\xff\xff", 0) == (-1, 8), "the unknown-size marker"
    with pytest.raises(WebmLayoutError):
        encode_vint(127, 1)
    with pytest.raises(WebmLayoutError):
        read_vint(b"\x00\x01", 0)
    with pytest.raises(WebmLayoutError):
        pad_to_size(b"RIFF....WAVE", MIN_SEGMENT_BYTES)
    assert not is_webm(b"RIFF....WAVE")
