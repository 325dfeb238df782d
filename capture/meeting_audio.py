"""`MeetingAudioSource`: the sound this computer plays (the other side of a call), in its own thread.

On Linux it records the default output's monitor through PulseAudio (or PipeWire's PulseAudio
server), see `capture/pulse_record.py`; Qt offers no way to record it there, nor on macOS or
Windows, where `meeting_audio_status` says so and what to do instead.

It reads like the microphone (`PulseSource`): a stream that fails (the sound server restarted or
went away) is a `DeviceLost`; the source then tries again every `retry_s` and says
`source_recovered` once sound flows. Unlike the microphone, a first stream that cannot open is an
error at start: the user chose meeting audio and should hear why there is none.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from capture.media import CaptureError, DeviceNotFound, MediaSink, SessionClock, SourceInfo
from capture.pulse_record import (
    DEFAULT_MONITOR,
    PA_ERR_NOENTITY,
    PulseFailed,
    PulseRecording,
    PulseUnavailable,
)
from capture.pulse_source import PulseSource

log = logging.getLogger(__name__)

SOURCE = "meeting audio"
LABEL = "Meeting audio (what this computer plays)"
LOST_MESSAGE = "Meeting audio stopped: the sound server went away. It resumes when the server is back."


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


class MeetingAudioSource(PulseSource):
    """What the default output plays (`device`: any PulseAudio source name, for tests)."""

    def __init__(self, device: str = DEFAULT_MONITOR, *, retry_s: float = 1.0) -> None:
        super().__init__(
            device,
            SourceInfo(name=SOURCE, video=False, audio=True),
            source=SOURCE,
            lost_message=LOST_MESSAGE,
            retry_s=retry_s,
        )

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if sys.platform in ("darwin", "win32"):
            raise DeviceNotFound(meeting_audio_status().reason, source=SOURCE)
        super().start(clock, sink)

    def _open_failed(self, error: PulseFailed | PulseUnavailable, *, first: bool) -> CaptureError | None:
        if isinstance(error, PulseUnavailable):
            self._start_error = DeviceNotFound(
                "Meeting audio needs PulseAudio or PipeWire: install libpulse0.", source=SOURCE
            )
        elif first:
            log.warning("cannot record %s: %s", self.device, error)
            self._start_error = DeviceNotFound(
                f"Meeting audio cannot be recorded ({error}). Check your sound settings, "
                "or choose a microphone.",
                source=SOURCE,
            )
        return None
