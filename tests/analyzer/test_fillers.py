"""Filler words from the speech extra's recogniser: sentences spoken by espeak-ng with "um" and
"uh" put in, a real phone call whose transcript marks two "you know", LibriVox read speech with
none; and, without the extra, a note instead of a zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from support import recordings as rec

from app.analyzer.fillers import count_fillers, transcribe
from app.analyzer.voice import measure_voice
from app.model.delivery import FILLERS_NEED_SPEECH_EXTRA

pytestmark = pytest.mark.timeout(300)

SPOKEN = rec.SPOKEN_WITH_FILLERS


def _fillers(samples: np.ndarray) -> Counter[str]:
    heard = measure_voice(samples).summary(0.0, len(samples) / rec.RATE)
    assert heard.fillers is not None
    return heard.fillers


def test_the_filler_words_put_into_spoken_sentences_are_counted() -> None:
    rec.speech_extra()
    put_in = sum(SPOKEN.values())
    counted = 0
    for text, expected in SPOKEN.items():
        found = _fillers(rec.espeak(text))
        print(f"{text!r}: {expected} put in, heard {dict(found)}")
        assert set(found) <= {"um", "uh"}
        counted += sum(found.values())
    print(f"espeak-ng sentences: {counted} fillers counted of {put_in} put in")
    assert 0.6 * put_in <= counted <= 1.3 * put_in


def test_a_real_phone_call_has_the_two_fillers_its_transcript_marks() -> None:
    rec.speech_extra()
    call = rec.phone_call()
    marked = sum((count_fillers(text) for _, _, text in call.words), Counter())
    assert marked == Counter({"you know": 2})  # the transcript's own words, read by our rule
    found = _fillers(call.samples)
    print(f"pyannote phone call: transcript marks {dict(marked)}, heard {dict(found)}")
    assert found == marked


def test_read_speech_without_fillers_has_none() -> None:
    rec.speech_extra()
    for speech in rec.librivox():
        assert sum(_fillers(speech.samples).values()) == 0, speech.name


def test_what_was_heard_before_does_not_come_back_as_a_filler() -> None:
    rec.speech_extra()
    clips = [speech.samples[: 6 * rec.RATE] for speech in rec.librivox()[:3]]

    def heard(samples: np.ndarray) -> str:
        (utterance,) = transcribe(samples, rec.RATE, [(0.0, len(samples) / rec.RATE)])
        return utterance.text

    alone = [heard(clip) for clip in clips]
    in_a_row = [heard(clip) for clip in clips + clips]
    print("alone:", alone, "in a row:", in_a_row, sep="\n")
    assert in_a_row == alone + alone
    assert not any(count_fillers(text) for text in in_a_row)


def test_the_rule_counts_fillers_not_words_that_look_like_them() -> None:
    found = count_fillers("Um, I like it. It was, like, fine, you know, and do you know him? Uhh, er, umm.")
    assert found == Counter({"um": 2, "uh": 2, "like": 1, "you know": 1})
    assert count_fillers("Umbrellas are under the summit.") == Counter()


_WITHOUT_EXTRA = """
import json, sys
sys.modules["moonshine_voice"] = None  # as if the speech extra were not installed
sys.path[:0] = ["tests"]
from support import recordings
import bench.clips as segments
from app.analyzer.analysis import analyse_segment
sound = recordings.to_48k(recordings.librivox()[0].samples[: 5 * 16000])
found = analyse_segment(segments.encode_webm(5.0, segments.still_face, sound))
print(json.dumps(found.delivery.model_dump()))
"""


def test_without_the_speech_extra_fillers_are_not_zero_but_a_note() -> None:
    rec.librivox()
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRA],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=rec.ROOT,
        env={**os.environ, "PYTHONPATH": str(rec.ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    delivery = json.loads(done.stdout.splitlines()[-1])
    assert delivery["fillers"] is None
    assert delivery["fillers_note"] == FILLERS_NEED_SPEECH_EXTRA
    assert delivery["pace_source"] == "syllables" and delivery["pace_wpm"] > 100
