"""Filler words ("um", "uh", "like", "you know") from moonshine-voice's small English recogniser.

The recogniser is the optional speech extra (`pip install -e '.[speech]'`, 114 MB with its model,
MIT). Without it `available()` is False and the delivery figures say "filler words need the speech
extra" rather than showing a count of zero. It hears fillers only in whole utterances (a cut in the
middle of one drops them), so it is given each stretch of speech bounded by voice activity, padded a
little on both sides. "like" and "you know" count only when set off by a comma, as the recogniser
writes them when they fill ("I like it" is no filler, "it was, like, fine" is).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.analyzer import thresholds as th
from app.analyzer.model_pool import ModelPool

log = logging.getLogger(__name__)

_FILLERS = re.compile(r"\b(?:(um+|uhm|erm|uh+|er)\b|(like|you know)(?=,))", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z']+")
_availability: list[bool] = []


@dataclass(frozen=True, slots=True)
class Utterance:
    start_s: float
    end_s: float
    text: str


def available() -> bool:
    """Whether the speech extra is installed (looked up once)."""
    if not _availability:
        try:
            import moonshine_voice  # noqa: F401  (the optional extra)
        except ImportError:
            _availability.append(False)
        else:
            _availability.append(True)
    return _availability[0]


def transcribe(samples: np.ndarray, rate_hz: int, spans: list[tuple[float, float]]) -> tuple[Utterance, ...]:
    """The words of each (start, end) stretch of speech, in seconds of `samples`."""
    pad = th.UTTERANCE_PAD_S
    out = []
    with _pool.borrowed() as recogniser:
        for start_s, end_s in spans:
            lo = max(0, round((start_s - pad) * rate_hz))
            hi = min(len(samples), round((end_s + pad) * rate_hz))
            out.append(Utterance(start_s, end_s, recogniser.words(samples[lo:hi], rate_hz)))
    return tuple(out)


def close_idle() -> None:
    """Closes the recognisers no analysis is using."""
    _pool.close_idle()


def count_fillers(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in _FILLERS.finditer(text):
        word = (match.group(1) or match.group(2)).lower()
        if match.group(1):
            # One name per filler, however the recogniser spelt it ("umm", "uhm", "er").
            word = "um" if word.startswith("um") or word in ("uhm", "erm") else "uh"
        found[word] += 1
    return found


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class _Recogniser:
    def __init__(self) -> None:
        import moonshine_voice

        self._transcriber: Any = moonshine_voice.Transcriber(
            model_path=str(moonshine_voice.get_model_path("tiny-en")),
            model_arch=moonshine_voice.ModelArch.TINY,
            # It would also tell speakers apart, which doubles its time and says nothing of fillers.
            options={"identify_speakers": "false"},
        )
        log.info("speech recogniser loaded for filler words")

    def close(self) -> None:
        self._transcriber.close()

    def words(self, samples: np.ndarray, rate_hz: int) -> str:
        if len(samples) == 0:
            return ""
        transcript = self._transcriber.transcribe_without_streaming(
            np.asarray(samples, np.float32).tolist(), rate_hz
        )
        # The recogniser keeps the end of one call's audio and hears it again at the start of the
        # next, as a phantom "Um," or "You": a second of silence flushes it (6.6 ms).
        self._transcriber.transcribe_without_streaming([0.0] * rate_hz, rate_hz)
        return " ".join(line.text.strip() for line in transcript.lines if line.text.strip())


_pool: ModelPool[_Recogniser] = ModelPool(_Recogniser, _Recogniser.close)
