"""The child process that records from a MicrophoneSource for the tests (see `pulse_mic` for why
recordings run in a fresh process): `python tests/support/mic_recorder.py record …` or `… list`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Recording:
    """What the child saw. Times `t` are session times; `at` are seconds since the child's start."""

    start_error: dict[str, str] | None
    events: list[dict[str, object]]
    samples: np.ndarray
    chunk_t: np.ndarray
    chunk_len: np.ndarray
    name: str
    """`MicrophoneSource.info().name`."""
    calls_after_stop: int

    def kinds(self) -> list[str]:
        kinds: list[str] = []
        for event in self.events:
            if not kinds or kinds[-1] != event["kind"] or event["kind"] != "audio":
                kinds.append(str(event["kind"]))
        return kinds


def _child(command: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), command, *args]


def _child_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}


class RecorderProcess:
    """`python tests/support/mic_recorder.py record …` under `env`; its progress lines can be awaited."""

    def __init__(self, env: dict[str, str], out: Path, *args: str) -> None:
        self.out = out
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            _child("record", "--out", str(out), *args),
            env=_child_env(env),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for(self, word: str) -> None:
        """Read the child's progress until a line starts with `word` (the test's timeout bounds it)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.startswith(word):
                return
        raise AssertionError(f"the recorder ended before {word!r}: {self.lines} {self.process.stderr}")

    def finish(self, timeout_s: float = 60) -> Recording:
        try:
            _, err = self.process.communicate(timeout=timeout_s)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        assert self.process.returncode == 0, f"recorder failed ({self.process.returncode}): {err[-3000:]}"
        with np.load(self.out, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return Recording(
                samples=data["samples"], chunk_t=data["chunk_t"], chunk_len=data["chunk_len"], **meta
            )


def record(env: dict[str, str], out: Path, *args: str, timeout_s: float = 60) -> Recording:
    return RecorderProcess(env, out, *args).finish(timeout_s)


def list_devices(env: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    """`list_cameras()` and `list_microphones()` as a fresh process under `env` sees them."""
    done = subprocess.run(
        _child("list"), env=_child_env(env), cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """The child: list the devices, or record from a MicrophoneSource on a Qt event loop."""
    parser = argparse.ArgumentParser(prog="mic_recorder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print the cameras and microphones as JSON")
    rec = sub.add_parser("record")
    rec.add_argument("--out", type=Path, required=True)
    rec.add_argument("--device", default=None)
    rec.add_argument("--until", choices=("audio", "recovered"), default="audio")
    rec.add_argument("--after", type=float, default=2.0, help="seconds to go on after --until")
    rec.add_argument("--stall-s", type=float, default=2.0)
    rec.add_argument("--stop-from-thread", action="store_true")
    args = parser.parse_args(argv)
    return _record(args) if args.command == "record" else _list()


def _list() -> int:
    from PySide6.QtCore import QCoreApplication

    from capture.devices import list_cameras, list_microphones

    _app = QCoreApplication([])
    cameras = [{"index": c.index, "name": c.name} for c in list_cameras()]
    microphones = [{"id": m.id, "name": m.name, "is_default": m.is_default} for m in list_microphones()]
    print(json.dumps({"cameras": cameras, "microphones": microphones}))
    return 0


def _record(args: argparse.Namespace) -> int:
    import threading

    from PySide6.QtCore import QCoreApplication, QTimer

    from capture.media import AudioChunk, CaptureError, SessionClock
    from capture.microphone import MicrophoneSource
    from support.media_files import RecordingSink

    app = QCoreApplication([])
    began = time.monotonic()
    events: list[dict[str, object]] = []
    calls_at_stop: list[int] = []
    source = MicrophoneSource(args.device, stall_s=args.stall_s)

    def say(kind: str, **details: object) -> None:
        events.append({"kind": kind, "at": time.monotonic() - began, **details})
        if kind != "audio" or sum(e["kind"] == "audio" for e in events) == 1:
            print(kind, json.dumps(details), flush=True)

    def finish() -> None:
        if args.stop_from_thread:
            stopper = threading.Thread(target=source.stop)
            stopper.start()
            while stopper.is_alive():  # the stop hops to this thread: keep its loop turning
                app.processEvents()
        else:
            source.stop()
        calls_at_stop.append(len(sink.events))
        say("stopped")
        QTimer.singleShot(300, app.quit)  # anything arriving now would be a call after stop

    class Sink(RecordingSink):
        def audio_chunk(self, chunk: AudioChunk) -> None:
            super().audio_chunk(chunk)
            say("audio", t=chunk.t, n=len(chunk.samples))
            if args.until == "audio" and len(self.chunks) == 1:
                QTimer.singleShot(int(args.after * 1000), finish)

        def source_error(self, error: CaptureError) -> None:
            super().source_error(error)
            say("error", type=type(error).__name__, message=str(error))

        def source_recovered(self, name: str) -> None:
            super().source_recovered(name)
            say("recovered", source=name)
            if args.until == "recovered":
                QTimer.singleShot(int(args.after * 1000), finish)

    sink = Sink()
    start_error = None
    try:
        source.start(SessionClock(), sink)
        say("started")
        app.exec()
    except CaptureError as error:
        start_error = {"type": type(error).__name__, "message": str(error), "source": error.source}
    meta = {
        "start_error": start_error,
        "events": events,
        "name": source.info().name,
        "calls_after_stop": len(sink.events) - calls_at_stop[0] if calls_at_stop else 0,
    }
    chunk_t = np.array([c.t for c in sink.chunks], dtype=np.float64)
    chunk_len = np.array([len(c.samples) for c in sink.chunks], dtype=np.int64)
    np.savez(args.out, samples=sink.audio(), chunk_t=chunk_t, chunk_len=chunk_len, meta=json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
