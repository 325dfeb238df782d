"""`AudioMixer`: two inputs' chunks, arriving interleaved and jittery, come out as one contiguous
track holding both; an input that stops never holds the other up."""

from __future__ import annotations

import numpy as np
from support.media_files import RecordingSink

from capture.audio_mix import AudioMixer
from capture.media import AUDIO_RATE_HZ, AudioChunk

CHUNK = 960


def tone(hz: float, start: int, count: int, peak: float = 0.3) -> np.ndarray:
    k = np.arange(start, start + count)
    return np.round(peak * 32767 * np.sin(2 * np.pi * hz * k / AUDIO_RATE_HZ)).astype(np.int16)


def assert_contiguous(sink: RecordingSink) -> None:
    starts = np.array([round(c.t * AUDIO_RATE_HZ) for c in sink.chunks])
    ends = starts + np.array([len(c.samples) for c in sink.chunks])
    assert np.array_equal(starts[1:], ends[:-1])


def test_two_inputs_are_summed_sample_for_sample() -> None:
    sink = RecordingSink()
    mixer = AudioMixer(2, sink)
    rng = np.random.default_rng(5)
    # Input 1 delivers in bigger, later pieces than input 0; after the first chunk of each, which
    # anchors it, their stamps jitter by a few ms, which the placement by sample count ignores.
    for n in range(100):
        at = n * CHUNK
        jitter = rng.uniform(0, 0.004) if n else 0.0
        mixer.add(0, AudioChunk(tone(440, at, CHUNK), at / AUDIO_RATE_HZ + jitter))
        if n % 3 == 2:
            first = (n - 2) * CHUNK
            mixer.add(
                1,
                AudioChunk(tone(1000, first, 3 * CHUNK), first / AUDIO_RATE_HZ + (jitter if first else 0.0)),
            )
    assert_contiguous(sink)
    mixed = sink.audio()
    assert sink.chunks[0].t == 0.0 and len(mixed) == 99 * CHUNK
    expected = tone(440, 0, len(mixed)).astype(np.int32) + tone(1000, 0, len(mixed))
    assert np.array_equal(mixed, np.clip(expected, -32768, 32767))
    assert mixer.late_samples_dropped == 0


def test_an_input_that_stops_does_not_hold_up_the_other() -> None:
    sink = RecordingSink()
    mixer = AudioMixer(2, sink, max_lag_s=0.25)
    for n in range(50):
        at = n * CHUNK
        mixer.add(0, AudioChunk(tone(440, at, CHUNK), at / AUDIO_RATE_HZ))
        if n < 10:  # input 1 goes silent after 0.2 s (a device lost)
            mixer.add(1, AudioChunk(tone(1000, at, CHUNK), at / AUDIO_RATE_HZ))
    assert_contiguous(sink)
    sent = len(sink.audio())
    assert sent >= 50 * CHUNK - 0.25 * AUDIO_RATE_HZ - CHUNK, (
        "input 0 goes on, a quarter second behind at most"
    )
    assert np.array_equal(sink.audio()[10 * CHUNK :], tone(440, 10 * CHUNK, sent - 10 * CHUNK))
    # Input 1 comes back late with sound for a stretch already sent: that part is dropped.
    mixer.add(1, AudioChunk(tone(1000, 20 * CHUNK, CHUNK), 20 * CHUNK / AUDIO_RATE_HZ))
    assert mixer.late_samples_dropped == CHUNK


def test_clipping_saturates_instead_of_wrapping() -> None:
    sink = RecordingSink()
    mixer = AudioMixer(2, sink)
    loud = np.full(CHUNK, 30000, np.int16)
    for n in range(3):
        mixer.add(0, AudioChunk(loud, n * CHUNK / AUDIO_RATE_HZ))
        mixer.add(1, AudioChunk(loud, n * CHUNK / AUDIO_RATE_HZ))
    assert set(sink.audio().tolist()) == {32767}
