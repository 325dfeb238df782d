"""Test media written with PyAV, and a sink that records what a source delivers.

The files are real files FFmpeg reads, with frames that say which one they are.

Every frame carries its index as a row of black/white blocks along the top (`frame_index` reads
it back), so a test can tell a dropped or repeated frame from a delivered one even through lossy
codecs. The sound is a steady tone, so a test can check its pitch and level after resampling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from capture.media import AUDIO_RATE_HZ, AudioChunk, CaptureError, VideoFrame, clock_now

INDEX_BITS = 12
BLOCK = 16
"""Block size in pixels: large enough to survive h264/VP8 at their default quality."""

_CODECS = {
    ".mp4": ("libx264", "aac"),
    ".mov": ("libx264", "aac"),
    ".mkv": ("libx264", "aac"),
    ".webm": ("libvpx", "libopus"),
}


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: Path
    frames: int
    fps: int
    width: int
    height: int
    audio_rate: int
    """0 when the file has no sound."""
    audio_channels: int
    tone_hz: float
    tone_peak: float
    """Peak amplitude of the tone, 0–1 of full scale."""

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def frame_image(index: int, width: int, height: int, *, black: bool = False) -> np.ndarray:
    """BGR picture `index` of a clip: a mid-grey field with a sliding bar and the index in blocks."""
    if black:
        return np.zeros((height, width, 3), np.uint8)
    image = np.full((height, width, 3), 96, np.uint8)
    bar = (index * 7) % max(1, width - 20)
    image[BLOCK * 2 :, bar : bar + 20] = (40, 160, 220)
    for bit in range(INDEX_BITS):
        value = 255 if (index >> bit) & 1 else 0
        image[:BLOCK, bit * BLOCK : (bit + 1) * BLOCK] = value
    return image


def frame_index(image: np.ndarray) -> int:
    """The index `frame_image` drew, read from block centres (robust to codec noise)."""
    centre = BLOCK // 2
    index = 0
    for bit in range(INDEX_BITS):
        if image[centre, bit * BLOCK + centre].mean() > 128:
            index |= 1 << bit
    return index


def write_media(
    path: Path,
    *,
    seconds: float = 2.0,
    fps: int = 25,
    width: int = 320,
    height: int = 240,
    video: bool = True,
    audio: bool = True,
    audio_rate: int = 48_000,
    audio_channels: int = 2,
    tone_hz: float = 440.0,
    tone_peak: float = 0.3,
    black: bool = False,
    faststart: bool = False,
) -> MediaFile:
    """Write a clip; codecs follow the suffix (mp4/mov/mkv: h264 + AAC, webm: VP8 + Opus)."""
    video_codec, audio_codec = _CODECS[path.suffix]
    frames = round(seconds * fps) if video else 0
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        vstream = None
        if video:
            vstream = container.add_stream(video_codec, rate=fps)
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
            vstream.codec_context.time_base = Fraction(1, fps)
        astream = None
        if audio:
            astream = container.add_stream(audio_codec, rate=audio_rate)
            astream.layout = "stereo" if audio_channels == 2 else "mono"
        tone = _Tone(astream, seconds, tone_hz, tone_peak) if astream is not None else None
        for i in range(frames):
            assert vstream is not None
            image = frame_image(i, width, height, black=black)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            container.mux(vstream.encode(frame))
            if tone is not None:
                # Interleaved as a recorder writes them, so a reader meets both streams in time order.
                tone.write_until(container, (i + 1) / fps)
        if vstream is not None:
            container.mux(vstream.encode(None))
        if tone is not None:
            tone.write_until(container, seconds)
            container.mux(tone.stream.encode(None))
    return MediaFile(
        path=path,
        frames=frames,
        fps=fps,
        width=width,
        height=height,
        audio_rate=audio_rate if audio else 0,
        audio_channels=audio_channels if audio else 0,
        tone_hz=tone_hz,
        tone_peak=tone_peak,
    )


class _Tone:
    """A sine written in 1024-sample frames, on every channel of `stream`."""

    STEP = 1024

    def __init__(self, stream: av.audio.stream.AudioStream, seconds: float, hz: float, peak: float) -> None:
        self.stream = stream
        self.rate = stream.rate
        self.channels = stream.layout.nb_channels
        self.total = round(seconds * self.rate)
        self.written = 0
        self.hz = hz
        self.peak = peak

    def write_until(self, container: av.container.OutputContainer, t: float) -> None:
        until = min(self.total, round(t * self.rate))
        while self.written < until:
            count = min(self.STEP, self.total - self.written)
            n = np.arange(self.written, self.written + count, dtype=np.float64)
            tone = (self.peak * np.sin(2 * np.pi * self.hz * n / self.rate)).astype(np.float32)
            planes = np.ascontiguousarray(np.repeat(tone[np.newaxis, :], self.channels, axis=0))
            frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout=self.stream.layout.name)
            frame.sample_rate = self.rate
            frame.pts = self.written
            frame.time_base = Fraction(1, self.rate)
            container.mux(self.stream.encode(frame))
            self.written += count


def truncate(path: Path, keep_fraction: float) -> None:
    """Cut the file short, as a crashed recorder or a broken download leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep_fraction)])


def garble(path: Path, start_fraction: float, length_fraction: float, seed: int = 7) -> None:
    """Overwrite a stretch in the middle with noise, as a bad disk sector would."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * start_fraction)
    length = int(len(data) * length_fraction)
    data[start : start + length] = np.random.default_rng(seed).integers(0, 256, length, np.uint8).tobytes()
    path.write_bytes(bytes(data))


class RecordingSink:
    """A `MediaSink` that keeps everything a source hands it, in order, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.frames: list[VideoFrame] = []
        self.chunks: list[AudioChunk] = []
        self.errors: list[CaptureError] = []
        self.recovered: list[str] = []
        self.finished: list[str] = []
        self.events: list[tuple[str, float]] = []
        """(kind, monotonic time) for every call: "video", "audio", "error", "recovered", "finished"."""

    def _note(self, kind: str) -> None:
        self.events.append((kind, clock_now()))

    def video_frame(self, frame: VideoFrame) -> None:
        with self._lock:
            self.frames.append(frame)
            self._note("video")

    def audio_chunk(self, chunk: AudioChunk) -> None:
        with self._lock:
            self.chunks.append(chunk)
            self._note("audio")

    def source_error(self, error: CaptureError) -> None:
        with self._lock:
            self.errors.append(error)
            self._note("error")

    def source_recovered(self, source: str) -> None:
        with self._lock:
            self.recovered.append(source)
            self._note("recovered")

    def source_finished(self, source: str) -> None:
        with self._lock:
            self.finished.append(source)
            self._note("finished")

    def kinds(self) -> list[str]:
        """The calls in order, with runs of media collapsed: ["video", "error", "recovered", "video"]."""
        with self._lock:
            collapsed: list[str] = []
            for kind, _ in self.events:
                if not collapsed or collapsed[-1] != kind or kind not in ("video", "audio"):
                    collapsed.append(kind)
            return collapsed

    def audio(self) -> np.ndarray:
        with self._lock:
            if not self.chunks:
                return np.zeros(0, np.int16)
            return np.concatenate([chunk.samples for chunk in self.chunks])

    @property
    def audio_samples(self) -> int:
        with self._lock:
            return sum(len(chunk.samples) for chunk in self.chunks)

    @property
    def audio_seconds(self) -> float:
        return self.audio_samples / AUDIO_RATE_HZ


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `predicate` for a source thread's progress; fail with `what` if it never comes."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.02)


def dominant_frequency(samples: np.ndarray, rate: int = AUDIO_RATE_HZ) -> float:
    """The strongest frequency in `samples`, in Hz (Hann window, resolution rate/len)."""
    window = np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * window))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def tone_peak(samples: np.ndarray) -> float:
    """A steady sine's amplitude as a fraction of full scale, from its RMS (lossy codecs add
    overshoots that make the raw maximum unreliable)."""
    as_float = samples.astype(np.float64) / 32768.0
    return float(np.sqrt(2.0 * np.mean(as_float * as_float)))
