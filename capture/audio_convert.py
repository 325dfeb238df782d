"""Microphone bytes into the pipeline's audio: 48 kHz mono int16, stamped on the session clock.

Plain numpy and PyAV, no Qt: `capture/microphone.py` feeds these from QAudioSource's callbacks.
"""

from __future__ import annotations

import logging

import av
import numpy as np

from capture.media import AUDIO_RATE_HZ

log = logging.getLogger(__name__)

_DTYPES: dict[str, type[np.integer] | type[np.floating]] = {
    "u8": np.uint8,
    "s16": np.int16,
    "s32": np.int32,
    "flt": np.float32,
}


class AudioConverter:
    """Raw bytes in the device's format → 48 kHz mono int16. Keeps partial frames between calls."""

    def __init__(self, sample_format: str, channels: int, rate: int) -> None:
        self._dtype = np.dtype(_DTYPES[sample_format])
        self._format = sample_format
        self._channels = channels
        self._rate = rate
        self._frame_bytes = self._dtype.itemsize * channels
        self._rest = b""
        self.passthrough = (sample_format, channels, rate) == ("s16", 1, AUDIO_RATE_HZ)
        self._resampler = (
            None if self.passthrough else av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE_HZ)
        )

    def convert(self, data: bytes) -> np.ndarray:
        if self._rest:
            data = self._rest + data
        usable = len(data) - len(data) % self._frame_bytes
        self._rest = data[usable:]
        raw = np.frombuffer(data, self._dtype, count=usable // self._dtype.itemsize)
        if self._resampler is None:
            return raw
        frame = av.AudioFrame.from_ndarray(self._mono_float(raw)[np.newaxis, :], format="flt", layout="mono")
        frame.sample_rate = self._rate
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.int16, copy=False) if out else np.zeros(0, np.int16)

    def _mono_float(self, raw: np.ndarray) -> np.ndarray:
        """Channels averaged, scaled to ±1.0."""
        if self._format == "u8":
            scaled = (raw.astype(np.float32) - 128.0) / 128.0
        elif self._format == "flt":
            scaled = raw.astype(np.float32, copy=False)
        else:
            scaled = raw.astype(np.float32) / float(np.iinfo(self._dtype).max + 1)
        if self._channels > 1:
            scaled = scaled.reshape(-1, self._channels).mean(axis=1, dtype=np.float32)
        return np.ascontiguousarray(scaled)


class AudioStamper:
    """Session times for consecutive chunks from the sample count, kept near the session clock."""

    SMOOTHING = 0.05
    DEADBAND_S = 0.010
    SLEW = 0.002
    """Largest correction per chunk, as a fraction of the chunk's duration (0.2 %: inaudible
    in the timing, yet ten times any sound card's drift)."""
    RESYNC_S = 0.25

    def __init__(self) -> None:
        self._anchor: float | None = None
        self._samples = 0
        self._error = 0.0
        self.floor = 0.0
        """No chunk is stamped before this (the end of the last one), so times never go back."""
        self.resyncs = 0

    def restart(self) -> None:
        """A new stream (after a device came back): the next chunk anchors afresh."""
        self._anchor = None
        self._samples = 0
        self._error = 0.0

    def stamp(self, count: int, now: float) -> float:
        duration = count / AUDIO_RATE_HZ
        if self._anchor is None:
            self._anchor = max(now - duration, self.floor)
            self._samples = 0
        t = self._anchor + self._samples / AUDIO_RATE_HZ
        self._samples += count
        self.floor = t + duration
        self._error += self.SMOOTHING * ((now - self.floor) - self._error)
        if abs(self._error) > self.RESYNC_S:
            jump = now - self.floor
            log.info("audio time re-anchored by %+.3f s", jump)
            # Never back before the end of this chunk: times only go forward.
            self._anchor = max(self._anchor + jump, self.floor - self._samples / AUDIO_RATE_HZ)
            self._error = 0.0
            self.resyncs += 1
        elif abs(self._error) > self.DEADBAND_S:
            step = float(np.clip(self._error, -self.SLEW * duration, self.SLEW * duration))
            self._anchor += step
            self._error -= step
        return t
