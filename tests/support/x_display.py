"""A private X display for tests: Xvfb on a display it picks itself, optionally with openbox, and
pattern windows (`tests/pattern_window.py`) in processes of their own.

Qt picks its platform once per process, and the tests' own is offscreen, so whatever needs the
display runs in a child process given `XDisplay.env` (see `tests/screen_recorder.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PATTERN = Path(__file__).resolve().parent / "pattern_window.py"


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class XDisplay:
    """A running Xvfb (and window manager, if asked for). `env` is what a client needs."""

    display: str
    width: int
    height: int
    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    window_manager: bool = False

    def __post_init__(self) -> None:
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if key != "WAYLAND_DISPLAY"}
        self.env.update(
            {
                "DISPLAY": self.display,
                "QT_QPA_PLATFORM": "xcb",
                "HOME": str(home),
                "XDG_RUNTIME_DIR": str(self.folder),
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
            }
        )


@contextlib.contextmanager
def x_display(width: int, height: int, *, window_manager: bool = False) -> Iterator[XDisplay]:
    """Xvfb at `width` x `height` (24-bit), with openbox managing windows if `window_manager`."""
    needed = ["Xvfb"] + (["openbox"] if window_manager else [])
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install xvfb openbox)")
    folder = Path(tempfile.mkdtemp(prefix="ih-x-"))
    log = (folder / "xvfb.log").open("wb")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=log,
        stderr=log,
    )
    os.close(write_end)
    manager: subprocess.Popen[bytes] | None = None
    try:
        display = XDisplay(
            f":{_read_display(read_end)}", width, height, folder, window_manager=window_manager
        )
        if window_manager:
            manager = subprocess.Popen(["openbox", "--sm-disable"], env=display.env, stdout=log, stderr=log)
            _wait_for_manager(display)
        yield display
    finally:
        os.close(read_end)
        if manager is not None:
            _stop(manager)
        _stop(xvfb)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _read_display(read_end: int) -> int:
    text = b""
    deadline = time.monotonic() + 15
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(read_end, 16) if ready else b""
        if not chunk:
            raise RuntimeError("Xvfb did not start")
        text += chunk
    return int(text)


def _wait_for_manager(display: XDisplay) -> None:
    """openbox is ready once the root window names its client list."""
    from Xlib.display import Display

    deadline = time.monotonic() + 15
    connection = Display(display.display)
    try:
        atom = connection.intern_atom("_NET_SUPPORTING_WM_CHECK")
        while connection.screen().root.get_full_property(atom, 0) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("openbox did not start")
            time.sleep(0.05)
    finally:
        connection.close()


@dataclass
class PatternWindow:
    """`tests/pattern_window.py` on the display: where its client area is and when its pattern began."""

    process: subprocess.Popen[str]
    title: str
    x: int
    y: int
    width: int
    height: int
    started: float
    """The monotonic time the pattern's square set off."""

    def command(self, line: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer == f"done {line}", answer

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError, AssertionError):
                self.command("quit")
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                _stop(self.process)


@contextlib.contextmanager
def pattern_window(
    display: XDisplay, title: str, *, size: tuple[int, int] = (400, 300), at: tuple[int, int] = (100, 80)
) -> Iterator[PatternWindow]:
    process = subprocess.Popen(
        [sys.executable, str(PATTERN), title, "--size", f"{size[0]}x{size[1]}", "--at", f"{at[0]},{at[1]}"],
        env=display.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    window: PatternWindow | None = None
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("ready "):
            _stop(process)
            raise RuntimeError(
                f"the pattern window did not come up: {line!r} {process.stderr.read()[-2000:]}"
            )
        place = json.loads(line.split(" ", 1)[1])
        window = PatternWindow(process, title, **place)
        yield window
    finally:
        if window is not None:
            window.close()
        _stop(process)
