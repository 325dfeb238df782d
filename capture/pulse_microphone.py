"""`PulseMicrophoneSource`: the microphone on Linux, read from the PulseAudio server (or PipeWire's
PulseAudio service) with libpulse-simple, on a thread of its own.

Why not QAudioSource here: Qt 6.11's PulseAudio backend connects to the server once per process,
gives up reconnecting three seconds after the server dies, and from then on aborts the whole
process (an assertion in libpulse) as soon as any QAudioSource is started, even after the server
is back (measured: `tests/capture/test_pulse_microphone.py`, and LINUX-SETUP.md). A microphone that
must survive the sound server dying, and come back with it, needs its own connection per stream.

This source opens a record stream per attempt: `start` returns once the first attempt has an
answer. A server that is not running is not an error at start: the source reports the microphone
lost (the session runs video-only, with a warning) and tries again every `retry_s`; when a stream
opens again it reports `source_recovered` and sound flows. A device that does not exist is a
`DeviceNotFound` at start. Chunks are 20 ms, stamped like `MicrophoneSource`'s with an
`AudioStamper` (the time away is a gap, never squeezed out).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from functools import cache

import numpy as np

from capture.audio_convert import AudioStamper
from capture.media import (
    AUDIO_RATE_HZ,
    AudioChunk,
    CaptureError,
    DeviceLost,
    DeviceNotFound,
    MediaSink,
    SessionClock,
    SourceInfo,
)

log = logging.getLogger(__name__)

SOURCE = "microphone"
CHUNK_SAMPLES = 960
"""20 ms: what a read returns, and the server's fragment size."""
_PA_SAMPLE_S16LE = 3
_PA_STREAM_RECORD = 2
_PA_ERR_NOENTITY = 5
_NO_VALUE = 0xFFFFFFFF
"""(uint32_t) -1: the server's default for a buffer attribute."""
SERVER_DOWN_MESSAGE = (
    "No sound server is running, so the session goes on without sound; the microphone joins "
    "when the sound server is back."
)
LOST_MESSAGE = "The microphone stopped sending sound. Check its cable; the sound resumes when it is back."


class _SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class _BufferAttr(ctypes.Structure):
    _fields_ = [
        ("maxlength", ctypes.c_uint32),
        ("tlength", ctypes.c_uint32),
        ("prebuf", ctypes.c_uint32),
        ("minreq", ctypes.c_uint32),
        ("fragsize", ctypes.c_uint32),
    ]


class _Libraries:
    def __init__(self, simple: ctypes.CDLL, pulse: ctypes.CDLL) -> None:
        self.new = simple.pa_simple_new
        self.new.restype = ctypes.c_void_p
        self.new.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.POINTER(_SampleSpec),
            ctypes.c_void_p,
            ctypes.POINTER(_BufferAttr),
            ctypes.POINTER(ctypes.c_int),
        ]
        self.read = simple.pa_simple_read
        self.read.restype = ctypes.c_int
        self.read.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
        self.free = simple.pa_simple_free
        self.free.restype = None
        self.free.argtypes = [ctypes.c_void_p]
        self.strerror = pulse.pa_strerror
        self.strerror.restype = ctypes.c_char_p
        self.strerror.argtypes = [ctypes.c_int]

    def error_text(self, code: int) -> str:
        text = self.strerror(code)
        return text.decode(errors="replace") if text else f"error {code}"


@cache
def _libraries() -> _Libraries | None:
    simple = ctypes.util.find_library("pulse-simple")
    pulse = ctypes.util.find_library("pulse")
    if simple is None or pulse is None:
        return None
    try:
        return _Libraries(ctypes.CDLL(simple), ctypes.CDLL(pulse))
    except (OSError, AttributeError) as error:
        log.info("libpulse-simple cannot be used: %s", error)
        return None


def available() -> bool:
    """Whether libpulse-simple is on this system (Debian's libpulse0, which Qt needs anyway)."""
    return _libraries() is not None


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
        app_name: str = "Interhuman Live",
    ) -> None:
        self.device_id = device_id
        self.retry_s = retry_s
        self.start_timeout_s = start_timeout_s
        self._app_name = app_name.encode()
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

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        libraries = _libraries()
        if libraries is None:
            raise DeviceNotFound("No sound library (libpulse) on this system: the session runs video-only.")
        if self._thread is not None:
            raise RuntimeError("PulseMicrophoneSource.start called twice")
        self._delivering = True
        self._thread = threading.Thread(
            target=self._run, args=(libraries, clock, sink), name="microphone-pulse", daemon=True
        )
        self._thread.start()
        if not self._first_answer.wait(self.start_timeout_s):
            log.warning(
                "the sound server did not answer within %.0f s; the microphone keeps trying",
                self.start_timeout_s,
            )
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

    def _run(self, libraries: _Libraries, clock: SessionClock, sink: MediaSink) -> None:
        stamper = AudioStamper()
        buffer = np.empty(CHUNK_SAMPLES, dtype="<i2")
        while not self._stop.is_set():
            stream = self._open(libraries, sink)
            if stream is None:
                if self._start_error is not None:
                    return
                self._stop.wait(self.retry_s)
                continue
            try:
                self._read_until_lost(libraries, stream, buffer, stamper, clock, sink)
            finally:
                libraries.free(stream)
            stamper.restart()  # the time away is a gap, not samples to squeeze in

    def _open(self, libraries: _Libraries, sink: MediaSink) -> int | None:
        spec = _SampleSpec(_PA_SAMPLE_S16LE, AUDIO_RATE_HZ, 1)
        attr = _BufferAttr(_NO_VALUE, _NO_VALUE, _NO_VALUE, _NO_VALUE, CHUNK_SAMPLES * 2)
        error = ctypes.c_int(0)
        device = None if self.device_id is None else self.device_id.encode()
        stream = libraries.new(
            None, self._app_name, _PA_STREAM_RECORD, device, b"microphone", spec, None, attr, error
        )
        first = not self._first_answer.is_set()
        if stream:
            if self._lost:
                log.info("microphone reopened")
            self._first_answer.set()
            return int(stream)
        reason = libraries.error_text(error.value)
        if first and error.value == _PA_ERR_NOENTITY and self.device_id is not None:
            self._start_error = DeviceNotFound(
                f"The microphone “{self._info.name.removeprefix('microphone:')}” is not connected. "
                "Connect it or choose another in Settings, or run the session video-only.",
                source=SOURCE,
            )
        elif not self._lost:
            self._lost = True
            log.warning("microphone unavailable (%s); trying again every %.0f s", reason, self.retry_s)
            self._report(sink, DeviceLost(SERVER_DOWN_MESSAGE if first else LOST_MESSAGE, source=SOURCE))
        self._first_answer.set()
        return None

    def _read_until_lost(
        self,
        libraries: _Libraries,
        stream: int,
        buffer: np.ndarray,
        stamper: AudioStamper,
        clock: SessionClock,
        sink: MediaSink,
    ) -> None:
        error = ctypes.c_int(0)
        pointer = buffer.ctypes.data_as(ctypes.c_void_p)
        while not self._stop.is_set():
            if libraries.read(stream, pointer, buffer.nbytes, error) < 0:
                if not self._stop.is_set():
                    log.warning("microphone lost: %s", libraries.error_text(error.value))
                    self._lost = True
                    self._report(sink, DeviceLost(LOST_MESSAGE, source=SOURCE))
                return
            chunk = AudioChunk(samples=buffer.copy(), t=stamper.stamp(CHUNK_SAMPLES, clock.now()))
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
