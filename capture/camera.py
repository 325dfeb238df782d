"""`CameraSource`: a camera (or anything `cv2.VideoCapture` opens) read in its own thread.

The thread owns the `cv2.VideoCapture`: it opens it, reads, stamps each frame with the session
clock at read time and hands it to the sink. When the camera stops delivering (unplugged, taken
by another program) it reports `DeviceLost`, then tries to reopen it every `retry_s` and reports
`source_recovered` once frames flow again.

A picture that is delivered but black (a lens cover, a dark room) is not a device fault: it is
noticed by `capture.input_check.InputCheck`, which watches every video source the same way.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator

import cv2
import numpy as np

from capture.media import DeviceLost, DeviceNotFound, MediaSink, SessionClock, SourceInfo, VideoFrame
from capture.source_thread import SourceThread

log = logging.getLogger(__name__)

SOURCE = "camera"

_opencv_log_lock = threading.Lock()


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """OpenCV prints a warning to stderr for every index it cannot open; probing makes that noise."""
    with _opencv_log_lock:
        previous = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        try:
            yield
        finally:
            cv2.utils.logging.setLogLevel(previous)


def index_backends() -> tuple[int, ...]:
    """The capture APIs to try for a camera index, best first, on this platform."""
    if sys.platform.startswith("linux"):
        return (cv2.CAP_V4L2,)
    if sys.platform == "darwin":
        return (cv2.CAP_AVFOUNDATION,)
    if sys.platform == "win32":
        # Media Foundation first (modern drivers); DirectShow still opens some older webcams.
        return (cv2.CAP_MSMF, cv2.CAP_DSHOW)
    return (cv2.CAP_ANY,)


def open_capture(device: int | str) -> cv2.VideoCapture | None:
    """An opened capture for a camera index or a path/URL, or None."""
    backends = index_backends() if isinstance(device, int) else (cv2.CAP_FFMPEG, cv2.CAP_ANY)
    with quiet_opencv():
        for backend in backends:
            capture = cv2.VideoCapture(device, backend)
            if capture.isOpened():
                return capture
            capture.release()
    return None


class CameraSource:
    """Frames from camera `device` (an index), or from a video file/URL read like a camera.

    `start` returns once the first frame has been read; it may take a second or two with some
    cameras, so call it off the Qt thread (the session does, with `asyncio.to_thread`).
    """

    def __init__(
        self,
        device: int | str = 0,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        *,
        start_timeout_s: float = 10.0,
        stall_s: float = 2.0,
        max_failed_reads: int = 30,
        retry_s: float = 1.0,
    ) -> None:
        self.device = device
        self._requested = (width, height, fps)
        self._start_timeout_s = start_timeout_s
        self._stall_s = stall_s
        self._max_failed_reads = max_failed_reads
        self._retry_s = retry_s
        self._is_camera = isinstance(device, int)
        self._info = SourceInfo(name=self._describe(), video=True, audio=False)
        self._reader = SourceThread(f"camera {device}")
        self._stop = self._reader.stopping
        self._first_frame = threading.Event()
        self._open_error: DeviceNotFound | None = None
        self._lost = False
        """Reported lost and not delivering since; touched by the capture thread only."""
        self.frames_delivered = 0

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        self._reader.start(lambda: self._run(clock, sink))
        if not self._first_frame.wait(self._start_timeout_s):
            self.stop()
            raise DeviceNotFound(
                f"The {self._what()} did not send a picture within {self._start_timeout_s:.0f} s. "
                "Close other programs that use it, or choose another camera.",
                source=SOURCE,
            )
        if self._open_error is not None:
            self.stop()
            raise self._open_error
        log.info("%s started: %s", self._what(), self._info)

    def stop(self) -> None:
        self._reader.stop(timeout_s=5.0)

    # -- the capture thread ----------------------------------------------------------------------

    def _run(self, clock: SessionClock, sink: MediaSink) -> None:
        capture = open_capture(self.device)
        if capture is None:
            self._open_error = DeviceNotFound(self._not_found_message(), source=SOURCE)
            self._first_frame.set()
            return
        while capture is not None:
            self._configure(capture)
            try:
                self._read_until_stalled(capture, clock, sink)
            finally:
                capture.release()
            capture = None if self._stop.is_set() else self._reopen()

    def _read_until_stalled(self, capture: cv2.VideoCapture, clock: SessionClock, sink: MediaSink) -> None:
        """Read and deliver until the source is stopped or the device stops giving frames."""
        pace_s = self._file_frame_interval(capture)
        failed_reads = 0
        last_frame_at = next_due = time.monotonic()
        while not self._stop.is_set():
            ok, image = capture.read()
            now = time.monotonic()
            if ok and image is not None and image.size:
                failed_reads = 0
                last_frame_at = now
                if not self._deliver(sink, self._frame(image, clock.now())):
                    return
                if pace_s:
                    next_due = max(next_due + pace_s, now - pace_s)
                    self._stop.wait(max(0.0, next_due - time.monotonic()))
                continue
            failed_reads += 1
            if not self._first_frame.is_set() or (
                failed_reads < self._max_failed_reads and now - last_frame_at < self._stall_s
            ):
                # Until the first frame, `start` is waiting and owns the verdict (its timeout).
                self._stop.wait(0.05)
                continue
            if not self._lost:
                self._lost = True
                self._report_lost(sink, now - last_frame_at)
            return

    def _reopen(self) -> cv2.VideoCapture | None:
        """Try every `retry_s` until the device opens again or the source is stopped."""
        attempts = 0
        while not self._stop.wait(self._retry_s):
            attempts += 1
            capture = open_capture(self.device)
            if capture is not None:
                log.info("%s reopened after %d attempt(s)", self._what(), attempts)
                return capture
            if attempts % 10 == 0:
                log.info("%s still unavailable after %d attempts", self._what(), attempts)
        return None

    def _deliver(self, sink: MediaSink, frame: VideoFrame) -> bool:
        with self._reader.delivering() as allowed:
            if not allowed:
                return False
            if self._lost:
                self._lost = False
                log.info("%s delivers again", self._what())
                sink.source_recovered(SOURCE)
            sink.video_frame(frame)
        self.frames_delivered += 1
        if not self._first_frame.is_set():
            self._info.width, self._info.height = frame.width, frame.height
            self._first_frame.set()
        return True

    def _report_lost(self, sink: MediaSink, silent_s: float) -> None:
        log.warning("%s stopped delivering (no frame for %.1f s)", self._what(), silent_s)
        error = DeviceLost(
            f"The {self._what()} stopped sending pictures. Check its cable; "
            "the session resumes when it is back.",
            source=SOURCE,
        )
        with self._reader.delivering() as allowed:
            if allowed:
                sink.source_error(error)

    # -- helpers ---------------------------------------------------------------------------------

    def _configure(self, capture: cv2.VideoCapture) -> None:
        width, height, fps = self._requested
        if self._is_camera:
            if sys.platform.startswith("linux") and width * height > 640 * 480:
                # Uncompressed YUYV above VGA does not fit USB 2 at 30 fps; MJPG does.
                capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            capture.set(cv2.CAP_PROP_FPS, fps)
            # Bounds a read on an unplugged camera where the backend honours it (V4L2 waits 10 s).
            capture.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._stall_s * 1000)
        actual_fps = capture.get(cv2.CAP_PROP_FPS)
        self._info.fps = float(actual_fps) if actual_fps and actual_fps > 0 else float(fps)
        self._info.width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) or self._info.width
        self._info.height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) or self._info.height
        if self._is_camera and (self._info.width, self._info.height) != (width, height):
            log.info(
                "%s gives %dx%d instead of the requested %dx%d",
                self._what(),
                self._info.width,
                self._info.height,
                width,
                height,
            )

    def _file_frame_interval(self, capture: cv2.VideoCapture) -> float:
        """A file read like a camera is paced at its own rate; a camera paces itself."""
        if self._is_camera:
            return 0.0
        fps = capture.get(cv2.CAP_PROP_FPS)
        return 1.0 / fps if fps and fps > 0 else 1.0 / self._requested[2]

    @staticmethod
    def _frame(image: np.ndarray, t: float) -> VideoFrame:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        return VideoFrame(image=np.ascontiguousarray(image), t=t)

    def _what(self) -> str:
        return f"camera {self.device}" if self._is_camera else "video stream"

    def _describe(self) -> str:
        return f"camera:{self.device}" if self._is_camera else f"camera-file:{self.device}"

    def _not_found_message(self) -> str:
        if self._is_camera:
            return f"No camera found at index {self.device}. Connect a camera or choose another one."
        return f"Cannot open {self.device} as a video stream. Check the path or address."
