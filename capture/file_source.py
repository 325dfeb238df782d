"""`FileSource`: any video file FFmpeg reads, decoded with PyAV in its own thread.

Frames become BGR images, sound becomes 48 kHz mono int16. Times come from the file's own pts,
rebased so the file starts at the session time `start` was called (0 at the session's start),
and delivery is paced to the session clock unless `realtime=False`. A fast source needs no
throttle of its own: the encoder's lossless mode blocks the sink call when its queue is full.

Damage is reported, not fatal: unreadable packets are skipped with one `source_error`, a file
that stops short of its declared length says so, and the source always ends with
`source_finished`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from capture.media import (
    AUDIO_RATE_HZ,
    AudioChunk,
    MediaSink,
    SessionClock,
    SourceInfo,
    SourceUnreadable,
    VideoFrame,
)

log = logging.getLogger(__name__)

SOURCE = "file"
AUDIO_GAP_S = 0.1
"""A jump in the file's audio pts larger than this is a real gap (kept), not rounding."""


@dataclass(slots=True)
class _Playback:
    """Where one pass through the file has got to, in session time."""

    offset: float
    """Session time of the file's start on this pass."""
    video_end: float = 0.0
    audio_next: float | None = None
    """Session time of the next resampled audio sample."""
    audio_expected_in: float | None = None
    """Where the next decoded audio frame should start if nothing is missing."""
    damaged: bool = False
    frames: int = 0


class FileSource:
    """Video (and its sound, if any) from `path`; `loop=True` plays it again and again."""

    def __init__(
        self, path: str | Path, realtime: bool = True, loop: bool = False, *, start_timeout_s: float = 10.0
    ) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.loop = loop
        self._start_timeout_s = start_timeout_s
        self._info = SourceInfo(name=f"file:{self.path.name}", video=True, audio=False)
        self._stop = threading.Event()
        self._begun = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: SourceUnreadable | None = None
        """Why the file gave no picture at all: `start` raises it."""
        self._pending: SourceUnreadable | None = None
        """Damage met before the first picture, reported once delivery has begun."""
        self._fps = 0.0
        self.frames_delivered = 0
        self.audio_samples_delivered = 0

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if self._thread is not None:
            raise RuntimeError("FileSource.start called twice")
        container = self._open()
        self._describe(container)
        offset = max(0.0, clock.now())
        self._thread = threading.Thread(
            target=self._run,
            args=(container, clock, sink, offset),
            name=f"file-{self.path.name}",
            daemon=True,
        )
        self._thread.start()
        if not self._begun.wait(self._start_timeout_s):
            self.stop()
            raise SourceUnreadable(
                f"{self.path.name} gave no picture within {self._start_timeout_s:.0f} s. "
                "Choose another file.",
                source=SOURCE,
            )
        if self._failure is not None:
            self.stop()
            raise self._failure
        log.info("file source started: %s", self._info)

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)
            if thread.is_alive():
                log.warning("file source thread still busy in a sink call after 10 s")

    # -- opening ---------------------------------------------------------------------------------

    def _open(self) -> av.container.InputContainer:
        name = self.path.name or str(self.path)
        try:
            container = av.open(str(self.path))
        except FileNotFoundError as error:
            raise SourceUnreadable(f"{name} does not exist. Check the path.", source=SOURCE) from error
        except IsADirectoryError as error:
            raise SourceUnreadable(f"{name} is a folder. Choose a video file.", source=SOURCE) from error
        except PermissionError as error:
            raise SourceUnreadable(
                f"{name} cannot be opened: permission denied. Check the file's permissions.", source=SOURCE
            ) from error
        except (av.FFmpegError, OSError) as error:
            log.info("cannot open %s: %s", self.path, error)
            raise SourceUnreadable(
                f"{name} is not a video FFmpeg can read: it is damaged or in another format. "
                "Choose another file.",
                source=SOURCE,
            ) from error
        if not container.streams.video:
            container.close()
            raise SourceUnreadable(f"{name} has no video track. Choose a video file.", source=SOURCE)
        return container

    def _describe(self, container: av.container.InputContainer) -> None:
        video = container.streams.video[0]
        rate = video.average_rate or video.guessed_rate or video.base_rate
        self._fps = float(rate) if rate else 0.0
        self._info.width, self._info.height = video.codec_context.width, video.codec_context.height
        self._info.fps = self._fps
        self._info.audio = bool(container.streams.audio)
        if not self._info.audio:
            note = f"{self.path.name} has no sound: the session is video-only."
            self._info.notes.append(note)
            log.warning(note)

    # -- the decoding thread ---------------------------------------------------------------------

    def _run(
        self, container: av.container.InputContainer, clock: SessionClock, sink: MediaSink, offset: float
    ) -> None:
        passes = 0
        try:
            while True:
                passes += 1
                play = _Playback(offset=offset)
                try:
                    self._play(container, play, clock, sink)
                finally:
                    container.close()
                if self._stop.is_set() or not self.loop or play.frames == 0:
                    break
                offset = max(play.video_end, play.audio_next or 0.0)
                container = av.open(str(self.path))
        except Exception as error:
            # Whatever FFmpeg or the sink throws must end this source in words, not a dead thread.
            log.exception("file source failed on pass %d", passes)
            self._fail(sink, f"{self.path.name} could not be played to the end ({type(error).__name__}).")
        finally:
            if not self._begun.is_set():
                self._failure = self._pending or SourceUnreadable(
                    f"{self.path.name} has a video track but no picture FFmpeg can decode. "
                    "Choose another file.",
                    source=SOURCE,
                )
                self._begun.set()
            elif not self._stop.is_set():
                log.info("file source finished: %d frames", self.frames_delivered)
                sink.source_finished(SOURCE)

    def _play(
        self, container: av.container.InputContainer, play: _Playback, clock: SessionClock, sink: MediaSink
    ) -> None:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        audio = container.streams.audio[0] if container.streams.audio else None
        streams = [video] if audio is None else [video, audio]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE_HZ)
        start_s = container.start_time / av.time_base if container.start_time is not None else 0.0
        packets = container.demux(*streams)
        while not self._stop.is_set():
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.FFmpegError as error:
                log.warning("demuxing %s failed after %.2f s: %s", self.path, play.video_end, error)
                self._fail(
                    sink,
                    f"{self.path.name} cannot be read past {play.video_end - play.offset:.1f} s: "
                    "the file is damaged.",
                )
                return
            try:
                frames = packet.decode()
            except av.FFmpegError as error:
                self._damaged(sink, play, error)
                continue
            for frame in frames:
                # Only the video and audio streams are demuxed, so no subtitle comes out.
                assert isinstance(frame, av.VideoFrame | av.AudioFrame)
                t = play.offset + (float(frame.time) - start_s if frame.time is not None else 0.0)
                if isinstance(frame, av.VideoFrame):
                    if not self._video(frame, t, play, clock, sink):
                        return
                elif not self._audio(resampler.resample(frame), t, frame, play, clock, sink):
                    return
        if audio is not None and not self._stop.is_set():
            self._audio(resampler.resample(None), None, None, play, clock, sink)
        if not self._stop.is_set():
            self._check_length(container, play, sink)

    def _video(
        self, frame: av.VideoFrame, t: float, play: _Playback, clock: SessionClock, sink: MediaSink
    ) -> bool:
        if frame.time is None:
            t = play.video_end
        if play.frames and t <= play.video_end - self._frame_s():
            log.debug("skipping a frame out of order at %.3f s", t)
            return True
        image = np.ascontiguousarray(frame.to_ndarray(format="bgr24"))
        if not self._pace(t, clock):
            return False
        sink.video_frame(VideoFrame(image=image, t=t))
        play.frames += 1
        play.video_end = t + self._frame_s()
        self.frames_delivered += 1
        if not self._begun.is_set():
            self._begun.set()
            if self._pending is not None:
                sink.source_error(self._pending)
        return True

    def _audio(
        self,
        resampled: list[av.AudioFrame],
        t: float | None,
        frame: av.AudioFrame | None,
        play: _Playback,
        clock: SessionClock,
        sink: MediaSink,
    ) -> bool:
        if frame is not None and t is not None:
            if play.audio_next is None:
                play.audio_next = t
            elif play.audio_expected_in is not None and t - play.audio_expected_in > AUDIO_GAP_S:
                # Missing sound (damage, a gap in the recording) stays missing, in sync with the picture.
                play.audio_next += t - play.audio_expected_in
            play.audio_expected_in = t + frame.samples / frame.sample_rate
        for out in resampled:
            samples = out.to_ndarray().reshape(-1).astype(np.int16, copy=False)
            if not len(samples) or play.audio_next is None:
                continue
            chunk = AudioChunk(samples=samples, t=play.audio_next)
            if not self._pace(chunk.t, clock):
                return False
            sink.audio_chunk(chunk)
            play.audio_next += len(samples) / AUDIO_RATE_HZ
            self.audio_samples_delivered += len(samples)
        return True

    def _pace(self, t: float, clock: SessionClock) -> bool:
        """Wait until `t` in real-time mode; False once the source is stopped."""
        if self.realtime:
            delay = t - clock.now()
            if delay > 0:
                return not self._stop.wait(delay)
        return not self._stop.is_set()

    def _frame_s(self) -> float:
        return 1.0 / self._fps if self._fps > 0 else 1.0 / 30.0

    # -- damage ----------------------------------------------------------------------------------

    def _damaged(self, sink: MediaSink, play: _Playback, error: Exception) -> None:
        log.debug("undecodable packet in %s near %.2f s: %s", self.path, play.video_end, error)
        if play.damaged:
            return
        play.damaged = True
        where = play.video_end - play.offset
        log.warning("%s is damaged near %.1f s: %s", self.path, where, error)
        self._fail(sink, f"{self.path.name} is damaged near {where:.1f} s; the unreadable parts are skipped.")

    def _check_length(self, container: av.container.InputContainer, play: _Playback, sink: MediaSink) -> None:
        if container.duration is None or not play.frames:
            return
        declared = container.duration / av.time_base
        reached = max(play.video_end, play.audio_next or 0.0) - play.offset
        if declared - reached > max(0.5, 0.05 * declared):
            log.warning("%s ends at %.2f s of a declared %.2f s", self.path, reached, declared)
            self._fail(
                sink,
                f"{self.path.name} ends early, at {reached:.1f} s of {declared:.1f} s: "
                "the file is incomplete or damaged.",
            )

    def _fail(self, sink: MediaSink, message: str) -> None:
        error = SourceUnreadable(message, source=SOURCE)
        if not self._begun.is_set():
            self._pending = self._pending or error
        elif not self._stop.is_set():
            sink.source_error(error)
