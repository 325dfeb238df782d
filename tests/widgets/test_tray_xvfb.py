"""The sending state's tray icon in a real system tray: Xvfb with `trayer` (a freedesktop tray
host) and the main window on the xcb platform, in a child process (this one is offscreen)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from resources.screenshots import stop, x_server

pytestmark = [pytest.mark.xvfb, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys, time
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from app.model.view_state import PipelineStatus
from widgets.main_window import MainWindow
from widgets.theme import apply_theme
app = QApplication([])
apply_theme(app)
window = MainWindow()
window.show()
window.set_status(PipelineStatus(backend="local", session_state="running"))
shown = window.tray.show()
deadline = time.monotonic() + 10
while window.tray.icon.geometry().isEmpty() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.05)
local = window.tray.icon.toolTip()
window.set_status(PipelineStatus(backend="local", session_state="running", paused=True))
app.processEvents()
geometry = window.tray.icon.geometry()
found = {"available": QSystemTrayIcon.isSystemTrayAvailable(), "shown": shown}
found["visible"] = window.tray.icon.isVisible()
found["size"] = [geometry.width(), geometry.height()]
found["local"], found["paused"] = local, window.tray.icon.toolTip()
print(json.dumps(found))
window.close()
"""


def test_the_tray_icon_sits_in_a_real_tray_and_follows_the_sending_state(tmp_path: Path) -> None:
    missing = [tool for tool in ("Xvfb", "trayer") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install xvfb trayer; .ci/run does)")
    with x_server("800x600x24", tmp_path / "xvfb.log") as display:
        tray_host = subprocess.Popen(
            ["trayer", "--edge", "bottom", "--align", "right", "--widthtype", "pixel", "--width", "64"],
            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1.0)  # the tray host claims the tray selection
            env = {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(REPO)}
            done = subprocess.run(
                [sys.executable, "-c", CHILD],
                cwd=REPO,
                env={**_inherited(), **env},
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            stop(tray_host, "trayer")
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["available"] and found["shown"] and found["visible"]
    assert min(found["size"]) > 0, "the tray host embedded the icon"
    assert found["local"] == "Interhuman Live: Local analysis (nothing leaves this computer)"
    assert found["paused"] == "Interhuman Live: Paused: nothing is sent"


def _inherited() -> dict[str, str]:
    keep = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "PATH", "LANG")
    return {name: os.environ[name] for name in keep if name in os.environ}
