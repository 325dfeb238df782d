"""`FramePacer`: the newest captured picture, sampled at a steady frame rate in its own thread.

Screen and window capture hand over pictures at the screen's pace (about 60 a second on X11,
only on change on some systems), on the Qt main thread. Keeping only the newest one costs that
thread next to nothing; this thread then takes it at each tick of the configured rate, crops it
to what the `Framing` says, fits it to the output size and delivers it, stamped on the session
clock. A still screen still gives the configured rate (the same picture again).

When there is nothing to show (the captured window is minimised or closed, the capture stopped
sending) the session goes on: the sink hears a `CaptureError` once and gets a card that says the
picture is missing, at the same rate, so the sound goes on being analysed; `source_recovered`
follows when the picture is back.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import cv2
import numpy as np

from capture.areas import Area
from capture.media import CaptureError, DeviceLost, MediaSink, SessionClock, VideoFrame
from capture.picture_fit import PictureFit
from capture.source_thread import SourceThread

log = logging.getLogger(__name__)

CARD_GREY = 48


class Captured(Protocol):
    """One picture as the capture delivered it (not yet copied out)."""

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...

    @property
    def screen(self) -> Area:
        """The captured screen's place on the desktop, in the desktop's (logical) pixels."""

    def picture(self, area: Area) -> np.ndarray:
        """`area` of the picture (in its pixels) as a C-contiguous BGR image."""


class Framing(Protocol):
    """Which part of each captured picture to deliver. Called on the pacer's thread only."""

    def area(self, captured: Captured) -> Area | CaptureError:
        """The part to deliver, in the picture's pixels; an error when there is none to show now."""


class WholePicture:
    """Everything captured: a whole screen, or a window captured by the system."""

    def area(self, captured: Captured) -> Area | CaptureError:
        return Area(0, 0, captured.width, captured.height)


def missing_card(width: int, height: int, reason: str) -> np.ndarray:
    """A dark card saying the picture is missing, and why, in words that fit the output size."""
    card = np.full((height, width, 3), CARD_GREY, dtype=np.uint8)
    scale = max(0.4, height / 720 * 1.2)
    lines = ["Picture missing", *_wrapped(reason, max(16, int(width / (scale * 22))))]
    line_h = int(scale * 42)
    top = (height - line_h * len(lines)) // 2 + line_h
    for i, line in enumerate(lines):
        (text_w, _), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        origin = ((width - text_w) // 2, top + i * line_h)
        cv2.putText(card, line, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (230, 230, 230), 2, cv2.LINE_AA)
    return card


def _wrapped(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


class FramePacer:
    """Delivers the newest offered picture `fps` times a second to `sink`, from its own thread."""

    def __init__(
        self,
        source: str,
        fit: PictureFit,
        fps: float,
        framing: Framing,
        *,
        stall_s: float = 3.0,
    ) -> None:
        self.source = source
        self.framing = framing
        self._fit = fit
        self._period_s = 1.0 / fps
        self._stall_s = stall_s
        self._latest: Captured | None = None
        self._latest_at = 0.0
        self._serial = 0
        self._offers = threading.Lock()
        self._reader = SourceThread(f"{source} pacer")
        self._stop = self._reader.stopping
        self.first_picture = threading.Event()
        self._missing: str | None = None
        """The message of the problem the sink was told of and has not heard cleared."""
        self._reported: CaptureError | None = None
        """A problem the capture itself reported (an error signal), shown until pictures flow."""
        self._card_message = ""
        self._card_image: np.ndarray | None = None
        self.frames_delivered = 0
        self.pictures_offered = 0
        self.missing_frames = 0

    # -- from the capture's thread ---------------------------------------------------------------

    def offer(self, captured: Captured) -> None:
        """Keep `captured` as the newest picture; quick, for the Qt main thread."""
        with self._offers:
            self._latest = captured
            self._latest_at = time.monotonic()
            self._serial += 1
        self.pictures_offered += 1
        self.first_picture.set()

    def report(self, error: CaptureError) -> None:
        """The capture failed (say, permission refused): shown until pictures flow again."""
        with self._offers:
            self._reported = error
            self._latest = None

    # -- life ------------------------------------------------------------------------------------

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        self._reader.start(lambda: self._run(clock, sink))

    def stop(self) -> None:
        self._reader.stop(timeout_s=5.0)

    # -- the pacer's thread ----------------------------------------------------------------------

    def _run(self, clock: SessionClock, sink: MediaSink) -> None:
        try:
            self._pace(clock, sink)
        except Exception as error:
            log.exception("the %s pacer failed", self.source)
            message = f"The {self.source} capture failed ({type(error).__name__}); start again."
            self._tell_missing(sink, CaptureError(message, source=self.source))

    def _pace(self, clock: SessionClock, sink: MediaSink) -> None:
        next_due = time.monotonic()
        shown_serial, shown_area = -1, None
        image: np.ndarray | None = None
        while not self._stop.wait(max(0.0, next_due - time.monotonic())):
            now = time.monotonic()
            # Late ticks are not made up for: a burst of frames would only repeat one picture.
            next_due = max(next_due + self._period_s, now)
            with self._offers:
                captured, serial, arrived = self._latest, self._serial, self._latest_at
                reported = self._reported
                if captured is not None:
                    self._reported = None
            if captured is None:
                if reported is not None or self.first_picture.is_set():
                    self._show_missing(clock, sink, reported or self._stalled())
                continue
            if now - arrived > self._stall_s:
                self._show_missing(clock, sink, self._stalled())
                continue
            area = self.framing.area(captured)
            if isinstance(area, CaptureError):
                self._show_missing(clock, sink, area)
                continue
            if serial != shown_serial or area != shown_area or image is None:
                image = self._fit.fit(captured.picture(area))
                shown_serial, shown_area = serial, area
            if not self._deliver(sink, VideoFrame(image, clock.now()), recovered=self._missing is not None):
                return

    def _stalled(self) -> DeviceLost:
        return DeviceLost(
            f"The {self.source} capture stopped sending pictures; the session resumes when it is back.",
            source=self.source,
        )

    def _show_missing(self, clock: SessionClock, sink: MediaSink, error: CaptureError) -> None:
        if self._missing != str(error):
            log.warning("%s picture missing: %s", self.source, error)
            self._tell_missing(sink, error)
        self.missing_frames += 1
        self._deliver(sink, VideoFrame(self._card(str(error)), clock.now()), recovered=False)

    def _tell_missing(self, sink: MediaSink, error: CaptureError) -> None:
        with self._reader.delivering() as allowed:
            if allowed:
                self._missing = str(error)
                sink.source_error(error)

    def _card(self, message: str) -> np.ndarray:
        if self._card_image is None or self._card_message != message:
            self._card_message = message
            self._card_image = missing_card(self._fit.width, self._fit.height, message)
        return self._card_image

    def _deliver(self, sink: MediaSink, frame: VideoFrame, *, recovered: bool) -> bool:
        with self._reader.delivering() as allowed:
            if not allowed:
                return False
            if recovered:
                log.info("%s picture back", self.source)
                self._missing = None
                sink.source_recovered(self.source)
            sink.video_frame(frame)
        self.frames_delivered += 1
        return True
