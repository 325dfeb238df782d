"""The child process that runs a screen, region or window source into a real `SegmentEncoder` on an X
display (see `tests/x_display.py` for why a child): `python tests/screen_recorder.py record …`
or `… list`.

`record` starts the source from a worker thread, as the session does, prints `started {json}`
(the session clock's start on the monotonic clock), then one line per `error` / `recovered` the
sink hears, and obeys `stop` on stdin: it writes every segment to OUT/segment-NNN.webm and what
happened to OUT/run.json, prints `stopped` and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capture.media import CaptureSource

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Recorded:
    """What a `record` child left in its folder."""

    segments: list[dict[str, float]]
    """Each segment's index, t0 and t1 in session time."""
    data: list[bytes]
    clock_start: float
    """The session clock's zero on the monotonic clock (shared with the pattern window)."""
    start_error: dict[str, str] | None
    events: list[dict[str, object]]
    stats: dict[str, object]
    info: dict[str, object]


class ScreenRecorder:
    """`python tests/screen_recorder.py record …` under `env`; its progress lines can be awaited."""

    def __init__(self, env: dict[str, str], out: Path, *args: str) -> None:
        self.out = out
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "record", "--out", str(out), *args],
            env=env,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for(self, word: str) -> str:
        """Read the child's progress until a line starts with `word`; that line's rest."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.startswith(word):
                return line[len(word) :].strip()
        err = self.process.stderr.read() if self.process.stderr else ""
        raise AssertionError(f"the recorder ended before {word!r}: {self.lines} {err[-3000:]}")

    def finish(self, timeout_s: float = 60) -> Recorded:
        """Tell it to stop (if it still runs) and collect what it recorded."""
        try:
            assert self.process.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write("stop\n")
                self.process.stdin.flush()
            _, err = self.process.communicate(timeout=timeout_s)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        assert self.process.returncode == 0, f"recorder failed ({self.process.returncode}): {err[-3000:]}"
        run = json.loads((self.out / "run.json").read_text())
        data = [(self.out / f"segment-{int(s['index']):03d}.webm").read_bytes() for s in run["segments"]]
        return Recorded(data=data, **run)


def list_on_display(env: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    """`list_screens()` and `list_windows()` as a child with a window of its own sees them."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "list"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="screen_recorder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print the screens and windows as JSON, with a window of its own open")
    rec = sub.add_parser("record")
    rec.add_argument("--out", type=Path, required=True)
    rec.add_argument("--source", required=True, help="screen:N, region:N:WxH+X+Y or window:TITLE")
    rec.add_argument("--size", default="640x360")
    rec.add_argument("--fps", type=float, default=15.0)
    rec.add_argument("--segment-s", type=float, default=3.0)
    args = parser.parse_args(argv)
    return _record(args) if args.command == "record" else _list()


def _list() -> int:
    from PySide6.QtWidgets import QApplication, QWidget

    from capture.devices import list_screens
    from capture.window_source import list_windows

    app = QApplication([sys.argv[0]])
    own = QWidget()
    own.setWindowTitle("Recorder's own window")
    own.resize(200, 100)
    own.show()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:  # until the X server has mapped it
        app.processEvents()
        time.sleep(0.01)
    screens = [
        {"index": s.index, "name": s.name, "area": str(s.area), "primary": s.primary} for s in list_screens()
    ]
    windows = [{"title": w.title, "area": str(w.area), "minimised": w.minimised} for w in list_windows()]
    print(json.dumps({"screens": screens, "windows": windows}))
    own.close()
    return 0


def _build(text: str, width: int, height: int, fps: float) -> CaptureSource:
    from capture.areas import Area
    from capture.screen_capture import ScreenRegion, ScreenSource
    from capture.window_source import WindowSource

    kind, _, rest = text.partition(":")
    if kind == "screen":
        return ScreenSource(int(rest or 0), width, height, fps)
    if kind == "region":
        screen, _, area = rest.partition(":")
        return ScreenSource(
            int(screen), width, height, fps, framing=ScreenRegion(Area.parse(area)), source="region"
        )
    if kind == "window":
        return WindowSource(rest, width, height, fps)
    raise SystemExit(f"unknown source {text!r}")


def _record(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from capture.encoder import EncoderConfig, SegmentEncoder
    from capture.media import AudioChunk, CaptureError, Segment, SessionClock, VideoFrame

    app = QGuiApplication([sys.argv[0]])
    width, height = (int(v) for v in args.size.split("x"))
    clock = SessionClock()
    segments: list[Segment] = []
    events: list[dict[str, object]] = []
    encoder = SegmentEncoder(
        EncoderConfig(segment_s=args.segment_s, width=width, height=height, fps=args.fps), segments.append
    )
    source = _build(args.source, width, height, args.fps)

    def say(kind: str, **details: object) -> None:
        events.append({"kind": kind, "t": clock.now(), **details})
        print(kind, json.dumps(details), flush=True)

    class Sink:
        def video_frame(self, frame: VideoFrame) -> None:
            encoder.video_frame(frame)

        def audio_chunk(self, chunk: AudioChunk) -> None:
            encoder.audio_chunk(chunk)

        def source_error(self, error: CaptureError) -> None:
            say("error", type=type(error).__name__, source=error.source, message=str(error))

        def source_recovered(self, name: str) -> None:
            say("recovered", source=name)

        def source_finished(self, name: str) -> None:
            say("finished", source=name)

    def run() -> None:
        start_error = None
        encoder.start()
        try:
            source.start(clock, Sink())
        except CaptureError as error:
            start_error = {"type": type(error).__name__, "source": error.source, "message": str(error)}
            print("start-error", json.dumps(start_error), flush=True)
        else:
            print("started", json.dumps({"clock_start": time.monotonic() - clock.now()}), flush=True)
            for line in sys.stdin:
                if line.strip() == "stop":
                    break
            source.stop()
        stats = encoder.stop()
        args.out.mkdir(parents=True, exist_ok=True)
        for segment in segments:
            (args.out / f"segment-{segment.index:03d}.webm").write_bytes(segment.data)
        info = source.info()
        run = {
            "segments": [{"index": s.index, "t0": s.t0, "t1": s.t1} for s in segments],
            "clock_start": time.monotonic() - clock.now(),
            "start_error": start_error,
            "events": events,
            "stats": {"video_frames_received": stats.video_frames_received, "gaps": stats.gaps},
            "info": {"name": info.name, "width": info.width, "height": info.height, "fps": info.fps},
        }
        (args.out / "run.json").write_text(json.dumps(run))
        print("stopped", flush=True)
        QTimer.singleShot(0, app, app.quit)

    worker = threading.Thread(target=run, name="recorder")
    worker.start()
    app.exec()
    worker.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
