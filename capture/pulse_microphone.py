"""`PulseMicrophoneSource`: the microphone on Linux, read from the PulseAudio server (or PipeWire's
PulseAudio service) through `capture.pulse_record`, on a thread of its own.

Why not QAudioSource here: Qt 6.11's PulseAudio backend connects to the server once per process,
gives up reconnecting three seconds after the server dies, and from then on aborts the whole
process (an assertion in libpulse) as soon as any QAudioSource is started, even after the server
is back (measured: LINUX-SETUP.md, and `tests/desktop/test_sound_server.py` runs the scenario).
A microphone that must survive the sound server dying, and come back with it, needs a connection
of its own per stream, which `PulseRecording` is.

`start` returns once the first attempt has an answer. A server that is not running is not an
error at start: the source reports the microphone lost (the session runs video-only, with a
warning) and tries again every `retry_s`; when a stream opens again it reports
`source_recovered` and sound flows. A device that does not exist is a `DeviceNotFound` at start.
Chunks are 20 ms, stamped with an `AudioStamper` like every other sound source's (the time away
is a gap, never squeezed out).
"""

from __future__ import annotations

import logging
import threading

from capture.audio_convert import AudioStamper
from capture.media import (
    AudioChunk,
    CaptureError,
    DeviceLost,
    DeviceNotFound,
    MediaSink,
    SessionClock,
    SourceInfo,
)
from capture.pulse_record import (
    DEFAULT_SOURCE,
    PA_ERR_NOENTITY,
    PulseFailed,
    PulseRecording,
    PulseUnavailable,
)

log = logging.getLogger(__name__)

SOURCE = "microphone"
SERVER_DOWN_MESSAGE = (
    "No sound server is running, so the session goes on without sound; the microphone joins "
    "when the sound server is back."
)
LOST_MESSAGE = "The microphone stopped sending sound. Check its cable; the sound resumes when it is back."


class PulseMicrophoneSource:
    """Sound from the PulseAudio source called `device_id` (its server name, as Qt's device id
    gives it), or the server's default source for None."""

    def __init__(
        self,
        device_id: str | None = None,
        *,
        description: str | None = None,
        retry_s: float = 1.0,
        start_timeout_s: float = 3.0,
    ) -> None:
        self.device = device_id or DEFAULT_SOURCE
        self.retry_s = retry_s
        self.start_timeout_s = start_timeout_s
        self._named = device_id is not None
        self._info = SourceInfo(
            name=f"microphone:{description or device_id or 'default'}", video=False, audio=True
        )
        self._stop = threading.Event()
        self._delivery = threading.RLock()
        """Held around every sink call, so `stop` can promise that none follows it."""
        self._delivering = False
        self._thread: threading.Thread | None = None
        self._first_answer = threading.Event()
        self._start_error: CaptureError | None = None
        self._lost = False
        """Reported lost and not delivering since; touched by the microphone's thread only."""

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if self._thread is not None:
            raise RuntimeError("PulseMicrophoneSource.start called twice")
        self._delivering = True
        self._thread = threading.Thread(
            target=self._run, args=(clock, sink), name="microphone-pulse", daemon=True
        )
        self._thread.start()
        if not self._first_answer.wait(self.start_timeout_s):
            log.warning("the sound server did not answer within %.0f s; still trying", self.start_timeout_s)
        if self._start_error is not None:
            self.stop()
            raise self._start_error

    def stop(self) -> None:
        """Idempotent, from any thread; no sink call follows it."""
        self._stop.set()
        with self._delivery:
            self._delivering = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=3.0)
            if thread.is_alive():
                log.warning("the microphone's thread did not end within 3 s (a sound server that hangs)")

    # -- the microphone's thread -----------------------------------------------------------------

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
            recording = PulseRecording(self.device, stream_name="microphone")
        except (PulseUnavailable, PulseFailed) as error:
            self._failed_to_open(sink, error, first=first)
            self._first_answer.set()
            return None
        if self._lost:
            log.info("microphone reopened")
        self._first_answer.set()
        return recording

    def _failed_to_open(self, sink: MediaSink, error: OSError, *, first: bool) -> None:
        if isinstance(error, PulseUnavailable):
            self._start_error = DeviceNotFound(
                "No sound library (libpulse) on this system: the session runs video-only.", source=SOURCE
            )
        elif first and self._named and isinstance(error, PulseFailed) and error.code == PA_ERR_NOENTITY:
            self._start_error = DeviceNotFound(
                f"The microphone “{self._info.name.removeprefix('microphone:')}” is not connected. "
                "Connect it or choose another in Settings, or run the session video-only.",
                source=SOURCE,
            )
        elif not self._lost:
            self._lost = True
            log.warning("microphone unavailable (%s); trying again every %.0f s", error, self.retry_s)
            self._report(sink, DeviceLost(SERVER_DOWN_MESSAGE if first else LOST_MESSAGE, source=SOURCE))

    def _read_until_lost(
        self, recording: PulseRecording, stamper: AudioStamper, clock: SessionClock, sink: MediaSink
    ) -> None:
        while not self._stop.is_set():
            try:
                samples = recording.read()
            except PulseFailed as error:
                if not self._stop.is_set():
                    log.warning("microphone lost: %s", error)
                    self._lost = True
                    self._report(sink, DeviceLost(LOST_MESSAGE, source=SOURCE))
                return
            chunk = AudioChunk(samples=samples, t=stamper.stamp(len(samples), clock.now()))
            with self._delivery:
                if not self._delivering:
                    return
                if self._lost:
                    self._lost = False
                    log.info("microphone delivers again")
                    sink.source_recovered(SOURCE)
                sink.audio_chunk(chunk)

    def _report(self, sink: MediaSink, error: CaptureError) -> None:
        with self._delivery:
            if self._delivering:
                sink.source_error(error)
