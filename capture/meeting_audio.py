"""`MeetingAudioSource`: the sound this computer plays (the other side of a call), in its own thread.

On Linux it records the default output's monitor through PulseAudio (or PipeWire's PulseAudio
server), see `capture/pulse_record.py`; Qt offers no way to record it there, nor on macOS or
Windows, where `meeting_audio_status` says so and what to do instead.

Chunks are stamped like the microphone's (`AudioStamper`: by sample count, anchored on the
session clock). A stream that fails (the sound server restarted or went away) is a `DeviceLost`;
the source then tries again every `retry_s` and says `source_recovered` once sound flows.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass

from capture.audio_convert import AudioStamper
from capture.media import AudioChunk, DeviceLost, DeviceNotFound, MediaSink, SessionClock, SourceInfo
from capture.pulse_record import (
    DEFAULT_MONITOR,
    PA_ERR_NOENTITY,
    PulseFailed,
    PulseRecording,
    PulseUnavailable,
)

log = logging.getLogger(__name__)

SOURCE = "meeting audio"
LABEL = "Meeting audio (what this computer plays)"


@dataclass(frozen=True, slots=True)
class MeetingAudioStatus:
    available: bool
    reason: str = ""
    """Why not, and what to do instead, when it is not available."""


def meeting_audio_status(platform: str = sys.platform) -> MeetingAudioStatus:
    """Whether meeting audio can be recorded here. On Linux this opens (and closes) a stream."""
    if platform == "darwin":
        return MeetingAudioStatus(
            False,
            "macOS cannot record what it plays without a loopback driver: install one (such as "
            "BlackHole), send the call's sound to it, and choose it as the microphone.",
        )
    if platform == "win32":
        return MeetingAudioStatus(
            False,
            "Meeting audio is not available on Windows yet: choose “Stereo Mix” as the microphone "
            "if your sound card offers it.",
        )
    try:
        PulseRecording(DEFAULT_MONITOR).close()
    except PulseUnavailable:
        return MeetingAudioStatus(False, "Meeting audio needs PulseAudio or PipeWire: install libpulse0.")
    except PulseFailed as error:
        log.info("no monitor to record: %s", error)
        if error.code == PA_ERR_NOENTITY:
            return MeetingAudioStatus(False, "This computer has no sound output to record: connect one.")
        return MeetingAudioStatus(
            False, "No sound server answers (PulseAudio or PipeWire): check your sound settings."
        )
    return MeetingAudioStatus(True)


class MeetingAudioSource:
    """What the default output plays (`device`: any PulseAudio source name, for tests)."""

    def __init__(self, device: str = DEFAULT_MONITOR, *, retry_s: float = 1.0) -> None:
        self.device = device
        self._retry_s = retry_s
        self._info = SourceInfo(name=SOURCE, video=False, audio=True)
        self._stop = threading.Event()
        self._delivery = threading.RLock()
        self._delivering = False
        self._thread: threading.Thread | None = None
        self.samples_delivered = 0

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if self._thread is not None:
            raise RuntimeError("MeetingAudioSource.start called twice")
        if sys.platform in ("darwin", "win32"):
            raise DeviceNotFound(meeting_audio_status().reason, source=SOURCE)
        try:
            recording = PulseRecording(self.device)
        except PulseUnavailable as error:
            raise DeviceNotFound(
                "Meeting audio needs PulseAudio or PipeWire: install libpulse0.", source=SOURCE
            ) from error
        except PulseFailed as error:
            log.warning("cannot record %s: %s", self.device, error)
            raise DeviceNotFound(
                f"Meeting audio cannot be recorded ({error}). Check your sound settings, "
                "or choose a microphone.",
                source=SOURCE,
            ) from error
        self._delivering = True
        self._thread = threading.Thread(
            target=self._run, args=(recording, clock, sink), name="meeting-audio", daemon=True
        )
        self._thread.start()
        log.info("meeting audio started from %s", self.device)

    def stop(self) -> None:
        """Idempotent, from any thread; no sink call follows it."""
        self._stop.set()
        with self._delivery:
            self._delivering = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=3.0)
            if thread.is_alive():
                log.warning("the meeting audio thread is still in a read after 3 s")

    # -- the reading thread ----------------------------------------------------------------------

    def _run(self, recording: PulseRecording | None, clock: SessionClock, sink: MediaSink) -> None:
        stamper = AudioStamper()
        lost = False
        while not self._stop.is_set():
            if recording is None:
                recording = self._reopen()
                if recording is None:
                    continue
                stamper.restart()  # the time in between is a gap, not samples to squeeze in
            try:
                samples = recording.read()
            except PulseFailed as error:
                recording.close()
                recording = None
                if not lost:
                    lost = True
                    log.warning("meeting audio lost: %s", error)
                    self._report(sink)
                continue
            chunk = AudioChunk(samples, stamper.stamp(len(samples), clock.now()))
            if not self._deliver(sink, chunk, recovered=lost):
                break
            lost = False
        if recording is not None:
            recording.close()

    def _reopen(self) -> PulseRecording | None:
        if self._stop.wait(self._retry_s):
            return None
        try:
            recording = PulseRecording(self.device)
        except PulseFailed as error:
            log.debug("meeting audio still unavailable: %s", error)
            return None
        log.info("meeting audio reopened")
        return recording

    def _deliver(self, sink: MediaSink, chunk: AudioChunk, *, recovered: bool) -> bool:
        with self._delivery:
            if not self._delivering:
                return False
            if recovered:
                log.info("meeting audio delivers again")
                sink.source_recovered(SOURCE)
            sink.audio_chunk(chunk)
        self.samples_delivered += len(chunk.samples)
        return True

    def _report(self, sink: MediaSink) -> None:
        with self._delivery:
            if self._delivering:
                sink.source_error(
                    DeviceLost(
                        "Meeting audio stopped: the sound server went away. "
                        "It resumes when the server is back.",
                        source=SOURCE,
                    )
                )
