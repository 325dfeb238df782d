"""Voice cues from a segment's audio: voice activity, pauses, loudness and pitch.

Voice activity is energy against an adaptive noise floor: a 20 ms frame is voice when it is
clearly above the quiet part of the same segment and not near-silent. Short gaps between
syllables are bridged and clicks dropped. Pitch comes from the autocorrelation of each voiced
frame; only frames with a clear period count. None of this understands words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from app.analyzer import thresholds as th

log = logging.getLogger(__name__)

_SILENT_DBFS = -100.0


@dataclass(frozen=True, slots=True)
class VoiceSummary:
    """The voice cues of one stretch of a segment."""

    seconds: float
    speech_ratio: float
    voiced_s: float
    pauses: int
    """Silences of at least `PAUSE_MIN_S` with speech on both sides."""
    longest_pause_s: float
    loudness_spread_db: float
    """Standard deviation of the levels of the frames above the voice threshold (0 without speech)."""
    pitch_spread_st: float | None
    """Standard deviation of pitch in semitones; None with too few pitched frames."""
    utterances: int
    rising_endings: int

    @property
    def pause_rate(self) -> float:
        """Pauses per 10 s."""
        return self.pauses * 10.0 / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class VoiceTrack:
    level_db: np.ndarray
    """Per 20 ms frame, dBFS."""
    voiced: np.ndarray
    """Per frame, after bridging and dropping clicks."""
    loud: np.ndarray
    """Per frame, above the voice threshold itself (bridged gaps between syllables are not)."""
    pitch_hz: np.ndarray
    """Per frame; NaN where unvoiced or without a clear period."""
    noise_floor_db: float

    def summary(self, start_s: float, end_s: float) -> VoiceSummary:
        lo = max(0, round(start_s / th.VOICE_HOP_S))
        hi = min(len(self.voiced), round(end_s / th.VOICE_HOP_S))
        seconds = max(0.0, end_s - start_s)
        voiced = self.voiced[lo:hi]
        if hi <= lo:
            return VoiceSummary(seconds, 0.0, 0.0, 0, 0.0, 0.0, None, 0, 0)
        runs = _runs(voiced)
        silences = [(nxt[0] - prev[1]) * th.VOICE_HOP_S for prev, nxt in pairwise(runs)]
        pauses = [s for s in silences if s >= th.PAUSE_MIN_S]
        levels = self.level_db[lo:hi][voiced & self.loud[lo:hi]]
        pitch = self.pitch_hz[lo:hi]
        pitched = pitch[~np.isnan(pitch)]
        spread_st: float | None = None
        if len(pitched) >= th.PITCH_MIN_FRAMES:
            spread_st = float(np.std(12.0 * np.log2(pitched / np.median(pitched))))
        utterances = [(a, b) for a, b in runs if (b - a) * th.VOICE_HOP_S >= th.UTTERANCE_MIN_S]
        return VoiceSummary(
            seconds=seconds,
            speech_ratio=float(voiced.mean()),
            voiced_s=float(voiced.sum() * th.VOICE_HOP_S),
            pauses=len(pauses),
            longest_pause_s=max(pauses, default=0.0),
            loudness_spread_db=float(np.std(levels)) if len(levels) > 1 else 0.0,
            pitch_spread_st=spread_st,
            utterances=len(utterances),
            rising_endings=sum(_ends_rising(pitch[a:b]) for a, b in utterances),
        )


def measure_voice(samples: np.ndarray, rate_hz: int = th.AUDIO_RATE_HZ) -> VoiceTrack:
    hop = round(rate_hz * th.VOICE_HOP_S)
    n = len(samples) // hop
    if n == 0:
        empty = np.zeros(0)
        return VoiceTrack(empty, empty.astype(bool), empty.astype(bool), empty, _SILENT_DBFS)
    frames = samples[: n * hop].reshape(n, hop).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    level_db = np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), _SILENT_DBFS)
    floor_db = float(np.percentile(level_db, th.NOISE_FLOOR_PERCENTILE))
    loud = level_db > max(floor_db + th.VOICE_ABOVE_FLOOR_DB, th.VOICE_MIN_DBFS)
    voiced = _drop_short(_bridge(loud, round(th.VOICE_BRIDGE_S / th.VOICE_HOP_S)), th.VOICE_MIN_BURST_S)
    pitch = _pitch(samples, rate_hz, hop, voiced & loud)
    return VoiceTrack(level_db, voiced, loud, pitch, floor_db)


def _pitch(samples: np.ndarray, rate_hz: int, hop: int, voiced: np.ndarray) -> np.ndarray:
    """Per-frame pitch by normalised autocorrelation over `PITCH_WINDOW_S`, all frames at once."""
    pitch = np.full(len(voiced), np.nan)
    indices = np.flatnonzero(voiced)
    if len(indices) == 0:
        return pitch
    size = round(rate_hz * th.PITCH_WINDOW_S)
    padded = np.pad(samples.astype(np.float64), (size, size))
    starts = indices * hop + hop // 2 - size // 2 + size
    windows = padded[starts[:, None] + np.arange(size)[None, :]]
    windows -= windows.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(windows, n=2 * size, axis=1)
    corr = np.fft.irfft(spectrum * np.conj(spectrum), axis=1)[:, :size]
    energy = corr[:, 0]
    # The plain (biased) estimate shrinks with the lag, so the true period beats its multiples.
    corr = corr / np.maximum(energy, 1e-12)[:, None]
    low_hz, high_hz = th.PITCH_RANGE_HZ
    lag_lo, lag_hi = int(rate_hz / high_hz), min(size - 2, int(rate_hz / low_hz))
    lag = np.argmax(corr[:, lag_lo : lag_hi + 1], axis=1) + lag_lo
    rows = np.arange(len(lag))
    clarity = corr[rows, lag]
    # A parabola through the peak and its neighbours places the period between samples.
    left, right = corr[rows, lag - 1], corr[rows, lag + 1]
    curvature = left - 2 * clarity + right
    safe = np.where(np.abs(curvature) > 1e-12, curvature, -1.0)
    period = lag + np.clip(0.5 * (left - right) / safe, -0.5, 0.5)
    good = (clarity >= th.PITCH_MIN_CLARITY) & (energy > 1e-9)
    pitch[indices[good]] = rate_hz / period[good]
    return pitch


def _ends_rising(pitch: np.ndarray) -> bool:
    tail = max(1, round(th.RISING_END_S / th.VOICE_HOP_S))
    body, end = pitch[~np.isnan(pitch)], pitch[-tail:]
    end = end[~np.isnan(end)]
    if len(body) < th.PITCH_MIN_FRAMES or len(end) == 0:
        return False
    return bool(12.0 * np.log2(np.median(end) / np.median(body)) >= th.RISING_END_SEMITONES)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True stretches."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _bridge(mask: np.ndarray, max_gap: int) -> np.ndarray:
    out = mask.copy()
    runs = _runs(mask)
    for (_, end), (start, _) in pairwise(runs):
        if start - end < max_gap:
            out[end:start] = True
    return out


def _drop_short(mask: np.ndarray, min_s: float) -> np.ndarray:
    out = mask.copy()
    for start, end in _runs(mask):
        if (end - start) * th.VOICE_HOP_S < min_s:
            out[start:end] = False
    return out
