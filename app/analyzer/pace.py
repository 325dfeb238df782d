"""Speaking pace from the sound alone: syllable nuclei counted as loudness peaks in voiced speech.

After de Jong & Wempe (2009): each syllable has one vowel, the loudest and pitched stretch of it,
so a syllable is a peak of the (smoothed) level that stands out from the dip before it and from
the speech's quieter frames, and has a pitch. Words per minute follow from syllables per minute
through the average English word length in syllables. The speech recogniser's own word count,
when installed, is better, and is used instead (`app.analyzer.delivery`).
"""

from __future__ import annotations

import numpy as np

from app.analyzer import thresholds as th


def syllable_nuclei(level_db: np.ndarray, voiced: np.ndarray, pitched: np.ndarray) -> np.ndarray:
    """Frame indices of syllable nuclei; `level_db` per 16 ms frame, the masks per frame."""
    if not voiced.any():
        return np.zeros(0, np.int64)
    kernel = np.hanning(th.SYLLABLE_SMOOTH_FRAMES + 2)[1:-1]
    smooth = np.convolve(level_db, kernel / kernel.sum(), mode="same")
    floor = float(np.median(smooth[voiced])) - th.SYLLABLE_BELOW_MEDIAN_DB
    peaks = np.flatnonzero((smooth[1:-1] > smooth[:-2]) & (smooth[1:-1] >= smooth[2:])) + 1
    nuclei: list[int] = []
    for peak in peaks:
        if not (voiced[peak] and pitched[max(0, peak - 2) : peak + 3].any() and smooth[peak] >= floor):
            continue
        if nuclei and smooth[peak] - smooth[nuclei[-1] : peak + 1].min() < th.SYLLABLE_MIN_DIP_DB:
            # No dip since the previous nucleus: the same syllable; the louder peak stands for it.
            if smooth[peak] > smooth[nuclei[-1]]:
                nuclei[-1] = int(peak)
            continue
        nuclei.append(int(peak))
    return np.array(nuclei, np.int64)


def words_per_minute(words: float, speech_s: float) -> float | None:
    """Pace over the time spent speaking (pauses included between the first and last word), or None
    with too little speech to tell."""
    if speech_s < th.PACE_MIN_SPEECH_S:
        return None
    return words * 60.0 / speech_s
