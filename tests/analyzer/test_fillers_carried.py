"""Filler words over the wire, each utterance counted once and whole though the stream is cut
(issue 12): espeak-ng sentences with known fillers, streamed to the real analyzer as v0 segments
of 4 s and as a v1 stream of 3 s windows every second, both cutting the sentences mid-word."""

from __future__ import annotations

import numpy as np
import pytest
from support import recordings as rec
from support.analyzer_helpers import exchange
from support.v1_helpers import delivery_over_v1, live_stream
from websockets.asyncio.client import connect

import bench.clips as seg
from app.analyzer.server import AnalyzerServer
from app.analyzer.voice import _utterance_spans
from app.analyzer.voice_activity import voice_frames, voice_scores
from app.model.delivery import LocalDelivery

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(240)]

SEGMENT_S = 4.0
PUT_IN = sum(rec.SPOKEN_WITH_FILLERS.values())


def _talk() -> np.ndarray:
    """The sentences with short breaks, as long as a whole number of segments."""
    gap = np.zeros(int(0.8 * rec.RATE), np.float32)
    talk = np.concatenate([part for text in rec.SPOKEN_WITH_FILLERS for part in (rec.espeak(text), gap)])
    whole = round(SEGMENT_S * rec.RATE)
    return np.concatenate([talk, np.zeros(-len(talk) % whole, np.float32)])


def _speech_s(talk: np.ndarray) -> float:
    return sum(b - a for a, b in _utterance_spans(voice_frames(voice_scores(talk))))


def _counted(figures: list[LocalDelivery]) -> tuple[int, float]:
    counts = [d.fillers for d in figures]
    assert all(c is not None and c.speech_s is not None for c in counts)
    return sum(c.total for c in counts if c), sum(c.speech_s or 0.0 for c in counts if c)


def _loud(talk: np.ndarray) -> np.ndarray:
    sound = rec.to_48k(talk)
    return sound / float(abs(sound).max()) * 0.5


async def test_v0_segments_cut_mid_sentence_count_each_utterance_once(analyzer: AnalyzerServer) -> None:
    rec.speech_extra()
    talk = _talk()
    n = round(SEGMENT_S * rec.RATE)
    segments = [
        seg.encode_webm(SEGMENT_S, seg.still_face, _loud(talk[i : i + n])) for i in range(0, len(talk), n)
    ]
    async with connect(analyzer.url) as websocket:
        answers = await exchange(websocket, *segments)
    figures = [answers.result(k + 1).local_delivery for k in range(len(segments))]
    assert all(f is not None for f in figures)
    fillers, speech_s = _counted([f for f in figures if f is not None])
    print(f"v0, {len(segments)} segments: {fillers} fillers of {PUT_IN} put in, {speech_s:.1f} s of speech")
    assert 0.6 * PUT_IN <= fillers <= 1.5 * PUT_IN
    # Each utterance once: an utterance running over a cut is not heard twice, nor lost. The last
    # one ends within the last segment.
    assert 0.9 * _speech_s(talk) <= speech_s <= 1.05 * _speech_s(talk)


async def test_v1_windows_count_each_utterance_once_in_the_window_where_it_ends() -> None:
    rec.speech_extra()
    talk = _talk()
    duration = len(talk) / rec.RATE
    chunks = live_stream(duration, seg.still_face, _loud(talk))
    _, found = await delivery_over_v1(chunks)
    figures = [d for d in found if isinstance(d, LocalDelivery)]
    assert len(figures) == len(found) and len(figures) >= duration - 1
    fillers, speech_s = _counted(figures)
    print(f"v1, {len(figures)} windows: {fillers} fillers of {PUT_IN} put in, {speech_s:.1f} s of speech")
    # The recogniser can hear a filler twice ("uh, Uh"); counted in each of the three windows that
    # hold it, there would be about three times as many.
    assert 0.6 * PUT_IN <= fillers <= 1.5 * PUT_IN
    # Windows overlap three times over, yet each utterance is counted once, its end included.
    assert 0.9 * _speech_s(talk) <= speech_s <= 1.05 * _speech_s(talk)
