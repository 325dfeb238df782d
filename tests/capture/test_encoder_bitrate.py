"""The server can find a segment too large (ih6002) though it fits our own cap: the encoder then
lowers its video bitrate for the segments that follow."""

from __future__ import annotations

import pytest
from support.media_checks import EncoderSink

from capture.encoder import EncoderConfig, SegmentEncoder
from capture.encoder_config import MIN_VIDEO_BITRATE_BPS
from capture.media import Segment, SessionClock
from capture.synthetic import SyntheticSource


@pytest.mark.timeout(120)
def test_lowering_the_bitrate_makes_the_next_segments_smaller() -> None:
    config = EncoderConfig(
        width=320, height=240, block_when_full=True, segment_s=3.0, video_bitrate_bps=800_000
    )
    segments: list[Segment] = []
    lowered: list[int] = []

    def on_segment(segment: Segment) -> None:
        segments.append(segment)
        if segment.index == 0:
            lowered.append(encoder.lower_bitrate(0.25))

    encoder = SegmentEncoder(config, on_segment)
    sink = EncoderSink(encoder)
    source = SyntheticSource(320, 240, realtime=False, duration_s=9.5)
    encoder.start()
    try:
        source.start(SessionClock(), sink)
        assert sink.finished.wait(60)
    finally:
        source.stop()
        stats = encoder.stop()

    assert lowered == [200_000]
    assert stats.video_bitrate_bps == 200_000
    assert len(segments) == 3
    assert segments[2].size_bytes < 0.6 * segments[0].size_bytes


def test_the_bitrate_never_goes_under_the_floor() -> None:
    encoder = SegmentEncoder(EncoderConfig(width=320, height=240), lambda segment: None)
    for _ in range(20):
        encoder.lower_bitrate()
    assert encoder.stats().video_bitrate_bps == MIN_VIDEO_BITRATE_BPS
