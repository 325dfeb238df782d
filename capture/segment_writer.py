"""One standalone WebM segment being written: a fresh container with fresh VP8/VP9 and Opus encoders.

A fresh encoder per segment is the simplest honest way to make every file start on a keyframe and
decode alone; bench/encoder.py measures what it costs. All PyAV objects here belong to the thread
that made the writer (the encoder's worker).

Time inside a segment is relative to the window's start `t0`: video pts in milliseconds (Matroska's
own timestamp unit, so two frames can never collide after muxing), audio pts in samples. FFmpeg
records Opus' pre-skip as the track's CodecDelay and shifts the blocks to match, so a decoder that
honours it (FFmpeg, browsers) puts sample 0 at time 0, where the video's t0 is.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import av
import cv2
import numpy as np
from av.video.stream import VideoStream

from capture.media import AUDIO_RATE_HZ
from capture.picture_fit import PictureFit

log = logging.getLogger(__name__)

VIDEO_TIME_BASE = Fraction(1, 1000)
AUDIO_TIME_BASE = Fraction(1, AUDIO_RATE_HZ)
ENCODER_NAMES: dict[str, Literal["libvpx", "libvpx-vp9"]] = {"vp8": "libvpx", "vp9": "libvpx-vp9"}
VP8_CPU_USED = 16
"""libvpx's fastest realtime speed. On our test card it encodes 720p30 in about half the time of
12 with no measurable loss of quality at a fixed bitrate (both around 41 dB PSNR)."""
VP9_CPU_USED = 8
"""The fastest realtime speed libvpx-vp9 accepts."""


@dataclass(frozen=True, slots=True)
class WriterSettings:
    codec: str
    width: int
    height: int
    fps: float
    video_bitrate_bps: int
    audio_bitrate_bps: int
    threads: int


def video_options(settings: WriterSettings) -> dict[str, str]:
    """libvpx settings for live video: realtime deadline, no look-ahead, constant bitrate over a
    one-second buffer, no keyframe inside a segment (each one starts with its own)."""
    bitrate = str(settings.video_bitrate_bps)
    options = {
        "deadline": "realtime",
        "lag-in-frames": "0",
        "minrate": bitrate,
        "maxrate": bitrate,
        "bufsize": bitrate,
        "rc_init_occupancy": str(settings.video_bitrate_bps // 2),
        "undershoot-pct": "100",
        "overshoot-pct": "15",
        "g": str(max(1, round(settings.fps * 10))),
        "threads": str(settings.threads),
    }
    if settings.codec == "vp9":
        tile_columns = max(0, settings.threads.bit_length() - 1)
        options.update({"cpu-used": str(VP9_CPU_USED), "row-mt": "1", "tile-columns": str(tile_columns)})
        options["aq-mode"] = "3"  # cyclic refresh: the mode libvpx tunes for real-time video
    else:
        options["cpu-used"] = str(VP8_CPU_USED)
    return options


class Letterbox:
    """Fits pictures of any size into the output size (`PictureFit`), then converts BGR to the I420
    planes the VPx encoders take."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._fit = PictureFit(width, height)

    def to_i420(self, image: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(self._fit.fit(image), cv2.COLOR_BGR2YUV_I420)


class SegmentWriter:
    """Writes session time [t0, t1) (samples [first_sample, end_sample)) into one WebM in memory.

    The audio track always covers the whole window: stretches without captured audio are filled
    with silence, so every segment has both tracks of the contract and they stay aligned.
    """

    def __init__(
        self,
        settings: WriterSettings,
        letterbox: Letterbox,
        t0: float,
        first_sample: int,
        end_sample: int,
    ) -> None:
        self.t0 = t0
        self.first_sample = first_sample
        self.end_sample = end_sample
        self.video_frames = 0
        self.audio_samples = 0
        """Captured samples written (silence not included)."""
        self.silence_samples = 0
        self._letterbox = letterbox
        self._written_until = first_sample
        self._last_pts = -1
        self._held: av.Packet[VideoStream] | None = None
        self._buffer = io.BytesIO()
        self._container = av.open(self._buffer, "w", format="webm")
        try:
            self._video = self._container.add_stream(
                ENCODER_NAMES[settings.codec], rate=round(settings.fps), options=video_options(settings)
            )
            self._video.width, self._video.height = settings.width, settings.height
            self._video.pix_fmt = "yuv420p"
            self._video.bit_rate = settings.video_bitrate_bps
            self._video.codec_context.time_base = VIDEO_TIME_BASE
            self._audio = self._container.add_stream("libopus", rate=AUDIO_RATE_HZ, options={"vbr": "off"})
            self._audio.layout = "mono"
            self._audio.bit_rate = settings.audio_bitrate_bps
        except Exception:
            self._container.close()
            raise

    @property
    def has_video(self) -> bool:
        return self.video_frames > 0

    def add_video(self, image: np.ndarray, t: float) -> bool:
        """Encode one BGR picture taken at session time `t`. False (and nothing written) when its
        millisecond is not after the previous frame's: two frames may not share a timestamp."""
        pts = round((t - self.t0) * 1000)
        if pts <= self._last_pts:
            return False
        frame = av.VideoFrame.from_ndarray(self._letterbox.to_i420(image), format="yuv420p")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        for packet in self._video.encode(frame):
            self._mux_video(packet)
        self._last_pts = pts
        self.video_frames += 1
        return True

    def add_audio(self, samples: np.ndarray, at_sample: int) -> int:
        """Encode captured samples whose first one is session sample `at_sample`. A hole before them
        is filled with silence; samples before what is already written (or past the window) are not
        written. Returns how many were left out."""
        start = max(at_sample, self._written_until)
        stop = min(at_sample + len(samples), self.end_sample)
        if start >= stop:
            return len(samples)
        self._fill_silence(min(at_sample, self.end_sample))
        self._encode_audio(samples[start - at_sample : stop - at_sample])
        self.audio_samples += stop - start
        return len(samples) - (stop - start)

    def finish(self, end_sample: int | None = None) -> bytes:
        """Complete the file up to `end_sample` (the window's end by default) and return it."""
        end = self.end_sample if end_sample is None else min(end_sample, self.end_sample)
        try:
            self._fill_silence(end)
            for packet in self._audio.encode(None):
                self._container.mux(packet)
            for packet in self._video.encode(None):
                self._mux_video(packet)
            if self._held is not None:
                end_pts = round((end - self.first_sample) * 1000 / AUDIO_RATE_HZ)
                self._held.duration = max(1, end_pts - int(self._held.pts or 0))
                self._container.mux(self._held)
                self._held = None
        finally:
            self._container.close()
        return self._buffer.getvalue()

    def close(self) -> None:
        """Abandon the segment (nothing is returned)."""
        self._container.close()

    def _mux_video(self, packet: av.Packet[VideoStream]) -> None:
        # One packet is held back until the next arrives, so each gets its real duration and the
        # last one lasts until the segment's end (variable frame rate included).
        if self._held is not None:
            self._held.duration = max(1, int(packet.pts or 0) - int(self._held.pts or 0))
            self._container.mux(self._held)
        self._held = packet

    def _fill_silence(self, until_sample: int) -> None:
        if until_sample > self._written_until:
            count = until_sample - self._written_until
            self._encode_audio(np.zeros(count, dtype=np.int16))
            self.silence_samples += count

    def _encode_audio(self, samples: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = AUDIO_RATE_HZ
        frame.pts = self._written_until - self.first_sample
        frame.time_base = AUDIO_TIME_BASE
        for packet in self._audio.encode(frame):
            self._container.mux(packet)
        self._written_until += len(samples)
