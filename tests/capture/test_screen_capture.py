"""Screen and region capture on a real X server (Xvfb): a pattern window of a test's own, captured by
`ScreenSource` in a child process into real segments, found again in the decoded pictures at the
right place and size, moving at the right speed, at the configured frame rate."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from support.pattern_checks import decode_frames, field_box, segment_sizes, square_track
from support.screen_recorder import Recorded, ScreenRecorder, list_on_display
from support.x_display import PatternWindow, XDisplay, pattern_window, x_display

from capture.media import DeviceNotFound, SessionClock
from capture.screen_capture import NO_DISPLAY, ScreenSource
from capture.window_source import WindowSource

FPS = 15.0
SEGMENT_S = 3.0
SCREEN = (1280, 720)
OUTPUT = (640, 360)
WINDOW_AT = (200, 120)
WINDOW_SIZE = (400, 300)


def record(display: XDisplay, out: Path, source: str, seconds: float) -> Recorded:
    recorder = ScreenRecorder(
        display.env, out, "--source", source, "--size", f"{OUTPUT[0]}x{OUTPUT[1]}", "--fps", str(FPS),
        "--segment-s", str(SEGMENT_S),
    )  # fmt: skip
    recorder.wait_for("started")
    time.sleep(seconds)
    return recorder.finish()


def assert_paced(recorded: Recorded) -> None:
    """Every segment has the configured frame rate, frames evenly spaced."""
    frames = decode_frames(recorded.segments, recorded.data)
    for segment in recorded.segments:
        inside = [f.t for f in frames if segment["t0"] <= f.t < segment["t1"]]
        assert len(inside) / (segment["t1"] - segment["t0"]) == pytest.approx(FPS, abs=1.0)
    steps = np.diff([f.t for f in frames])
    assert np.median(steps) == pytest.approx(1 / FPS, abs=0.01)
    assert steps.max() < 3 / FPS


def assert_square_moves(recorded: Recorded, window: PatternWindow, *, left: float, scale: float) -> None:
    """The square is where the pattern's clock puts it (within capture latency) and keeps moving."""
    frames = decode_frames(recorded.segments, recorded.data)
    track = square_track(
        frames, left=left, scale=scale, clock_start=recorded.clock_start, started=window.started,
        window_width=window.width,
    )  # fmt: skip
    assert len(track) > len(frames) // 2
    errors = np.array([measured - expected for measured, expected in track])
    speed_px_s = 120.0 * scale
    # A picture is a little older than its stamp (a screen refresh, the pacing tick): the square
    # lags where the clock puts it at that time, never leads it.
    assert -speed_px_s * 0.15 < np.median(errors) < 2.0
    assert np.abs(errors - np.median(errors)).max() < speed_px_s * 0.1
    steps = np.diff([measured for measured, _ in track])
    forward = steps[(steps > -speed_px_s) & (steps < speed_px_s)]  # not across a wrap
    assert np.median(forward) == pytest.approx(speed_px_s / FPS, rel=0.2), "moving at the pattern's speed"
    assert (forward > 0).mean() > 0.9, "a new position in (nearly) every frame"


@pytest.fixture
def display() -> XDisplay:
    with x_display(*SCREEN) as running:
        yield running


@pytest.mark.xvfb
@pytest.mark.timeout(120)
def test_a_screen_is_captured_scaled_with_the_pattern_in_place_and_moving(
    display: XDisplay, tmp_path: Path
) -> None:
    with pattern_window(display, "Pattern for the screen", size=WINDOW_SIZE, at=WINDOW_AT) as window:
        recorded = record(display, tmp_path / "screen", "screen:0", 2 * SEGMENT_S + 1.0)
    assert recorded.start_error is None and recorded.events == []
    assert recorded.info == {"name": "screen:0", "width": 640, "height": 360, "fps": FPS}
    assert len(recorded.segments) == 2
    assert segment_sizes(recorded.data) == {OUTPUT}
    assert_paced(recorded)
    scale = OUTPUT[0] / SCREEN[0]
    expected_box = np.array(
        [WINDOW_AT[0], WINDOW_AT[1], WINDOW_AT[0] + WINDOW_SIZE[0], WINDOW_AT[1] + WINDOW_SIZE[1]]
    )
    for frame in decode_frames(recorded.segments, recorded.data):
        box = field_box(frame.image)
        assert box is not None
        assert np.abs(np.array(box) - expected_box * scale).max() <= 2, (
            f"the window at {box} at {frame.t:.2f} s"
        )
    assert_square_moves(recorded, window, left=WINDOW_AT[0] * scale, scale=scale)


@pytest.mark.xvfb
@pytest.mark.timeout(120)
def test_a_region_is_cropped_and_letterboxed_to_the_output(display: XDisplay, tmp_path: Path) -> None:
    region = f"{WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}+{WINDOW_AT[0]}+{WINDOW_AT[1]}"
    with pattern_window(display, "Pattern for the region", size=WINDOW_SIZE, at=WINDOW_AT) as window:
        recorded = record(display, tmp_path / "region", f"region:0:{region}", SEGMENT_S + 1.0)
    assert recorded.start_error is None and recorded.events == []
    assert segment_sizes(recorded.data) == {OUTPUT}
    assert_paced(recorded)
    # 4:3 into 16:9: the full height, centred, with black bars left and right.
    scale = OUTPUT[1] / WINDOW_SIZE[1]
    left = (OUTPUT[0] - WINDOW_SIZE[0] * scale) / 2
    for frame in decode_frames(recorded.segments, recorded.data):
        box = field_box(frame.image)
        assert box is not None
        assert np.abs(np.array(box) - [left, 0, OUTPUT[0] - left, OUTPUT[1]]).max() <= 2
        assert (
            frame.image[:, : int(left) - 4].max() < 24
            and frame.image[:, int(OUTPUT[0] - left) + 4 :].max() < 24
        )
    assert_square_moves(recorded, window, left=left, scale=scale)


@pytest.mark.xvfb
@pytest.mark.timeout(60)
def test_a_screen_that_does_not_exist_is_a_clear_error(display: XDisplay, tmp_path: Path) -> None:
    recorder = ScreenRecorder(display.env, tmp_path / "none", "--source", "screen:3")
    recorder.wait_for("start-error")
    recorded = recorder.finish()
    assert recorded.start_error == {
        "type": "DeviceNotFound",
        "source": "screen",
        "message": "There is no screen 3: this computer has 1 (screen:0).",
    }


@pytest.mark.xvfb
@pytest.mark.timeout(60)
def test_the_screens_are_listed(display: XDisplay) -> None:
    assert list_on_display(display.env)["screens"] == [
        {"index": 0, "name": "screen", "area": "1280x720+0+0", "primary": True}
    ]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("source", [ScreenSource(0), WindowSource("Zoom")], ids=["screen", "window"])
def test_without_a_display_the_sources_say_so(qapp: object, source: ScreenSource | WindowSource) -> None:
    """The tests' own Qt platform is offscreen: a virtual screen nobody sees is no display."""
    with pytest.raises(DeviceNotFound) as raised:
        source.start(SessionClock(), None)  # type: ignore[arg-type]
    assert str(raised.value) == NO_DISPLAY
