"""The rolling WebM encoder's guards: full queues, out-of-order input, the size limits, gaps,
errors inside the worker, and stopping."""

from __future__ import annotations

import shutil
from itertools import pairwise

import av
import numpy as np
import pytest
from support.media_checks import (
    FRAME_S,
    EncoderSink,
    HandFed,
    assert_all_accounted_for,
    black,
    decode_segment,
    encode_source,
    ffmpeg_decodes,
    no_encoder_thread_left,
    small,
)

from capture import segment_output
from capture.codec_settings import CodecSettings, Letterbox
from capture.encoder import (
    MIN_SEGMENT_BYTES,
    EncoderConfig,
    SegmentEncoder,
)
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, VideoFrame
from capture.packet_encoder import WARMUP_SAMPLES, PacketEncoder
from capture.packet_span import PacketSpan
from capture.synthetic import SyntheticSource
from capture.webm import pad_to_size, read_vint
from capture.webm_mux import standalone_file


@pytest.mark.timeout(60)
def test_a_full_queue_drops_the_oldest_input_and_counts_it() -> None:
    fed = HandFed(EncoderConfig(width=160, height=120, queue_frames=4, has_audio_input=False))
    # Nothing is taken before start(): of ten frames 1.5 s apart, the four newest stay.
    fed.black_frames([1.5 * k for k in range(10)])
    assert fed.encoder.stats().queued_video_frames == 4
    fed.encoder.start()
    stats = fed.encoder.stop()

    assert stats.video_frames_dropped == 6
    [segment] = fed.segments
    assert (segment.t0, segment.t1) == (9.0, 13.0)
    assert segment.video_frames == 3
    assert segment.dropped_video_frames == 6
    times = decode_segment(segment.data).video_times
    assert times == [0.0, 1.5, 3.0]
    assert stats.short_tail_video_frames == 1
    assert_all_accounted_for(stats)


@pytest.mark.timeout(120)
def test_a_source_faster_than_the_encoder_loses_input_only_as_counted_drops() -> None:
    config = EncoderConfig(width=320, height=240, queue_frames=2, queue_audio_chunks=2)
    run = encode_source(SyntheticSource(320, 240, realtime=False, duration_s=12.0), config)
    stats = run.stats
    assert stats.video_frames_dropped > 0
    assert stats.video_frames_received == 360
    assert sum(s.dropped_video_frames for s in run.segments) <= stats.video_frames_dropped
    assert stats.video_frames_emitted == sum(s.video_frames for s in run.segments)
    assert_all_accounted_for(stats)
    for segment in run.segments:
        assert decode_segment(segment.data).first_packet_keyframe


@pytest.mark.timeout(60)
def test_a_frame_not_after_the_one_before_is_left_out_and_counted() -> None:
    fed = HandFed(EncoderConfig(width=160, height=120, has_audio_input=False, block_when_full=True))
    fed.encoder.start()
    times = [n * FRAME_S for n in range(60)]
    times += [1.0, 1.0, 59 * FRAME_S + 0.0002]  # back in time, and within the same millisecond
    times += [n * FRAME_S for n in range(60, 130)]
    fed.black_frames(times)
    stats = fed.encoder.stop()

    assert stats.video_frames_out_of_order == 3
    [segment] = fed.segments
    assert segment.video_frames == 120
    decoded = decode_segment(segment.data)
    assert all(b > a for a, b in pairwise(decoded.video_times))
    assert_all_accounted_for(stats)


@pytest.mark.timeout(60)
def test_a_static_black_picture_is_padded_over_the_size_floor_and_still_decodes() -> None:
    # 3 s of black with the leanest Opus encodes to about 8 KB: under the service's floor.
    config = EncoderConfig(
        segment_s=3.0,
        width=160,
        height=120,
        audio_bitrate_bps=6_000,
        has_audio_input=False,
        block_when_full=True,
    )
    fed = HandFed(config)
    fed.encoder.start()
    fed.black_frames([n * FRAME_S for n in range(95)])
    stats = fed.encoder.stop()

    [segment] = fed.segments
    assert stats.segments_padded == 1
    assert segment.size_bytes == MIN_SEGMENT_BYTES
    decoded = decode_segment(segment.data)
    assert len(decoded.video_times) == 90 and max(decoded.luma) < 20
    assert decoded.audio_duration_s == pytest.approx(3.0, abs=0.001)
    if shutil.which("ffmpeg"):
        assert ffmpeg_decodes(segment.data) == ""


def test_padding_grows_the_segment_element_to_cover_the_void() -> None:
    encoder = PacketEncoder(CodecSettings("vp8", 160, 120, 30.0, 200_000, 6_000, 1), Letterbox(160, 120), 0)
    end = 3 * AUDIO_RATE_HZ
    span = PacketSpan(0, end, -WARMUP_SAMPLES)
    span.audio.extend(encoder.take_lead_in())
    for n in range(90):
        pts = round(n * FRAME_S * 1000)
        span.video.extend(encoder.encode_video(black(), pts, keyframe=n == 0))
    span.audio.extend(encoder.encode_silence(end))
    span.audio.extend(encoder.flush_audio())
    data = standalone_file(encoder.track_setup, span.blocks(0, end, last=True), 3000.0)
    assert len(data) < MIN_SEGMENT_BYTES

    padded = pad_to_size(data, 20_000)
    assert len(padded) == 20_000
    header_size, header_width = read_vint(padded, 4)
    size_at = 4 + header_width + header_size + 4
    size, size_width = read_vint(padded, size_at)
    assert size_at + size_width + size == len(padded), "the Segment must cover the Void"
    assert padded[:size_at] == data[:size_at]
    assert padded[size_at + size_width : len(data)] == data[size_at + size_width :], "media bytes untouched"
    assert padded[len(data)] == 0xEC
    assert len(decode_segment(padded).video_times) == 90
    assert pad_to_size(padded, 1000) is padded


@pytest.mark.timeout(120)
def test_an_oversized_segment_is_not_sent_and_the_bitrate_comes_down() -> None:
    config = small(video_bitrate_bps=1_000_000, max_segment_bytes=300_000)
    run = encode_source(SyntheticSource(320, 240, realtime=False, duration_s=12.5), config)
    stats = run.stats
    assert stats.segments_oversized == 1
    assert [s.index for s in run.segments] == [1, 2], "the first, too large segment must not be sent"
    assert stats.video_bitrate_bps < 1_000_000
    assert all(s.size_bytes <= 300_000 for s in run.segments)
    assert stats.video_frames_discarded == 120
    assert_all_accounted_for(stats)


@pytest.mark.timeout(120)
def test_a_window_without_video_is_a_counted_gap_not_a_broken_file() -> None:
    class CameraGone(EncoderSink):
        def keep_video(self, frame: VideoFrame) -> VideoFrame | None:
            return None if 4.0 <= frame.t < 8.0 else frame

    run = encode_source(SyntheticSource(160, 120, realtime=False, duration_s=12.0), small(), CameraGone)
    assert [s.index for s in run.segments] == [0, 2]
    assert run.segments[1].t0 == pytest.approx(8.0)
    assert run.stats.gaps == 1 and run.stats.gap_s == pytest.approx(4.0)
    assert run.stats.audio_samples_discarded == 4 * AUDIO_RATE_HZ
    assert_all_accounted_for(run.stats)


@pytest.mark.timeout(120)
def test_video_missing_for_a_while_is_given_up_on_once_audio_is_a_second_past_the_window() -> None:
    class CameraStalls(EncoderSink):
        def keep_video(self, frame: VideoFrame) -> VideoFrame | None:
            return None if 6.0 <= frame.t < 9.5 else frame

    run = encode_source(SyntheticSource(160, 120, realtime=False, duration_s=12.5), small(), CameraStalls)
    assert [s.index for s in run.segments] == [0, 1, 2]
    stalled = run.segments[1]
    assert stalled.video_frames == 60 and stalled.audio_samples == 4 * AUDIO_RATE_HZ
    decoded = decode_segment(stalled.data)
    assert decoded.video_times[-1] == pytest.approx(1.967, abs=0.001)
    assert decoded.video_end_s == pytest.approx(4.0, abs=0.002), "the last picture lasts to the end"
    assert decoded.audio_duration_s == pytest.approx(4.0, abs=0.001)
    assert run.segments[2].video_frames == 75
    assert run.stats.video_frames_out_of_order == 0 and run.stats.gaps == 0
    assert_all_accounted_for(run.stats)


@pytest.mark.timeout(60)
def test_a_bad_frame_fails_its_segment_only_and_is_reported() -> None:
    fed = HandFed(EncoderConfig(width=160, height=120, has_audio_input=False, block_when_full=True))
    fed.encoder.start()
    fed.black_frames([n * FRAME_S for n in range(60)])
    fed.encoder.video_frame(VideoFrame(np.zeros((120, 160), np.uint8), 2.0 + FRAME_S / 2))
    fed.black_frames([n * FRAME_S for n in range(61, 250)])
    stats = fed.encoder.stop()

    assert len(fed.errors) == 1
    assert stats.segments_failed == 1
    assert [s.index for s in fed.segments] == [1]
    assert stats.video_frames_discarded == 120  # 60 before the bad one, itself, 59 after it
    assert_all_accounted_for(stats)


@pytest.mark.timeout(60)
def test_an_error_writing_a_segment_is_reported_and_the_next_segment_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_file = segment_output.standalone_file
    written = []

    def failing_the_first_time(*args, **kwargs):
        written.append(args)
        if len(written) == 1:
            raise av.error.InvalidDataError(1094995529, "injected fault")
        return real_file(*args, **kwargs)

    monkeypatch.setattr(segment_output, "standalone_file", failing_the_first_time)
    fed = HandFed(EncoderConfig(width=160, height=120, has_audio_input=False, block_when_full=True))
    fed.encoder.start()
    fed.black_frames([n * FRAME_S for n in range(250)])
    stats = fed.encoder.stop()
    monkeypatch.undo()

    assert [type(e) for e in fed.errors] == [av.error.InvalidDataError]
    assert stats.segments_failed == 1
    assert [s.index for s in fed.segments] == [1]
    assert len(decode_segment(fed.segments[0].data).video_times) == 120
    assert_all_accounted_for(stats)


@pytest.mark.timeout(60)
def test_a_raising_on_segment_callback_is_reported_and_encoding_goes_on() -> None:
    errors: list[Exception] = []
    seen: list[int] = []

    def on_segment(segment: Segment) -> None:
        seen.append(segment.index)
        raise RuntimeError("consumer broke")

    encoder = SegmentEncoder(
        EncoderConfig(width=160, height=120, has_audio_input=False, block_when_full=True),
        on_segment,
        errors.append,
    )
    encoder.start()
    for n in range(250):
        encoder.video_frame(VideoFrame(black(), n * FRAME_S))
    encoder.stop()
    assert seen == [0, 1]
    assert len(errors) == 2


@pytest.mark.timeout(60)
def test_stop_is_idempotent_and_input_after_it_counts_as_dropped() -> None:
    fed = HandFed(EncoderConfig(width=160, height=120, has_audio_input=False))
    fed.encoder.start()
    first = fed.encoder.stop()
    second = fed.encoder.stop()
    assert first == second
    fed.encoder.video_frame(VideoFrame(black(), 0.0))
    fed.encoder.audio_chunk(AudioChunk(np.zeros(960, np.int16), 0.0))
    stats = fed.encoder.stats()
    assert stats.video_frames_dropped == 1 and stats.audio_chunks_dropped == 1
    assert fed.segments == []
    assert no_encoder_thread_left()
    with pytest.raises(RuntimeError):
        fed.encoder.start()
