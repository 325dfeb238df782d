"""A stream's overlapping windows are analysed with each picture measured once (plus a little
context), and come to what measuring every window whole comes to."""

from __future__ import annotations

import numpy as np
import pytest

import bench.clips as seg
from app.analyzer import analysis, window_analysis
from app.analyzer import thresholds as th
from app.analyzer.decode import decode_segment
from app.analyzer.stream_window import MediaWindow
from app.analyzer.window_analysis import CONTEXT_FRAMES, WindowAnalyser

pytestmark = pytest.mark.timeout(120)


def windows(duration_s: float) -> list[MediaWindow]:
    decoded = decode_segment(seg.encode_webm(duration_s, seg.nodding, seg.voice_like(duration_s)))
    rate = th.AUDIO_RATE_HZ
    out = []
    for end in range(3, int(duration_s) + 1):
        start = end - 3.0
        frames = [f.__class__(f.t - start, f.grey, f.rgb) for f in decoded.frames if start <= f.t < end]
        audio = np.ascontiguousarray(decoded.audio[round(start * rate) : round(end * rate)])
        out.append(MediaWindow(start, float(end), end - 1.0, frames, audio, 1.0))
    return out


def test_each_picture_is_measured_once_and_the_windows_read_as_if_measured_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stretch = windows(7.0)
    whole = [analysis.analyse_media(w.frames, w.audio, w.duration_s) for w in stretch]
    measured: list[int] = []
    real = window_analysis.measure_picture

    def counting(frames):  # type: ignore[no-untyped-def]
        measured.append(len(frames))
        return real(frames)

    monkeypatch.setattr(window_analysis, "measure_picture", counting)
    analyser = WindowAnalyser()
    stepped = [analyser(w) for w in stretch]
    per_second = round(th.VIDEO_SAMPLE_FPS)
    assert measured[0] == 3 * per_second
    assert all(count == per_second + CONTEXT_FRAMES for count in measured[1:]), measured
    for full, step in zip(whole, stepped, strict=True):
        assert [w.state for w in step.engagement] == [w.state for w in full.engagement]
        assert {(s.type, s.probability) for s in step.signals} == {
            (s.type, s.probability) for s in full.signals
        }
        assert step.quality.scores.quality_index == pytest.approx(full.quality.scores.quality_index, abs=3.0)
