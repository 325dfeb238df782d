"""`MicrophoneSource`: sound from `QAudioSource` (QtMultimedia) in push mode, on macOS and Windows.
On Linux, where libpulse is (QtMultimedia needs it), a session reads the microphone through
`capture.pulse_microphone` instead: Qt's PulseAudio backend cannot come back from a sound server
that died (see there).

The `QAudioSource` lives on the thread that calls `start` — the Qt main thread in the app, which
runs the event loop its `readyRead` needs. Each callback only reads the bytes, converts them to
48 kHz mono int16, stamps them and hands them on.

Chunks are stamped from the sample count since the first one, anchored on the session clock when
that one arrived (minus its own duration), so audio time does not jitter with callback timing. If
the device clock drifts from the session clock the anchor is slewed gently; a jump (samples lost
upstream) re-anchors at once.

Losing the device: Qt does not always say so (with PulseAudio an unplugged source or a dead
server leaves the QAudioSource "active", with no error), so a watchdog reports `DeviceLost` when
no sound has come for `stall_s`, and keeps the stream in case it resumes. A new stream is opened
only when Qt reports that the inputs changed (a device came back), never on a timer: Qt 6.12's
PulseAudio backend aborts the whole process if a QAudioSource is started while it has lost its
server connection, and that signal is the one sign that it is connected again.
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio

from capture.audio_convert import AudioConverter, AudioStamper
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
MIN_CHUNK_SAMPLES = 960
"""Reads are gathered into chunks of at least 20 ms: some devices call back every 5 ms, and the
consumers (encoder queue, level meter, input check) want fewer, fuller chunks."""

_FORMAT_NAMES = {
    QAudioFormat.SampleFormat.UInt8: "u8",
    QAudioFormat.SampleFormat.Int16: "s16",
    QAudioFormat.SampleFormat.Int32: "s32",
    QAudioFormat.SampleFormat.Float: "flt",
}


def wanted_format() -> QAudioFormat:
    fmt = QAudioFormat()
    fmt.setSampleRate(AUDIO_RATE_HZ)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def converter_for(fmt: QAudioFormat) -> AudioConverter:
    return AudioConverter(_FORMAT_NAMES[fmt.sampleFormat()], fmt.channelCount(), fmt.sampleRate())


def find_input(name: str | None) -> QAudioDevice | None:
    """The input called `name` (its description or id), the default one for None, or None."""
    if name is None:
        default = QMediaDevices.defaultAudioInput()
        return None if default.isNull() else default
    for device in QMediaDevices.audioInputs():
        if name in (device.description(), bytes(device.id().data()).decode(errors="replace")):
            return device
    return None


def input_id(name: str) -> str | None:
    """The system's id of the input called `name` (PulseAudio's source name on Linux), or None."""
    device = find_input(name)
    return None if device is None else bytes(device.id().data()).decode(errors="replace")


class MicrophoneSource:
    """Sound from the input called `device_name` (as `list_microphones` names it), or the default."""

    def __init__(
        self,
        device_name: str | None = None,
        *,
        stall_s: float = 2.0,
        start_timeout_s: float = 5.0,
    ) -> None:
        self.device_name = device_name
        self.stall_s = stall_s
        """No sound for this long from a stream that delivered is a lost device."""
        self.start_timeout_s = start_timeout_s
        """No sound for this long from a stream just opened is a lost device (some take a second)."""
        self._info = SourceInfo(name=f"microphone:{device_name or 'default'}", video=False, audio=True)
        self._delivery = threading.RLock()
        """Held around every sink call; re-entrant so a sink may call `stop` from inside one."""
        self._delivering = False
        self._sink: MediaSink | None = None
        self._pump: _AudioPump | None = None
        self._owner_thread = 0

    def info(self) -> SourceInfo:
        return self._info

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        """Open the device. Call on a thread with a running Qt event loop (the main thread)."""
        if QCoreApplication.instance() is None:
            raise RuntimeError("MicrophoneSource needs a QCoreApplication (QAudioSource runs on its loop)")
        if self._pump is not None:
            raise RuntimeError("MicrophoneSource.start called twice")
        device = find_input(self.device_name)
        if device is None:
            raise DeviceNotFound(self._missing_message(), source=SOURCE)
        self._sink = sink
        self._delivering = True
        pump = _AudioPump(self, clock)
        if not pump.open(device):
            pump.close()
            self._delivering = False
            raise DeviceNotFound(
                f"The microphone “{device.description()}” cannot be opened. Close other programs "
                "that use it, or run the session video-only.",
                source=SOURCE,
            )
        self._pump = pump
        self._owner_thread = threading.get_ident()
        self._info.name = f"microphone:{device.description()}"
        log.info("microphone started: %s", device.description())

    def stop(self) -> None:
        """Idempotent, from any thread; no sink call follows it."""
        with self._delivery:
            self._delivering = False
        pump, self._pump = self._pump, None
        if pump is None:
            return
        if threading.get_ident() == self._owner_thread:
            pump.close()
        else:
            pump.close_requested.emit()
            if not pump.closed.wait(2.0):
                log.warning("the microphone's thread did not close the device within 2 s")

    # -- called by the pump, on its thread -------------------------------------------------------

    def _deliver(self, chunk: AudioChunk, *, recovered: bool) -> None:
        with self._delivery:
            if not self._delivering or self._sink is None:
                return
            if recovered:
                log.info("microphone delivers again")
                self._sink.source_recovered(SOURCE)
            self._sink.audio_chunk(chunk)

    def _report(self, error: CaptureError) -> None:
        with self._delivery:
            if self._delivering and self._sink is not None:
                self._sink.source_error(error)

    def _missing_message(self) -> str:
        if self.device_name is None:
            return "No microphone found. Connect one, or run the session video-only."
        return (
            f"The microphone “{self.device_name}” is not connected. Connect it or choose another, "
            "or run the session video-only."
        )


class _AudioPump(QObject):
    """Owns the `QAudioSource` and the watchdog, on the thread that started the microphone."""

    close_requested = Signal()

    def __init__(self, owner: MicrophoneSource, clock: SessionClock) -> None:
        super().__init__()
        self.closed = threading.Event()
        self._owner = owner
        self._clock = clock
        self._stamper = AudioStamper()
        self._converter: AudioConverter | None = None
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._opened_at = 0.0
        self._last_data_at: float | None = None
        self._pending: list[np.ndarray] = []
        self._lost = False
        self._back = False
        """Sound came back after a loss; the next chunk tells the sink so."""
        self._devices = QMediaDevices(self)
        self._devices.audioInputsChanged.connect(self._inputs_changed)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check)
        self.close_requested.connect(self.close)

    def open(self, device: QAudioDevice) -> bool:
        fmt = wanted_format()
        if not device.isFormatSupported(fmt):
            fmt = device.preferredFormat()
            if fmt.sampleFormat() not in _FORMAT_NAMES or fmt.channelCount() < 1 or fmt.sampleRate() < 1:
                log.warning("%s offers no usable format (%s)", device.description(), fmt)
                return False
            log.info(
                "%s records %d Hz, %d channel(s), %s: converting",
                device.description(),
                fmt.sampleRate(),
                fmt.channelCount(),
                fmt.sampleFormat().name,
            )
        source = QAudioSource(device, fmt, self)
        io = source.start()
        if io is None or source.error() != QtAudio.Error.NoError:
            log.warning("cannot start %s: %s", device.description(), source.error().name)
            source.deleteLater()
            return False
        self._source, self._io = source, io
        self._converter = converter_for(fmt)
        self._stamper.restart()
        self._pending.clear()
        self._opened_at = time.monotonic()
        self._last_data_at = None
        io.readyRead.connect(self._read)
        source.stateChanged.connect(self._state_changed)
        self._watchdog.start()
        return True

    def close(self) -> None:
        self._watchdog.stop()
        self._close_stream()
        self._devices.audioInputsChanged.disconnect(self._inputs_changed)
        self.closed.set()
        self.deleteLater()

    def _close_stream(self) -> None:
        source, io = self._source, self._io
        self._source = self._io = None
        if io is not None:
            io.readyRead.disconnect(self._read)
        if source is not None:
            source.stateChanged.disconnect(self._state_changed)
            source.stop()
            source.deleteLater()

    def _read(self) -> None:
        if self._io is None or self._converter is None:
            return
        # PySide6 gives bytes here, which bytes() returns as they are; its stub also allows
        # bytearray and memoryview.
        data = bytes(self._io.readAll().data())
        if not data:
            return
        self._last_data_at = time.monotonic()
        if self._lost:
            self._lost = False
            self._back = True
            self._stamper.restart()  # the time in between is a gap, not samples to squeeze in
            self._pending.clear()
        self._pending.append(self._converter.convert(data))
        if sum(len(p) for p in self._pending) < MIN_CHUNK_SAMPLES:
            return
        samples = np.concatenate(self._pending)
        self._pending.clear()
        recovered, self._back = self._back, False
        chunk = AudioChunk(samples=samples, t=self._stamper.stamp(len(samples), self._clock.now()))
        self._owner._deliver(chunk, recovered=recovered)

    def _state_changed(self) -> None:
        source = self._source
        if source is None:
            return
        error = source.error()
        if source.state() == QtAudio.State.StoppedState and error != QtAudio.Error.NoError:
            self._close_stream()
            self._lose(f"the device reported {error.name}")

    def _check(self) -> None:
        if self._lost or self._source is None:
            return
        now = time.monotonic()
        if self._last_data_at is None:
            if now - self._opened_at > self._owner.start_timeout_s:
                self._lose(f"no sound within {self._owner.start_timeout_s:.0f} s of opening")
        elif now - self._last_data_at > self._owner.stall_s:
            self._lose(f"no sound for {now - self._last_data_at:.1f} s")

    def _lose(self, reason: str) -> None:
        if self._lost or self._back:
            # Already reported, and the sink has not heard it back yet.
            self._lost, self._back = True, False
            log.debug("microphone still lost: %s", reason)
            return
        self._lost = True
        log.warning("microphone lost: %s; waiting for it to come back", reason)
        self._owner._report(
            DeviceLost(
                "The microphone stopped sending sound. Check its cable; the sound resumes when it is back.",
                source=SOURCE,
            )
        )

    def _inputs_changed(self) -> None:
        if not self._lost:
            return
        device = find_input(self._owner.device_name)
        if device is None:
            log.info("inputs changed; the microphone is not among them yet")
            return
        self._close_stream()
        if self.open(device):
            log.info("microphone reopened: %s", device.description())
