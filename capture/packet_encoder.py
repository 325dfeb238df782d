"""The one encode of a session: a VP8/VP9 encoder and an Opus encoder whose packets every output
shares (the standalone segments and the live stream are both muxed from them).

Time is session time throughout: video packets are stamped in milliseconds, audio packets by
the session sample where their decoded output starts. The Opus encoder is started so that its
packets tile the sample line on a 20 ms grid anchored at `origin_sample`; an output starting on
that grid begins on a packet boundary, and takes the `WARMUP_SAMPLES` before it as pre-roll (its
CodecDelay) so its first sample decodes as it would mid-stream. Audio reaches the encoder as one
unbroken line: holes are filled with silence.

A new video bitrate takes effect at the next keyframe, with a fresh video encoder (a VP8/VP9
keyframe needs nothing that came before it). Everything here belongs to the encoder's worker.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np
from av.video.frame import PictureType

from capture.codec_settings import (
    AUDIO_TIME_BASE,
    ENCODER_NAMES,
    VIDEO_TIME_BASE,
    CodecSettings,
    Letterbox,
    video_options,
)
from capture.media import AUDIO_RATE_HZ
from capture.webm_mux import TrackSetup

log = logging.getLogger(__name__)

OPUS_FRAME = 960
"""Samples per Opus packet: 20 ms at 48 kHz."""
WARMUP_SAMPLES = 4 * OPUS_FRAME
"""Pre-roll before each output's first sample: Opus' recommended 80 ms."""
_PRE_SKIP_AT = 10
"""Byte offset of the pre-skip field in an OpusHead."""


@dataclass(frozen=True, slots=True)
class VideoPacket:
    pts_ms: int
    keyframe: bool
    data: bytes


@dataclass(frozen=True, slots=True)
class AudioPacket:
    start: int
    """Session sample of the first decoded sample; every packet decodes to `OPUS_FRAME` samples."""
    data: bytes

    @property
    def end(self) -> int:
        return self.start + OPUS_FRAME


class PacketEncoder:
    def __init__(self, settings: CodecSettings, letterbox: Letterbox, origin_sample: int) -> None:
        self._settings = settings
        self._letterbox = letterbox
        self._bitrate = settings.video_bitrate_bps
        self._video = self._open_video(self._bitrate)
        self._restart_video = False
        self._audio = self._open_audio()
        self._pre_skip = int.from_bytes(
            bytes(self._audio.extradata or b"")[_PRE_SKIP_AT : _PRE_SKIP_AT + 2], "little"
        )
        self.fed = origin_sample - WARMUP_SAMPLES + self._pre_skip
        """The next session sample the Opus encoder takes (what is before it is encoded)."""
        self.covered = origin_sample - WARMUP_SAMPLES
        """Where the decoded output of the packets produced so far ends."""
        self._lead_in = self.encode_silence(origin_sample)

    @property
    def track_setup(self) -> TrackSetup:
        head = bytearray(self._audio.extradata or b"")
        head[_PRE_SKIP_AT : _PRE_SKIP_AT + 2] = WARMUP_SAMPLES.to_bytes(2, "little")
        settings = self._settings
        return TrackSetup(settings.codec, settings.width, settings.height, bytes(head), WARMUP_SAMPLES)

    def take_lead_in(self) -> list[AudioPacket]:
        """The packets encoded from the silence before the origin (the first output's pre-roll)."""
        packets, self._lead_in = self._lead_in, []
        return packets

    # --- video ---

    def set_video_bitrate(self, bitrate_bps: int) -> None:
        if bitrate_bps != self._bitrate:
            self._bitrate = bitrate_bps
            self._restart_video = True

    def encode_video(self, image: np.ndarray, pts_ms: int, keyframe: bool) -> list[VideoPacket]:
        """Encode one BGR picture; `keyframe` asks for a keyframe (a pending bitrate change waits
        for one). A picture that cannot be converted raises before the encoder sees it."""
        frame = av.VideoFrame.from_ndarray(self._letterbox.to_i420(image), format="yuv420p")
        frame.pts = pts_ms
        frame.time_base = VIDEO_TIME_BASE
        if keyframe:
            frame.pict_type = PictureType.I
            if self._restart_video:
                self._video = self._open_video(self._bitrate)
                self._restart_video = False
        return [
            VideoPacket(int(p.pts or 0), bool(p.is_keyframe), bytes(p)) for p in self._video.encode(frame)
        ]

    def flush_video(self) -> list[VideoPacket]:
        return [VideoPacket(int(p.pts or 0), bool(p.is_keyframe), bytes(p)) for p in self._video.encode(None)]

    def reset_video(self) -> None:
        """After an encoding error: a fresh encoder, whose first picture is a keyframe."""
        self._video = self._open_video(self._bitrate)
        self._restart_video = False

    # --- audio ---

    def encode_samples(self, samples: np.ndarray) -> list[AudioPacket]:
        """Encode captured samples that continue the line at `fed`."""
        if len(samples) == 0:
            return []
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = AUDIO_RATE_HZ
        frame.pts = self.fed
        frame.time_base = AUDIO_TIME_BASE
        self.fed += len(samples)
        return self._audio_packets(self._audio.encode(frame))

    def encode_silence(self, until_sample: int) -> list[AudioPacket]:
        if until_sample <= self.fed:
            return []
        return self.encode_samples(np.zeros(until_sample - self.fed, np.int16))

    def output_needs(self, sample: int) -> int:
        """How far the input must reach for the packets covering up to `sample` to be out."""
        return sample + self._pre_skip

    def flush_audio(self) -> list[AudioPacket]:
        """The last packets; the encoder takes nothing after this."""
        return self._audio_packets(self._audio.encode(None))

    def _audio_packets(self, packets: list[av.Packet[Any]]) -> list[AudioPacket]:
        out = []
        for packet in packets:
            # The encoder stamps a packet by its input position less the pre-skip: its output's start.
            start = int(packet.pts or 0)
            out.append(AudioPacket(start, bytes(packet)))
            self.covered = max(self.covered, start + OPUS_FRAME)
        return out

    # --- set-up ---

    def _open_video(self, bitrate_bps: int) -> av.VideoCodecContext:
        settings = self._settings
        context = av.CodecContext.create(ENCODER_NAMES[settings.codec], "w")
        assert isinstance(context, av.VideoCodecContext)
        context.width, context.height = settings.width, settings.height
        context.pix_fmt = "yuv420p"
        context.time_base = VIDEO_TIME_BASE
        context.framerate = Fraction(round(settings.fps))
        context.bit_rate = bitrate_bps
        context.options = video_options(_with_bitrate(settings, bitrate_bps))
        context.open()
        return context

    def _open_audio(self) -> av.AudioCodecContext:
        context = av.CodecContext.create("libopus", "w")
        assert isinstance(context, av.AudioCodecContext)
        context.sample_rate = AUDIO_RATE_HZ
        context.layout = "mono"
        context.format = "s16"
        context.bit_rate = self._settings.audio_bitrate_bps
        context.time_base = AUDIO_TIME_BASE
        context.options = {"vbr": "off"}
        context.open()
        return context


def _with_bitrate(settings: CodecSettings, bitrate_bps: int) -> CodecSettings:
    return dataclasses.replace(settings, video_bitrate_bps=bitrate_bps)
