"""The voice's pitch, frame by frame, by YIN (de Cheveigné & Kawahara, 2002), without octave errors.

Plain autocorrelation peaks as high at twice the period as at the period, and picking the
highest one jumps an octave down or up from frame to frame. YIN's cumulative mean normalised
difference takes the *first* dip below a threshold instead, which is the period itself, and a
median over neighbouring frames removes the isolated jumps that remain. Checked against Praat on
real read speech (tests/analyzer/test_voice_measures.py).
"""

from __future__ import annotations

import numpy as np

from app.analyzer import thresholds as th


def pitch_track(samples: np.ndarray, rate_hz: int, hop: int, voiced: np.ndarray) -> np.ndarray:
    """Per frame of `hop` samples: the pitch in Hz where `voiced` and periodic, else NaN."""
    pitch = np.full(len(voiced), np.nan)
    indices = np.flatnonzero(voiced)
    if len(indices) == 0:
        return pitch
    low_hz, high_hz = th.PITCH_RANGE_HZ
    window = round(rate_hz * th.PITCH_WINDOW_S)
    lag_min, lag_max = int(rate_hz / high_hz), int(np.ceil(rate_hz / low_hz))
    span = window + lag_max + 1
    padded = np.pad(samples.astype(np.float64), (span, span))
    starts = indices * hop + hop // 2 - span // 2 + span
    frames = padded[starts[:, None] + np.arange(span)[None, :]]
    frames -= frames.mean(axis=1, keepdims=True)
    cmnd = _cmnd(frames, window, lag_max)
    period, dip = _first_dips(cmnd, lag_min, lag_max)
    level_db = 10.0 * np.log10(np.maximum(np.mean(frames[:, :window] ** 2, axis=1), 1e-20))
    # A dip at either end of the lag range is no period inside it (a hiss, a click).
    inside = (period > lag_min + 0.5) & (period < lag_max - 0.5)
    good = (dip <= th.PITCH_MAX_APERIODICITY) & (level_db >= th.PITCH_MIN_DBFS) & inside
    pitch[indices[good]] = rate_hz / period[good]
    return _median_smoothed(pitch)


def _cmnd(frames: np.ndarray, window: int, lag_max: int) -> np.ndarray:
    """YIN's cumulative mean normalised difference d'(τ) for τ in 0..lag_max, one row per frame."""
    size = frames.shape[1]
    n_fft = 1 << int(np.ceil(np.log2(size + window)))
    head = frames[:, :window]
    # Cross-correlation of the first `window` samples with every shift of the frame.
    cross = np.fft.irfft(
        np.fft.rfft(frames, n_fft, axis=1) * np.conj(np.fft.rfft(head, n_fft, axis=1)), n_fft, axis=1
    )[:, : lag_max + 1]
    squares = np.cumsum(np.pad(frames * frames, ((0, 0), (1, 0))), axis=1)
    lags = np.arange(lag_max + 1)
    energy_head = squares[:, window][:, None]
    energy_shifted = squares[:, lags + window] - squares[:, lags]
    diff = np.maximum(energy_head + energy_shifted - 2.0 * cross, 0.0)
    running = np.cumsum(diff[:, 1:], axis=1)
    cmnd: np.ndarray = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(running, 1e-12)
    return cmnd


def _first_dips(cmnd: np.ndarray, lag_min: int, lag_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the period (sub-sample) at the first dip below `PITCH_YIN_THRESHOLD`, or at the
    deepest dip when none is that low, and d' there."""
    part = cmnd[:, lag_min : lag_max + 1]
    below = part < th.PITCH_YIN_THRESHOLD
    first = np.where(below.any(axis=1), below.argmax(axis=1), part.argmin(axis=1))
    rows = np.arange(len(part))
    # From the first lag under the threshold, walk down to the bottom of that dip.
    lag = first.copy()
    for _ in range(lag_max - lag_min):
        step = (lag + 1 < part.shape[1]) & (
            part[rows, np.minimum(lag + 1, part.shape[1] - 1)] < part[rows, lag]
        )
        if not step.any():
            break
        lag = lag + step
    absolute = lag + lag_min
    left = cmnd[rows, np.maximum(absolute - 1, 0)]
    centre = cmnd[rows, absolute]
    right = cmnd[rows, np.minimum(absolute + 1, cmnd.shape[1] - 1)]
    curvature = left - 2.0 * centre + right
    shift = np.where(
        curvature > 1e-12, 0.5 * (left - right) / np.where(curvature > 1e-12, curvature, 1.0), 0.0
    )
    return absolute + np.clip(shift, -0.5, 0.5), centre


def _median_smoothed(pitch: np.ndarray) -> np.ndarray:
    """Each pitched frame replaced by the median of the pitched frames around it (in log pitch)."""
    half = th.PITCH_MEDIAN_FRAMES // 2
    out = pitch.copy()
    pitched = np.flatnonzero(~np.isnan(pitch))
    logs = np.log2(pitch)
    for i in pitched:
        around = logs[max(0, i - half) : i + half + 1]
        out[i] = 2.0 ** np.median(around[~np.isnan(around)])
    return out


def spread_semitones(pitch_hz: np.ndarray) -> float:
    """Robust standard deviation of pitch in semitones (1.4826 × the median absolute deviation), so
    that a few stray frames cannot make calm speech look agitated."""
    semitones = 12.0 * np.log2(pitch_hz / np.median(pitch_hz))
    return float(1.4826 * np.median(np.abs(semitones - np.median(semitones))))
