"""Clips crafted with PyAV for benchmarks and tests: real WebM files (VP8 + Opus) of a chosen length
and content.

Pictures are functions of time returning a 640x480 BGR frame; sounds are mono float arrays at
48 kHz. Faces come only from real photographs (scikit-image's astronaut and LFW subset).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import av
import cv2
import numpy as np

from capture.encoder_config import MAX_SEGMENT_BYTES

FPS = 30
WIDTH, HEIGHT = 640, 480
AUDIO_RATE = 48_000
_OPUS_FRAME = 960

Picture = Callable[[float], np.ndarray]


def encode_webm(
    duration_s: float,
    picture: Picture | None,
    sound: np.ndarray | None,
    *,
    fps: int = FPS,
    bitrate_bps: int = 1_000_000,
) -> bytes:
    """A complete WebM file: VP8 from `picture` (if any) and Opus from `sound` (if any)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as out:
        video = None
        if picture is not None:
            video = out.add_stream("libvpx", rate=fps, options={"deadline": "realtime", "cpu-used": "8"})
            video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            video.bit_rate = bitrate_bps
        audio = None
        if sound is not None:
            audio = out.add_stream("libopus", rate=AUDIO_RATE)
            audio.layout = "mono"
        if video is not None and picture is not None:
            for i in range(round(duration_s * fps)):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture(i / fps)), format="bgr24")
                frame.pts = i
                out.mux(video.encode(frame))
            out.mux(video.encode())
        if audio is not None and sound is not None:
            samples = _fit(sound, duration_s)
            for start in range(0, len(samples), _OPUS_FRAME):
                chunk = samples[start : start + _OPUS_FRAME].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate, frame.pts = AUDIO_RATE, start
                out.mux(audio.encode(frame))
            out.mux(audio.encode())
    return buffer.getvalue()


def truncated(data: bytes, keep: float = 0.4) -> bytes:
    """The file cut off after `keep` of its bytes, as a dropped upload would leave it."""
    return data[: int(len(data) * keep)]


def oversized() -> bytes:
    return b"\x1a\x45\xdf\xa3" + bytes(MAX_SEGMENT_BYTES + 1 - 4)


# --- pictures -------------------------------------------------------------------------------


def card(t: float) -> np.ndarray:
    """A face-free synthetic test card with a moving bar, so that it is neither dark nor frozen."""
    frame = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    frame[:] = np.linspace(60, 200, WIDTH, dtype=np.uint8)[None, :, None]
    frame[:, :, 0] = 140
    x = int((t * 160) % WIDTH)
    cv2.rectangle(frame, (x, 0), (x + 40, HEIGHT), (20, 220, 240), -1)
    cv2.putText(frame, "NO SIGNAL", (150, 250), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 4)
    return frame


def dark(t: float) -> np.ndarray:
    """A lens-cap picture: near black with a little sensor noise."""
    rng = np.random.default_rng(int(t * 1000))
    return rng.integers(0, 12, (HEIGHT, WIDTH, 3), dtype=np.uint8)


def frozen(picture: Picture) -> Picture:
    """The first frame of `picture`, forever: a stalled camera."""
    first = picture(0.0)
    return lambda _t: first


@cache
def astronaut() -> np.ndarray:
    """scikit-image's astronaut photograph scaled to 640x640 BGR (the face near the top middle)."""
    from skimage import data

    return cv2.resize(data.astronaut()[:, :, ::-1], (640, 640), interpolation=cv2.INTER_AREA)


def nodding(t: float, *, rate_hz: float = 1.5, amplitude_px: int = 25) -> np.ndarray:
    """The astronaut nodding: the picture moves up and down, as a head does in a nod."""
    y0 = round(60 + amplitude_px * np.sin(2 * np.pi * rate_hz * t))
    return np.ascontiguousarray(astronaut()[y0 : y0 + HEIGHT])


def still_face(t: float) -> np.ndarray:
    """The astronaut holding still (add `with_noise` for a live camera's look)."""
    return nodding(0.0)


def panning(t: float) -> np.ndarray:
    """The astronaut drifting sideways and slowly zooming, with no vertical oscillation."""
    scale = 1.0 + 0.08 * t / 4.0
    shift = 60 * np.sin(2 * np.pi * 0.4 * t)
    matrix = np.array([[scale, 0, shift - (scale - 1) * 320], [0, scale, -60 - (scale - 1) * 240]])
    return cv2.warpAffine(astronaut(), matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)


@cache
def _lfw(index: int) -> np.ndarray:
    from skimage import data

    face = (data.lfw_subset()[index] * 255).astype(np.uint8)
    return cv2.cvtColor(cv2.resize(face, (200, 200), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR)


def lfw_face(index: int = 3) -> Picture:
    """A face from scikit-image's LFW subset (25x25), enlarged on a grey backdrop and swaying."""
    face = _lfw(index)

    def picture(t: float) -> np.ndarray:
        frame = np.full((HEIGHT, WIDTH, 3), 120, np.uint8)
        x0 = 220 + round(40 * np.sin(2 * np.pi * 0.5 * t))
        frame[140:340, x0 : x0 + 200] = face
        return frame

    return picture


def with_noise(picture: Picture, sigma: float = 2.0) -> Picture:
    """`picture` with camera-like sensor noise, so that a still scene is not frozen."""
    # Seven noise fields in turn: cheap to add, and no two nearby frames share one.
    rng = np.random.default_rng(1)
    fields = [rng.normal(0, sigma, (HEIGHT, WIDTH, 1)).round().astype(np.int16) for _ in range(7)]

    def noisy(t: float) -> np.ndarray:
        frame = picture(t).astype(np.int16) + fields[round(t * FPS) % len(fields)]
        return np.clip(frame, 0, 255).astype(np.uint8)

    return noisy


# --- sounds ---------------------------------------------------------------------------------


def silence(duration_s: float) -> np.ndarray:
    return np.zeros(round(duration_s * AUDIO_RATE), np.float32)


def room_noise(duration_s: float, level: float = 0.003) -> np.ndarray:
    return (np.random.default_rng(7).normal(0, level, round(duration_s * AUDIO_RATE))).astype(np.float32)


def voice_like(duration_s: float, *, pitch_hz: float = 140.0, pauses_s: tuple[float, ...] = ()) -> np.ndarray:
    """A harmonic tone with a gliding pitch, amplitude-modulated into syllables at 4 Hz, over room
    noise; each entry of `pauses_s` is a silence inserted after the next second of 'speech'."""
    t = np.arange(round(duration_s * AUDIO_RATE)) / AUDIO_RATE
    f0 = pitch_hz * 2 ** (3 * np.sin(2 * np.pi * 0.7 * t) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / AUDIO_RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 0.5
    envelope = syllables.copy()
    start = 1.0
    for pause in pauses_s:
        envelope[(t >= start) & (t < start + pause)] = 0
        start += pause + 1.0
    return (0.15 * tone * envelope).astype(np.float32) + room_noise(duration_s)


@cache
def _espeak(text: str) -> np.ndarray | None:
    if shutil.which("espeak-ng") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
        with av.open(str(path)) as container:
            parts = [
                out.to_ndarray().reshape(-1)
                for f in container.decode(audio=0)
                for out in resampler.resample(f)
            ]
    return np.concatenate(parts)


def speech(
    duration_s: float, text: str = "Hello, thanks for having me. Let me show you what we built."
) -> np.ndarray | None:
    """Synthetic speech from espeak-ng over room noise, or None where espeak-ng is missing."""
    voice = _espeak(text)
    if voice is None:
        return None
    return _fit(0.5 * voice, duration_s) + room_noise(duration_s)


def _fit(sound: np.ndarray, duration_s: float) -> np.ndarray:
    n = round(duration_s * AUDIO_RATE)
    out = np.zeros(n, np.float32)
    out[: min(n, len(sound))] = sound[:n]
    return out
