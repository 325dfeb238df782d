"""The real app on a real (virtual) 1024x600 screen: the window fits it and keeps its size while a
session's texts come and go, and the Settings dialog fits it at 2x scaling without clipping a line.

Each test starts its own Xvfb (with `-displayfd`, so it picks a free display) and runs the app on
the xcb platform, as a user's desktop would, with the test's own settings and data folders.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.protocol_server import Script
from support.stream_helpers import REPO, ServerThread

from app.model.consent import notice_key
from app.model.events import wall_now
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.store.settings import Settings, save_settings
from resources.screenshots import x_server

pytestmark = [pytest.mark.xvfb, pytest.mark.timeout(120)]

SCREEN = (1024, 600)
MAIN_WINDOW = re.compile(r'"Interhuman Live": \("[^"]*" "Interhuman Live"\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)')


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    with x_server(f"{SCREEN[0]}x{SCREEN[1]}x24", tmp_path / "xvfb.log") as name:
        yield name


def app_env(display: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **extra}
    env.pop("WAYLAND_DISPLAY", None)
    return env


def window_geometry(display: str) -> tuple[int, int, int, int] | None:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True
    ).stdout
    found = MAIN_WINDOW.search(tree)
    return None if found is None else (int(found[1]), int(found[2]), int(found[3]), int(found[4]))


def test_the_window_fits_the_screen_and_keeps_its_size_through_a_troubled_session(
    display: str, tmp_path: Path
) -> None:
    # Errors, dropped connections and reconnection countdowns: every text the window has for trouble.
    server = ServerThread(Script(segment_s=3.0, errors={1: "ih5002"}, abort_after=2)).start()
    try:
        save_settings(
            Settings(
                backend="cloud",
                server_url=server.url,
                camera=SYNTHETIC_CAMERA_ID,
                segment_length_s=3.0,
                recording_folder=tmp_path / "recordings",
                retention_days=0,
                consents={notice_key("cloud", server.url, screen=False): wall_now()},  # agreed to before
            )
        )
        app = subprocess.Popen(
            [sys.executable, "-m", "app", "--start", "--quit-after", "16"],
            cwd=REPO,
            env=app_env(display, INTERHUMAN_API_KEY="ih_live_SmallScreenTestKey7"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        seen: list[tuple[int, int, int, int]] = []
        try:
            deadline = time.monotonic() + 14
            while time.monotonic() < deadline and app.poll() is None:
                geometry = window_geometry(display)
                if geometry is not None:
                    seen.append(geometry)
                time.sleep(0.4)
            _, stderr = app.communicate(timeout=60)
        finally:
            if app.poll() is None:
                app.kill()
                app.wait()
    finally:
        server.stop()
    assert app.returncode == 0, stderr.decode(errors="replace")[-2000:]
    assert len(server.server.connections) >= 2, "the session met its trouble"
    assert len(seen) > 10, "the window was on the screen"
    width, height, x, y = seen[0]
    assert x >= 0 and y >= 0 and x + width <= SCREEN[0] and y + height <= SCREEN[1], seen[0]
    assert set(seen) == {seen[0]}, f"the window changed its size or place: {sorted(set(seen))}"


DIALOG_PROBE = """
import json
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
from widgets.theme import apply_theme
apply_theme(app)
from app.model.view_state import KeyStoreView
from app.store.settings import Settings
from widgets.settings_dialog import SettingsDialog
dialog = SettingsDialog(Settings(), KeyStoreView(None, True, "test", "INTERHUMAN_API_KEY"))
dialog.show()
for _ in range(20):
    app.processEvents()
hint = next(label for label in dialog.findChildren(QLabel) if label.text().startswith("Only for networks"))
print(json.dumps({
    "dialog": dialog.frameGeometry().getRect(),
    "screen": dialog.screen().availableGeometry().getRect(),
    "hint": [hint.width(), hint.height(), hint.heightForWidth(hint.width())],
}))
"""


def test_the_settings_dialog_fits_a_small_screen_at_2x_without_clipping_a_line(display: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DIALOG_PROBE],
        cwd=REPO,
        env=app_env(display, QT_SCALE_FACTOR="2"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    x, y, width, height = probe["dialog"]
    left, top, screen_w, screen_h = probe["screen"]
    assert left <= x and top <= y and x + width <= left + screen_w and y + height <= top + screen_h, probe
    hint_w, hint_h, needed = probe["hint"]
    assert hint_w > 0 and hint_h >= needed, f"the hint under 'Compatibility' is clipped: {probe}"
