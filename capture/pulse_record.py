"""Recording from a PulseAudio source by name with libpulse's simple API (ctypes, no build step).

Qt's PulseAudio backend hides monitor sources (what an output plays), so meeting audio is read
here instead: `@DEFAULT_MONITOR@` is PulseAudio's name for the monitor of the default output,
and PipeWire's PulseAudio server understands it too. libpulse-simple ships with libpulse0, which
QtMultimedia needs anyway. Every `PulseRecording` is its own connection: a sound server that
restarted is simply reached again by the next one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

import numpy as np

from capture.media import AUDIO_RATE_HZ

log = logging.getLogger(__name__)

DEFAULT_MONITOR = "@DEFAULT_MONITOR@"
DEFAULT_SOURCE = "@DEFAULT_SOURCE@"
"""PulseAudio's name for the default input: the microphone the system chose."""
_PA_STREAM_RECORD = 2
_PA_SAMPLE_S16LE = 3
_UNSET = 0xFFFFFFFF


class PulseUnavailable(OSError):
    """libpulse-simple cannot be loaded: no PulseAudio client library on this system."""


PA_ERR_NOENTITY = 5
"""libpulse's code for a source that does not exist (no output, so no monitor)."""


class PulseFailed(OSError):
    """The server refused or lost the stream; the message is libpulse's own."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


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


@cache
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    names = (ctypes.util.find_library("pulse-simple") or "libpulse-simple.so.0", "libpulse.so.0")
    try:
        simple, pulse = (ctypes.CDLL(name) for name in names)
    except OSError as error:
        raise PulseUnavailable(f"the PulseAudio client library is missing ({error})") from error
    simple.pa_simple_new.restype = ctypes.c_void_p
    simple.pa_simple_new.argtypes = [
        ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
        ctypes.POINTER(_SampleSpec), ctypes.c_void_p, ctypes.POINTER(_BufferAttr),
        ctypes.POINTER(ctypes.c_int),
    ]  # fmt: skip
    simple.pa_simple_read.restype = ctypes.c_int
    simple.pa_simple_read.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_int),
    ]
    simple.pa_simple_free.restype = None
    simple.pa_simple_free.argtypes = [ctypes.c_void_p]
    pulse.pa_strerror.restype = ctypes.c_char_p
    pulse.pa_strerror.argtypes = [ctypes.c_int]
    return simple, pulse


def pulse_available() -> bool:
    try:
        _libraries()
    except PulseUnavailable:
        return False
    return True


class PulseRecording:
    """An open record stream of 48 kHz mono int16 from source `device`, read in `chunk_samples`."""

    def __init__(
        self,
        device: str = DEFAULT_MONITOR,
        *,
        app_name: str = "Interhuman Live",
        stream_name: str = "meeting audio",
        chunk_samples: int = 960,
    ) -> None:
        simple, _ = _libraries()
        self._simple = simple
        self.device = device
        self.chunk_samples = chunk_samples
        spec = _SampleSpec(_PA_SAMPLE_S16LE, AUDIO_RATE_HZ, 1)
        # A fragment of one chunk: the server hands sound over as it comes, not in big blocks.
        attr = _BufferAttr(_UNSET, _UNSET, _UNSET, _UNSET, chunk_samples * 2)
        error = ctypes.c_int(0)
        handle = simple.pa_simple_new(
            None, app_name.encode(), _PA_STREAM_RECORD, device.encode(), stream_name.encode(),
            ctypes.byref(spec), None, ctypes.byref(attr), ctypes.byref(error),
        )  # fmt: skip
        if not handle:
            raise PulseFailed(_describe(error.value), error.value)
        self._handle: int | None = handle
        self._buffer = ctypes.create_string_buffer(chunk_samples * 2)

    def read(self) -> np.ndarray:
        """The next chunk; blocks until the server has it (one chunk's time while sound flows)."""
        if self._handle is None:
            raise PulseFailed("the recording is closed")
        error = ctypes.c_int(0)
        if (
            self._simple.pa_simple_read(self._handle, self._buffer, len(self._buffer), ctypes.byref(error))
            < 0
        ):
            raise PulseFailed(_describe(error.value), error.value)
        return np.frombuffer(self._buffer.raw, dtype="<i2").astype(np.int16)

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            self._simple.pa_simple_free(handle)


def _describe(code: int) -> str:
    _, pulse = _libraries()
    text = pulse.pa_strerror(code)
    return text.decode(errors="replace") if text else f"PulseAudio error {code}"
