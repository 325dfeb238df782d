"""`stream --source window:TITLE|screen` for real: the command on an Xvfb display with a window
manager, analysing a pattern window of the test's own with the local analyzer; and without any
display, a clear message and exit 5."""

from __future__ import annotations

import io
import json
from pathlib import Path

import av
import pytest
from support.pattern_checks import field_box
from support.stream_helpers import StreamCommand, StreamProcess, UserHome, of, read_events
from support.x_display import pattern_window, x_display

from app.cli.exit_codes import EXIT_CAPTURE, EXIT_OK, EXIT_USAGE
from app.model.events import SegmentClosed, SegmentCompleted
from capture.screen_capture import NO_DISPLAY

TITLE = "Candidate – weekly interview"


@pytest.mark.xvfb
@pytest.mark.timeout(120)
def test_a_window_is_streamed_by_its_title(home: UserHome, tmp_path: Path) -> None:
    events_path = tmp_path / "events.jsonl"
    with (
        x_display(1280, 720, window_manager=True) as display,
        pattern_window(display, TITLE, size=(480, 360)),
    ):
        # The command runs on the display, as in a terminal on the desktop.
        env = {**home.env(), "DISPLAY": display.env["DISPLAY"], "QT_QPA_PLATFORM": "xcb"}
        args = [
            "--source", "window:weekly interview", "--mic", "none", "--local", "--resolution", "320x240",
            "--segment-seconds", "3", "--duration", "7", "--events", str(events_path),
        ]  # fmt: skip
        process = StreamProcess(args, env, tmp_path / "run")
        try:
            run = process.finish(90)  # the display must outlive the command
        finally:
            process.kill()
    assert run.returncode == EXIT_OK, run.describe()
    events = read_events(events_path)
    closed = of(events, SegmentClosed)
    assert len(closed) == 2 and len(of(events, SegmentCompleted)) == 2
    manifest = json.loads(next(home.sessions.rglob("session.json")).read_text())
    assert manifest["source"] == "window:weekly interview + microphone none"
    segment = sorted(next(home.sessions.iterdir()).rglob("*.webm"))[0]
    with av.open(io.BytesIO(segment.read_bytes())) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="bgr24")
    # 4:3 into 4:3: the window fills the picture.
    box = field_box(frame)
    assert box is not None and abs(box[0]) <= 2 and abs(box[2] - 320) <= 2 and abs(box[3] - 240) <= 2


@pytest.mark.timeout(60)
@pytest.mark.parametrize("source", ["screen", "window:Zoom", "region:0:640x360+0+0"])
def test_without_a_display_a_screen_source_exits_5_with_a_clear_message(
    stream: StreamCommand, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    run = stream.run("--source", source, "--mic", "none", "--local", timeout_s=45)
    assert run.returncode == EXIT_CAPTURE, run.describe()
    assert run.stderr.count(NO_DISPLAY) == 1, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("source", "reason"),
    [("window:", "unknown source 'window:'"), ("region:0:8x8+0+0", "an area needs at least 16x16 pixels")],
)
def test_bad_screen_sources_are_usage_errors(stream: StreamCommand, source: str, reason: str) -> None:
    run = stream.run("--source", source, "--local", timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert reason in run.stderr and "Traceback" not in run.stderr
