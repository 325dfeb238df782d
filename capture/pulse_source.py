"""`PulseSource`: one PulseAudio source read on a thread of its own, kept alive through the sound
server going away; the microphone and meeting audio are two of them.

A stream that fails is reported lost once, reopened every `retry_s`, and reported recovered when
sound flows again. Chunks are 20 ms, stamped with an `AudioStamper` like every other sound
source's (the time away is a gap, never squeezed out). `start` returns once the first attempt
has an answer; what a failed first attempt means (an error at start, or a session that goes on
without sound) is the subclass's `_open_failed`.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

from capture.audio_convert import AudioStamper
from capture.media import AudioChunk, CaptureError, DeviceLost, MediaSink, SessionClock, SourceInfo
from capture.pulse_record import PulseFailed, PulseRecording, PulseUnavailable
from capture.source_thread import SourceThread

log = logging.getLogger(__name__)


class PulseSource(ABC):
    def __init__(
        self,
        device: str,
        info: SourceInfo,
        *,
        source: str,
        lost_message: str,
        retry_s: float,
        start_timeout_s: float = 3.0,
    ) -> None:
        self.device = device
        self.retry_s = retry_s
        self.start_timeout_s = start_timeout_s
        self._info = info
        self._source = source
        self._lost_message = lost_message
        self._reader = SourceThread(source)
        self._stop = self._reader.stopping
        self._first_answer = threading.Event()
        self._start_error: CaptureError | None = None
        self._lost = False
        """Reported lost and not delivering since; touched by the reading thread only."""

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        self._reader.start(lambda: self._run(clock, sink))
        if not self._first_answer.wait(self.start_timeout_s):
            log.warning("the sound server did not answer within %.0f s; still trying", self.start_timeout_s)
        if self._start_error is not None:
            self.stop()
            raise self._start_error
        log.info("%s started from %s", self._source, self.device)

    def stop(self) -> None:
        """Idempotent, from any thread; no sink call follows it."""
        self._reader.stop(timeout_s=3.0)

    @abstractmethod
    def _open_failed(self, error: PulseFailed | PulseUnavailable, *, first: bool) -> CaptureError | None:
        """What a failed open means: set `_start_error` to end the source, or return what to
        report (once, until sound flows again)."""

    # -- the reading thread ----------------------------------------------------------------------

    def _run(self, clock: SessionClock, sink: MediaSink) -> None:
        stamper = AudioStamper()
        while not self._stop.is_set():
            recording = self._open(sink)
            if recording is None:
                if self._start_error is not None:
                    return
                self._stop.wait(self.retry_s)
                continue
            try:
                self._read_until_lost(recording, stamper, clock, sink)
            finally:
                recording.close()
            stamper.restart()  # the time away is a gap, not samples to squeeze in

    def _open(self, sink: MediaSink) -> PulseRecording | None:
        first = not self._first_answer.is_set()
        try:
            recording = PulseRecording(self.device, stream_name=self._source)
        except (PulseUnavailable, PulseFailed) as error:
            report = self._open_failed(error, first=first)
            if report is not None and not self._lost:
                self._lost = True
                log.warning(
                    "%s unavailable (%s); trying again every %.0f s", self._source, error, self.retry_s
                )
                self._report(sink, report)
            else:
                log.debug("%s still unavailable: %s", self._source, error)
            self._first_answer.set()
            return None
        if self._lost:
            log.info("%s reopened", self._source)
        self._first_answer.set()
        return recording

    def _read_until_lost(
        self, recording: PulseRecording, stamper: AudioStamper, clock: SessionClock, sink: MediaSink
    ) -> None:
        while not self._stop.is_set():
            try:
                samples = recording.read()
            except PulseFailed as error:
                if not self._stop.is_set() and not self._lost:
                    log.warning("%s lost: %s", self._source, error)
                    self._lost = True
                    self._report(sink, DeviceLost(self._lost_message, source=self._source))
                return
            chunk = AudioChunk(samples=samples, t=stamper.stamp(len(samples), clock.now()))
            with self._reader.delivering() as allowed:
                if not allowed:
                    return
                if self._lost:
                    self._lost = False
                    log.info("%s delivers again", self._source)
                    sink.source_recovered(self._source)
                sink.audio_chunk(chunk)

    def _report(self, sink: MediaSink, error: CaptureError) -> None:
        with self._reader.delivering() as allowed:
            if allowed:
                sink.source_error(error)
