"""Voice cues from a segment's audio: speech, pauses, pitch, loudness, syllables and words.

Speech is earshot's voice activity (`voice_activity`), pitch is YIN (`pitch`), syllables are
loudness peaks in pitched speech (`pace`), all on the same 16 ms frames. With the speech extra
installed, each utterance bounded by voice activity is also transcribed, for filler words and
an exact word count (`fillers`): by default the utterances within the stretch, and for a
connection its `UtteranceFollower`'s, each whole however the stream was cut. Nothing here
understands meaning.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from app.analyzer import fillers
from app.analyzer import thresholds as th
from app.analyzer.pace import syllable_nuclei
from app.analyzer.pitch import pitch_track, spread_semitones
from app.analyzer.voice_activity import FRAME_SAMPLES, runs, voice_frames, voice_scores

log = logging.getLogger(__name__)

_SILENT_DBFS = -100.0

Hear = Callable[[np.ndarray, np.ndarray], tuple[fillers.Utterance, ...]]
"""A stretch's samples and its voice activity per frame → the utterances counted in it."""


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
    """Standard deviation of the syllables' levels (0 with fewer than two syllables)."""
    pitch_spread_st: float | None
    """Robust standard deviation of pitch in semitones; None with too few pitched frames."""
    utterances: int
    rising_endings: int
    pitch_median_hz: float | None = None
    syllables: int = 0
    speech_span_s: float = 0.0
    """From the first to the last frame of speech: the time pace is measured over."""
    words: int | None = None
    """Words the recogniser heard in the utterances ending here; None without the speech extra."""
    fillers: Counter[str] | None = None
    """Filler words in the same utterances; None without the speech extra."""
    heard_s: float = 0.0
    """How long those utterances are (an utterance ending here may have begun before)."""

    @property
    def pause_rate(self) -> float:
        """Pauses per 10 s."""
        return self.pauses * 10.0 / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class VoiceTrack:
    level_db: np.ndarray
    """Per 16 ms frame, dBFS."""
    voiced: np.ndarray
    """Per frame: speech, after bridging gaps and dropping clicks."""
    pitch_hz: np.ndarray
    """Per frame; NaN where there is no speech or no clear period."""
    nuclei: np.ndarray
    """Frame indices of syllable nuclei."""
    utterances: tuple[fillers.Utterance, ...] | None
    """The recogniser's words per utterance counted in this stretch; None without the speech extra."""

    def summary(self, start_s: float, end_s: float) -> VoiceSummary:
        lo = max(0, round(start_s / th.VOICE_HOP_S))
        hi = min(len(self.voiced), round(end_s / th.VOICE_HOP_S))
        seconds = max(0.0, end_s - start_s)
        heard = self._heard(start_s, end_s)
        if hi <= lo:
            return VoiceSummary(
                seconds, 0.0, 0.0, 0, 0.0, 0.0, None, 0, 0, words=heard[0], fillers=heard[1], heard_s=heard[2]
            )
        voiced = self.voiced[lo:hi]
        spans = runs(voiced)
        silences = [(nxt[0] - prev[1]) * th.VOICE_HOP_S for prev, nxt in pairwise(spans)]
        pauses = [s for s in silences if s >= th.PAUSE_MIN_S]
        pitch = self.pitch_hz[lo:hi]
        pitched = pitch[~np.isnan(pitch)]
        enough_pitch = len(pitched) >= th.PITCH_MIN_FRAMES
        nuclei = self.nuclei[(self.nuclei >= lo) & (self.nuclei < hi)]
        levels = self.level_db[nuclei]
        utterances = [(a, b) for a, b in spans if (b - a) * th.VOICE_HOP_S >= th.UTTERANCE_MIN_S]
        return VoiceSummary(
            seconds=seconds,
            speech_ratio=float(voiced.mean()),
            voiced_s=float(voiced.sum() * th.VOICE_HOP_S),
            pauses=len(pauses),
            longest_pause_s=max(pauses, default=0.0),
            loudness_spread_db=float(np.std(levels)) if len(levels) > 1 else 0.0,
            pitch_spread_st=spread_semitones(pitched) if enough_pitch else None,
            utterances=len(utterances),
            rising_endings=sum(_ends_rising(pitch[a:b]) for a, b in utterances),
            pitch_median_hz=float(np.median(pitched)) if enough_pitch else None,
            syllables=len(nuclei),
            speech_span_s=(spans[-1][1] - spans[0][0]) * th.VOICE_HOP_S if spans else 0.0,
            words=heard[0],
            fillers=heard[1],
            heard_s=heard[2],
        )

    def _heard(self, start_s: float, end_s: float) -> tuple[int | None, Counter[str] | None, float]:
        """Words, fillers and length of the utterances that end in [start_s, end_s): each is
        counted once. One that ended before the stretch began (closed in it) counts at its start,
        one still going at its end (the stream ended) in its last frame."""
        if self.utterances is None:
            return None, None, 0.0
        found: Counter[str] = Counter()
        words = 0
        seconds = 0.0
        last = max(0.0, len(self.voiced) * th.VOICE_HOP_S - 1e-6)
        for utterance in self.utterances:
            if start_s <= min(max(0.0, utterance.end_s), last) < end_s:
                found.update(fillers.count_fillers(utterance.text))
                words += fillers.count_words(utterance.text)
                seconds += utterance.end_s - utterance.start_s
        return words, found, seconds


def measure_voice(
    samples: np.ndarray, rate_hz: int = th.AUDIO_RATE_HZ, hear: Hear | None = None
) -> VoiceTrack:
    """`hear`: how the stretch's utterances are transcribed (by default each within the stretch)."""
    if rate_hz != th.AUDIO_RATE_HZ:
        raise ValueError(f"voice cues need {th.AUDIO_RATE_HZ} Hz audio, not {rate_hz} Hz")
    hop = FRAME_SAMPLES
    n = len(samples) // hop
    if n == 0:
        empty = np.zeros(0)
        none = np.zeros(0, np.int64)
        return VoiceTrack(empty, empty.astype(bool), empty, none, () if fillers.available() else None)
    frames = samples[: n * hop].reshape(n, hop).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    level_db = np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), _SILENT_DBFS)
    voiced = voice_frames(voice_scores(samples))
    pitch = pitch_track(samples, rate_hz, hop, voiced)
    nuclei = syllable_nuclei(level_db, voiced, ~np.isnan(pitch))
    utterances = None
    if fillers.available():
        utterances = (hear or _within)(samples, voiced)
    return VoiceTrack(level_db, voiced, pitch, nuclei, utterances)


def _within(samples: np.ndarray, voiced: np.ndarray) -> tuple[fillers.Utterance, ...]:
    return fillers.transcribe(samples, th.AUDIO_RATE_HZ, _utterance_spans(voiced))


def _utterance_spans(voiced: np.ndarray) -> list[tuple[float, float]]:
    """Stretches of speech joined across pauses shorter than `UTTERANCE_JOIN_S`, in seconds."""
    joined = runs(voiced)
    merged: list[tuple[int, int]] = []
    for start, end in joined:
        if merged and (start - merged[-1][1]) * th.VOICE_HOP_S < th.UTTERANCE_JOIN_S:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [(a * th.VOICE_HOP_S, b * th.VOICE_HOP_S) for a, b in merged]


def _ends_rising(pitch: np.ndarray) -> bool:
    """The utterance's last `RISING_END_S` is pitched `RISING_END_SEMITONES` above the low part
    (lower quartile) of the `RISING_BEFORE_S` before it: a question's ending climbs out of a dip."""
    pitched = np.flatnonzero(~np.isnan(pitch))
    if len(pitched) < th.PITCH_MIN_FRAMES:
        return False
    # The ending is the end of the voiced sound, not the voice activity's trailing breath.
    pitch = pitch[: pitched[-1] + 1]
    tail = max(1, round(th.RISING_END_S / th.VOICE_HOP_S))
    before = round(th.RISING_BEFORE_S / th.VOICE_HOP_S)
    end, lead = pitch[-tail:], pitch[-tail - before : -tail]
    end, lead = end[~np.isnan(end)], lead[~np.isnan(lead)]
    if len(end) == 0 or len(lead) == 0:
        return False
    return bool(12.0 * np.log2(np.median(end) / np.percentile(lead, 25)) >= th.RISING_END_SEMITONES)
