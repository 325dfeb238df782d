"""A deterministic test signal: a moving test card with a white flash and a 1 kHz beep every second.

It stands in for a camera and a microphone wherever real devices are missing (tests, benchmarks,
demos) and doubles as an A/V sync probe: the flash and the beep start at the same session time,
so a decoded segment shows at once whether the two tracks are aligned.
"""

from __future__ import annotations

import logging
import math
import threading

import cv2
import numpy as np

from capture.media import (
    AUDIO_RATE_HZ,
    AudioChunk,
    CaptureError,
    MediaSink,
    SessionClock,
    SourceInfo,
    VideoFrame,
)

log = logging.getLogger(__name__)

SOURCE_NAME = "synthetic"
CHUNK_SAMPLES = 960
"""20 ms of audio per chunk, what a microphone callback typically hands over."""
BEEP_HZ = 1000.0
BEEP_SAMPLES = AUDIO_RATE_HZ // 20
"""50 ms."""
BEEP_AMPLITUDE = 0.5
"""-6 dBFS: loud enough to stand out of any codec noise."""
TONE_HZ = 220.0
TONE_AMPLITUDE = 10 ** (-30 / 20)
"""-30 dBFS: a quiet hum between beeps, so the audio track is never digital silence."""

_SCROLL_PERIOD_PX = 256
_SENSOR_NOISE_LEVEL = 6
_SLACK = 1e-9
"""Keeps exact products such as 30 * 1.0 from rounding to the neighbouring frame."""


def is_flash_frame(n: int, fps: float) -> bool:
    """Frame n is white when it is the first frame at or after a whole second of session time."""
    return n == _first_frame_at(math.floor(n / fps + _SLACK), fps)


def _first_frame_at(t: float, fps: float) -> int:
    return math.ceil(t * fps - _SLACK)


class CardPainter:
    """Draws frame n of the card: a scrolling gradient, colour bars with texture, a bouncing disc,
    a sweeping hand, sensor-like noise and the frame counter and time in print.

    The parts echo what makes camera content cost bits (motion, edges, fine noise) so the encoder
    is measured on something like real work, not on a flat picture.
    """

    def __init__(self, width: int, height: int, fps: float) -> None:
        self.width, self.height, self.fps = width, height, fps
        rng = np.random.default_rng(20240601)
        x = np.arange(width + _SCROLL_PERIOD_PX, dtype=np.float32)
        y = np.arange(height, dtype=np.float32)[:, None]
        phase = 2 * np.pi * x / _SCROLL_PERIOD_PX
        backdrop = np.empty((height, width + _SCROLL_PERIOD_PX, 3), dtype=np.uint8)
        backdrop[..., 0] = (110 + 70 * np.sin(phase) + 0 * y).astype(np.uint8)
        backdrop[..., 1] = (90 + 50 * np.cos(phase + y / height * np.pi)).astype(np.uint8)
        backdrop[..., 2] = (100 + 60 * y / height + 0 * x).astype(np.uint8)
        self._backdrop = backdrop
        bar_top = height * 2 // 3
        colours = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0)]
        colours += [(192, 0, 192), (0, 0, 192), (192, 0, 0), (16, 16, 16)]
        bars = np.zeros((height - bar_top, width, 3), dtype=np.uint8)
        for i, colour in enumerate(colours):
            bars[:, i * width // len(colours) : (i + 1) * width // len(colours)] = colour
        texture = rng.integers(0, 24, size=bars.shape[:2], dtype=np.uint8)[..., None]
        self._bars = cv2.add(bars, np.repeat(texture, 3, axis=2))
        self._bar_top = bar_top
        noise_shape = (height + 64, width + 64)
        self._noise = np.repeat(
            rng.integers(0, _SENSOR_NOISE_LEVEL, size=noise_shape, dtype=np.uint8)[..., None], 3, axis=2
        )
        self._font_scale = max(0.4, height / 480 * 0.8)

    def frame(self, n: int) -> np.ndarray:
        if is_flash_frame(n, self.fps):
            return np.full((self.height, self.width, 3), 255, dtype=np.uint8)
        t = n / self.fps
        w, h = self.width, self.height
        offset = (n * 4) % _SCROLL_PERIOD_PX
        image = np.ascontiguousarray(self._backdrop[:, offset : offset + w])
        image[self._bar_top :] = self._bars
        radius = max(8, h // 8)
        cx = int(radius + (w - 2 * radius) * (0.5 + 0.5 * math.sin(t * 1.3)))
        cy = int(radius + (self._bar_top - 2 * radius) * (0.5 + 0.5 * math.sin(t * 2.1 + 1.0)))
        cv2.circle(image, (cx, cy), radius, (40, 170, 230), -1, cv2.LINE_AA)
        cv2.circle(image, (cx - radius // 3, cy - radius // 4), radius // 6, (30, 30, 30), -1, cv2.LINE_AA)
        cv2.circle(image, (cx + radius // 3, cy - radius // 4), radius // 6, (30, 30, 30), -1, cv2.LINE_AA)
        centre = (w * 3 // 4, h // 3)
        angle = 2 * math.pi * (t % 1.0)
        tip = (
            int(centre[0] + radius * 1.5 * math.sin(angle)),
            int(centre[1] - radius * 1.5 * math.cos(angle)),
        )
        cv2.line(image, centre, tip, (250, 250, 250), max(2, h // 160), cv2.LINE_AA)
        dx, dy = (n * 7) % 64, (n * 13) % 64
        cv2.add(image, self._noise[dy : dy + h, dx : dx + w], dst=image)
        self._print(image, f"frame {n:06d}", 0)
        self._print(image, f"t {t:9.3f} s", 1)
        return image

    def _print(self, image: np.ndarray, text: str, line: int) -> None:
        scale = self._font_scale
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        # Bottom left: the corner the app's overlay leaves free, so the counter stays readable.
        y = int(image.shape[0] - 12 - base - (1 - line) * (th + base + 8))
        cv2.rectangle(image, (6, y - th - 6), (14 + tw, y + base), (0, 0, 0), -1)
        cv2.putText(image, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2, cv2.LINE_AA)


def tone_samples(first_sample: int, count: int) -> np.ndarray:
    """Samples `first_sample` .. `first_sample + count` of the signal: the hum, or the beep in the
    first 50 ms of every second. int16 mono at `AUDIO_RATE_HZ`."""
    k = np.arange(first_sample, first_sample + count, dtype=np.int64)
    seconds = k / AUDIO_RATE_HZ
    in_beep = (k % AUDIO_RATE_HZ) < BEEP_SAMPLES
    signal = np.where(
        in_beep,
        BEEP_AMPLITUDE * np.sin(2 * np.pi * BEEP_HZ * seconds),
        TONE_AMPLITUDE * np.sin(2 * np.pi * TONE_HZ * seconds),
    )
    return np.round(signal * 32767).astype(np.int16)


class SyntheticSource:
    """The test signal as a `CaptureSource`: video and audio from one thread, in time order.

    Timestamps come from the media (frame n at n / fps, sample k at k / 48000), so they are exact.
    In realtime mode each item waits for the session clock to reach its time; in fast mode items go
    out as quickly as the sink takes them (a blocking encoder then sets the pace).
    """

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        realtime: bool = True,
        duration_s: float | None = None,
    ) -> None:
        if width < 16 or height < 16:
            raise ValueError(f"the test card needs at least 16x16 pixels, not {width}x{height}")
        if not fps > 0:
            raise ValueError(f"fps must be positive, not {fps}")
        if duration_s is not None and not duration_s > 0:
            raise ValueError(f"duration_s must be positive or None, not {duration_s}")
        self.width, self.height, self.fps = width, height, fps
        self.realtime = realtime
        self.duration_s = duration_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.frames_delivered = 0
        self.samples_delivered = 0

    def info(self) -> SourceInfo:
        mode = "realtime" if self.realtime else "as fast as the encoder takes it"
        return SourceInfo(
            name=SOURCE_NAME,
            video=True,
            audio=True,
            width=self.width,
            height=self.height,
            fps=self.fps,
            notes=[f"test signal, {mode}"],
        )

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("this synthetic source was already started; make a new one")
            self._thread = threading.Thread(
                target=self._run, args=(clock, sink), name="synthetic-source", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for a finite source to deliver everything; True once its thread has ended."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    def _run(self, clock: SessionClock, sink: MediaSink) -> None:
        try:
            finished = self._deliver(clock, sink)
        except Exception as error:
            log.exception("the synthetic source failed")
            sink.source_error(
                CaptureError(
                    f"The test signal stopped ({type(error).__name__}); start again.", source=SOURCE_NAME
                )
            )
            return
        if finished:
            log.info("synthetic source finished after %s s", self.duration_s)
            sink.source_finished(SOURCE_NAME)

    def _deliver(self, clock: SessionClock, sink: MediaSink) -> bool:
        """Deliver until the duration is reached (True) or `stop()` is called (False)."""
        card = CardPainter(self.width, self.height, self.fps)
        end_sample = None if self.duration_s is None else round(self.duration_s * AUDIO_RATE_HZ)
        frame_index = 0
        sample = 0
        while not self._stop.is_set():
            frame_t = frame_index / self.fps
            video_left = self.duration_s is None or frame_t < self.duration_s
            audio_left = end_sample is None or sample < end_sample
            if not (video_left or audio_left):
                return True
            audio_t = sample / AUDIO_RATE_HZ
            if video_left and (not audio_left or frame_t <= audio_t):
                if not self._wait_until(clock, frame_t):
                    return False
                sink.video_frame(VideoFrame(card.frame(frame_index), frame_t))
                frame_index += 1
                self.frames_delivered = frame_index
            else:
                count = CHUNK_SAMPLES if end_sample is None else min(CHUNK_SAMPLES, end_sample - sample)
                if not self._wait_until(clock, audio_t):
                    return False
                sink.audio_chunk(AudioChunk(tone_samples(sample, count), audio_t))
                sample += count
                self.samples_delivered = sample
        return False

    def _wait_until(self, clock: SessionClock, t: float) -> bool:
        """In realtime mode sleep until the session clock reaches `t`. False when stopped meanwhile."""
        if not self.realtime:
            return not self._stop.is_set()
        delay = t - clock.now()
        if delay > 0:
            return not self._stop.wait(delay)
        return not self._stop.is_set()
