"""The voice cues on real recordings: voice activity on a real phone call (clean and with noise),
pitch against Praat and pace against the transcript on LibriVox read speech, and no stress read
into calm speech."""

from __future__ import annotations

import numpy as np
import parselmouth
import pytest
from support import recordings as rec

import bench.clips as seg
from app.analyzer import thresholds as th
from app.analyzer.analysis import analyse_segment
from app.analyzer.pitch import pitch_track
from app.analyzer.voice import measure_voice
from app.analyzer.voice_activity import voice_frames, voice_scores

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize(("snr_db", "at_least"), [(None, 0.95), (10.0, 0.93), (0.0, 0.90)])
def test_voice_activity_follows_the_speaker_turns_of_a_real_phone_call(
    snr_db: float | None, at_least: float
) -> None:
    call = rec.phone_call()
    sound = call.samples if snr_db is None else rec.with_noise(call.samples, call.speech, snr_db)
    found = voice_frames(voice_scores(sound))
    n = min(len(found), len(call.speech))
    accuracy = float(np.mean(found[:n] == call.speech[:n]))
    noise = "clean" if snr_db is None else f"{snr_db:g} dB SNR"
    print(f"voice activity, pyannote phone call, {noise}: {accuracy:.1%} of 16 ms frames right")
    assert accuracy >= at_least


def _praat(samples: np.ndarray, frames: int) -> np.ndarray:
    low, high = th.PITCH_RANGE_HZ
    pitch = parselmouth.Sound(samples.astype(np.float64), rec.RATE).to_pitch(
        time_step=th.VOICE_HOP_S, pitch_floor=low, pitch_ceiling=high
    )
    times = (np.arange(frames) + 0.5) * th.VOICE_HOP_S
    return np.array([pitch.get_value_at_time(t) for t in times])


def test_pitch_on_read_speech_matches_praat_within_a_semitone() -> None:
    for speech in rec.librivox():
        voiced = voice_frames(voice_scores(speech.samples))
        ours = pitch_track(speech.samples, rec.RATE, rec.HOP, voiced)
        praat = _praat(speech.samples, len(ours))
        both = ~np.isnan(ours) & ~np.isnan(praat)
        error = np.abs(12.0 * np.log2(ours[both] / praat[both]))
        octave_off = float(np.mean(error > 6.0))
        print(
            f"{speech.name}: {both.sum()} frames pitched by both, median error {np.median(error):.2f} "
            f"semitones, {np.mean(error > 1.0):.1%} over 1, {octave_off:.1%} an octave off; "
            f"median {np.nanmedian(ours):.0f} Hz (Praat {np.nanmedian(praat):.0f} Hz)"
        )
        assert both.sum() >= 0.8 * np.sum(~np.isnan(praat))
        assert np.median(error) <= 1.0
        assert octave_off <= 0.02


def test_pace_of_read_speech_is_within_15_percent_of_the_transcript() -> None:
    """Counted syllables always, and the recogniser's words where the speech extra is installed."""
    transcript = by_syllables = by_words = 0.0
    errors = []
    for speech in rec.librivox():
        heard = measure_voice(speech.samples).summary(0.0, len(speech.samples) / rec.RATE)
        estimate = heard.syllables / th.SYLLABLES_PER_WORD
        errors.append(estimate / len(speech.words) - 1.0)
        transcript += len(speech.words)
        by_syllables += estimate
        by_words += heard.words or 0
        print(
            f"{speech.name}: {len(speech.words)} words in {heard.speech_span_s:.2f} s of speech; "
            f"{heard.syllables} syllables -> {estimate:.1f} words ({errors[-1]:+.0%}); "
            f"recogniser {heard.words}"
        )
    print(f"LibriVox: syllables give {by_syllables / transcript - 1:+.1%} of the transcript's words")
    assert abs(by_syllables / transcript - 1.0) <= 0.15
    assert float(np.median(np.abs(errors))) <= 0.15
    if heard.words is not None:
        print(f"LibriVox: the recogniser gives {by_words / transcript - 1:+.1%} of the transcript's words")
        assert abs(by_words / transcript - 1.0) <= 0.15


def _read_segments() -> list[bytes]:
    """LibriVox read speech, one file after another, cut into 5 s segments with the astronaut."""
    sound = np.concatenate([speech.samples for speech in rec.librivox()])
    loud = rec.to_48k(sound / max(1e-6, float(np.abs(sound).max())) * 0.5)
    seconds = 5.0
    count = int(len(loud) / seg.AUDIO_RATE // seconds)
    picture = seg.with_noise(seg.still_face)
    step = round(seconds * seg.AUDIO_RATE)
    return [seg.encode_webm(seconds, picture, loud[k * step : (k + 1) * step]) for k in range(count)]


def test_calm_read_speech_raises_no_stress_above_low_and_reads_as_engaged() -> None:
    for k, data in enumerate(_read_segments()):
        found = analyse_segment(data)
        stress = [s for s in found.signals if s.type == "stress"]
        delivery = found.delivery
        print(
            f"segment {k + 1}: pitch {delivery.pitch_median_hz} Hz, varies {delivery.pitch_variety_st} "
            f"semitones; pace {delivery.pace_wpm} wpm ({delivery.pace_source}); "
            f"stress {stress[0].probability if stress else 'none'}"
        )
        assert all(s.probability == "low" for s in stress), stress
        assert delivery.pitch_variety_st is not None
        assert delivery.pitch_variety_st < th.STRAINED_PITCH_RANGE_ST[0]
        assert delivery.pitch_median_hz is not None
        assert 70 < delivery.pitch_median_hz < 130  # a calm male reader
        assert "engaged" in [w.state for w in found.engagement]


def test_a_question_ends_rising_and_a_statement_does_not() -> None:
    question = measure_voice(rec.espeak("Are you coming to the meeting tomorrow?")).summary(0.0, 9.0)
    statement = measure_voice(rec.espeak("I am coming to the meeting tomorrow.")).summary(0.0, 9.0)
    assert question.rising_endings >= 1
    assert statement.rising_endings == 0


def test_pauses_between_sentences_are_counted_and_measured() -> None:
    sentence = rec.espeak("We looked at the numbers.")
    gap = np.zeros(round(0.9 * rec.RATE), np.float32)
    sound = np.concatenate([sentence, gap, sentence, gap[: round(0.5 * rec.RATE)], sentence])
    heard = measure_voice(sound).summary(0.0, len(sound) / rec.RATE)
    assert heard.pauses == 2
    # espeak-ng's own leading and trailing silence adds to each gap.
    assert 0.9 <= heard.longest_pause_s <= 1.4
    assert heard.utterances == 3
