"""The live v1/v2 stream: one WebM muxed from the same packets as the v0 segments, a header chunk,
then a chunk per Cluster of about a second, decodable as one forward-only stream, with every
picture and sample once, in bounded memory, and a fresh header on demand."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from support.media_checks import FRAME_S, assert_all_accounted_for, decode_segment, find_beeps
from support.stream_checks import CLUSTER_ID, EBML_ID, SEGMENT_ID, decode_stream, drain, elements, feed_card

from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, StreamChunk, VideoFrame
from capture.stream_outbox import StreamOutbox

pytestmark = pytest.mark.timeout(120)


def config(**overrides: object) -> EncoderConfig:
    settings: dict[str, object] = {"width": 160, "height": 120, "block_when_full": True, "queue_frames": 4}
    settings.update(overrides)
    return EncoderConfig(**settings)  # type: ignore[arg-type]


def streamed(outbox: StreamOutbox, max_chunk_bytes: int = 32 * 1024 * 1024):
    return lambda encoder: encoder.start_stream(outbox, max_chunk_bytes)


def test_the_stream_holds_every_picture_and_sample_once_in_one_second_clusters() -> None:
    outbox = StreamOutbox(max_queued_s=60.0)
    run = feed_card(config(), 9.5, at_times={0.0: streamed(outbox)})
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)
    assert outbox.done and run.errors == []

    header, *media = chunks
    assert header.is_header and header.origin == 0.0 and header.keyframe_start
    assert [e[0] for e in elements(header.data)][:2] == [EBML_ID, SEGMENT_ID]
    assert elements(header.data)[1][1] == -1, "a live Segment has no size"
    assert CLUSTER_ID not in header.data.hex()
    for chunk in media:
        assert [e[0] for e in elements(chunk.data)] == [CLUSTER_ID], "one Cluster per chunk"
        assert chunk.keyframe_start and chunk.generation == header.generation
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert [round(c.duration_s, 3) for c in media] == [1.0] * 9 + [0.5]
    for before, after in pairwise(media):
        assert after.t0 == pytest.approx(before.t1)
    assert media[-1].final and not any(c.final for c in media[:-1])

    decoded = decode_stream(b"".join(c.data for c in chunks))
    assert len(decoded.video_times) == len(run.frames) == 285
    assert decoded.video_times == pytest.approx(run.frames, abs=0.0006)
    assert sum(decoded.keyframes) == 10, "a keyframe opens each Cluster"
    assert len(decoded.audio) == run.samples == 9.5 * AUDIO_RATE_HZ
    assert decoded.audio_start_s == pytest.approx(0.0, abs=0.001)
    flashes = [t for n, t in enumerate(decoded.video_times) if decoded.luma[n] > 200 >= decoded.luma[n - 1]]
    beeps = find_beeps(decoded.audio, AUDIO_RATE_HZ)
    assert len(flashes) == len(beeps) == 10
    for flash, beep in zip(flashes, beeps, strict=True):
        assert abs(flash - beep) <= FRAME_S

    # The recording is untouched by the second output: the v0 segments keep their contract.
    assert [s.index for s in run.segments] == [0, 1]
    for segment in run.segments:
        one = decode_segment(segment.data)
        assert one.first_packet_keyframe and len(one.video_times) == segment.video_frames == 120
        assert one.audio_duration_s == pytest.approx(4.0, abs=0.001)
    assert run.stats.stream_chunks_emitted == len(chunks) and run.stats.stream_mux_wall_s > 0
    assert_all_accounted_for(run.stats)


def test_a_stream_started_mid_session_begins_after_the_newest_picture_on_a_keyframe() -> None:
    outbox = StreamOutbox(max_queued_s=60.0)
    run = feed_card(config(), 6.0, at_times={2.3: streamed(outbox)})
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)
    header = chunks[0]
    assert 2.1 <= header.t0 <= 2.5, "queued input is encoded before the request is seen"
    assert header.origin == 2.0, "stream time 0 is the session's whole second before the media"
    assert chunks[1].t0 == header.t0 and chunks[1].t1 == pytest.approx(3.0)
    decoded = decode_stream(b"".join(c.data for c in chunks))
    expected = [t - header.origin for t in run.frames if t >= header.t0]
    assert decoded.video_times == pytest.approx(expected, abs=0.0006)
    assert decoded.keyframes[0]
    assert decoded.audio_start_s == pytest.approx(header.t0 - header.origin, abs=0.001)
    assert len(decoded.audio) == round((6.0 - header.t0) * AUDIO_RATE_HZ)


def test_a_fresh_header_on_demand_starts_a_new_stream_whose_times_continue() -> None:
    first, second = StreamOutbox(max_queued_s=60.0), StreamOutbox(max_queued_s=60.0)
    run = feed_card(config(), 7.0, at_times={0.0: streamed(first), 3.5: streamed(second)})
    old: list[StreamChunk] = []
    new: list[StreamChunk] = []
    drain(first, old)
    drain(second, new)
    assert first.done and second.done, "the first outbox is closed when the second stream starts"
    assert new[0].is_header and new[0].generation == old[0].generation + 1
    assert not old[-1].final and new[-1].final
    origin, start = new[0].origin, new[0].t0
    assert old[-1].t1 <= start + 1e-6 and origin <= start
    decoded = decode_stream(b"".join(c.data for c in new))
    expected = [t - origin for t in run.frames if t >= start]
    assert decoded.video_times == pytest.approx(expected, abs=0.0006)
    assert [round(origin + t, 3) for t in decoded.video_times] == pytest.approx(
        [t for t in run.frames if t >= start], abs=0.0006
    )
    again = decode_stream(b"".join(c.data for c in old))
    assert len(again.video_times) == sum(1 for t in run.frames if t < old[-1].t1)


def test_every_chunk_fits_the_limit_passed_in_and_the_stream_still_decodes() -> None:
    outbox = StreamOutbox(max_queued_s=60.0)
    run = feed_card(config(video_bitrate_bps=400_000), 4.0, at_times={0.0: streamed(outbox, 12_000)})
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)
    assert max(c.size_bytes for c in chunks) <= 12_000
    assert len(chunks) > 6, "Clusters over the limit are split"
    for chunk in chunks[1:]:
        assert all(e[0] == CLUSTER_ID for e in elements(chunk.data))
    decoded = decode_stream(b"".join(c.data for c in chunks))
    assert len(decoded.video_times) == len(run.frames)
    assert len(decoded.audio) == 4 * AUDIO_RATE_HZ


def test_a_slow_consumer_loses_the_oldest_media_counted_and_the_recording_keeps_all() -> None:
    outbox = StreamOutbox(max_queued_s=2.0)
    run = feed_card(config(), 8.0, at_times={0.0: streamed(outbox)})
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)  # nobody took anything during the session
    stats = outbox.stats()
    assert chunks[0].is_header, "the header is never dropped"
    assert [round(c.t0, 3) for c in chunks[1:]] == [6.0, 7.0]
    assert stats.chunks_dropped == 6 and stats.dropped_media_s == pytest.approx(6.0)
    assert outbox.take_dropped_ranges() == [(pytest.approx(0.0), pytest.approx(6.0))]
    decoded = decode_stream(b"".join(c.data for c in chunks))
    assert decoded.video_times[0] == pytest.approx(6.0) and decoded.keyframes[0]
    assert len(decoded.video_times) == 60
    assert sum(s.video_frames for s in run.segments) == 240 == len(run.frames)


def test_stopping_the_stream_closes_its_outbox_and_the_segments_go_on() -> None:
    outbox = StreamOutbox(max_queued_s=60.0)
    run = feed_card(config(), 8.0, at_times={0.0: streamed(outbox), 2.0: SegmentEncoder.stop_stream})
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)
    assert outbox.done
    assert chunks[-1].t1 <= 2.2 and not chunks[-1].final
    assert [s.index for s in run.segments] == [0, 1]


def test_a_stream_asked_for_after_stop_is_closed_at_once() -> None:
    encoder = SegmentEncoder(config(), lambda segment: None)
    encoder.start()
    encoder.stop()
    outbox = StreamOutbox()
    encoder.start_stream(outbox, 1_000_000)
    assert outbox.done and outbox.take() is None


def test_without_a_microphone_the_stream_carries_silence_beside_every_picture() -> None:
    outbox = StreamOutbox(max_queued_s=60.0)
    encoder = SegmentEncoder(config(has_audio_input=False), lambda segment: None)
    encoder.start()
    encoder.start_stream(outbox, 1_000_000)
    for n in range(90):
        encoder.video_frame(VideoFrame(np.zeros((120, 160, 3), np.uint8), n * FRAME_S))
    encoder.stop()
    chunks: list[StreamChunk] = []
    drain(outbox, chunks)
    decoded = decode_stream(b"".join(c.data for c in chunks))
    assert len(decoded.video_times) == 90
    assert len(decoded.audio) == 3 * AUDIO_RATE_HZ and np.abs(decoded.audio).max() < 1e-3
    assert [round(c.duration_s, 3) for c in chunks[1:]] == [1.0, 1.0, 1.0]


def test_the_outbox_refuses_nonsense_and_counts_what_passes() -> None:
    with pytest.raises(ValueError):
        StreamOutbox(max_queued_s=0)
    outbox = StreamOutbox(max_queued_s=1.5)
    header = StreamChunk(1, 0, b"h", 0.0, 0.0, 0.0, True)
    outbox.put(header)
    for k in range(3):
        outbox.put(StreamChunk(1, k + 1, b"c" * 10, float(k), k + 1.0, 0.0, keyframe_start=k != 1))
    # Over 1.5 s queued: 0–1 goes, and 1–2, which needs it, with it.
    assert [c.index for c in [outbox.take(), outbox.take()]] == [0, 3]
    assert outbox.take() is None and not outbox.done
    outbox.close()
    assert outbox.done
    outbox.put(header)
    assert outbox.take() is None, "nothing is taken in once closed"
    stats = outbox.stats()
    assert (stats.chunks_put, stats.chunks_taken, stats.chunks_dropped) == (4, 2, 2)
    assert stats.dropped_media_s == pytest.approx(2.0)
