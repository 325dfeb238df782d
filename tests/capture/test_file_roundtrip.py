"""A file written by the test → FileSource (fast) → SegmentEncoder → WebM segments: nothing lost."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from support.media_checks import assert_all_accounted_for, decode_segment, encode_source
from support.media_files import frame_index, write_media

from capture.encoder import EncoderConfig
from capture.file_source import FileSource


def frame_indices(webm: bytes) -> list[int]:
    with av.open(io.BytesIO(webm)) as container:
        return [frame_index(f.to_ndarray(format="bgr24")) for f in container.decode(video=0)]


@pytest.mark.timeout(180)
def test_every_frame_and_sample_of_a_file_reaches_the_segments(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "interview.mp4", seconds=12.0, fps=25, width=320, height=240)
    config = EncoderConfig(segment_s=4.0, width=320, height=240, fps=25, block_when_full=True)
    run = encode_source(FileSource(clip.path, realtime=False), config)

    assert not run.errors and not run.source_errors
    assert_all_accounted_for(run.stats)
    assert run.stats.video_frames_emitted == clip.frames
    assert len(run.segments) == 3
    for before, after in zip(run.segments, run.segments[1:], strict=False):
        assert after.t0 == pytest.approx(before.t1), "segments are contiguous"

    frame_s = 1 / clip.fps
    assert sum(s.duration_s for s in run.segments) == pytest.approx(clip.duration_s, abs=frame_s)
    decoded = [decode_segment(s.data) for s in run.segments]
    video_s = sum(d.video_end_s - d.video_times[0] for d in decoded)
    assert video_s == pytest.approx(clip.duration_s, abs=frame_s)
    audio_s = sum(d.audio_duration_s for d in decoded)
    assert audio_s == pytest.approx(clip.duration_s, abs=frame_s)

    indices = np.concatenate([frame_indices(s.data) for s in run.segments])
    assert list(indices) == list(range(clip.frames)), "each frame once, in order"
