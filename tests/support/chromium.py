"""Debian's headless Chromium, for looking at the HTML report as a browser draws and prints it.

Each call gets a fresh profile folder and every background fetch Chromium would make switched off;
the page itself is a file:// URL, so nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    assert found, "Chromium is missing: install it with `sudo apt-get install chromium`"
    return found


def _run(page: Path, *args: str) -> None:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}"


def screenshot(page: Path, png: Path, size: tuple[int, int] = (1100, 2200)) -> Path:
    _run(page, f"--window-size={size[0]},{size[1]}", f"--screenshot={png}")
    assert png.exists(), "chromium wrote no screenshot"
    return png


def print_to_pdf(page: Path, pdf: Path) -> Path:
    _run(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.exists(), "chromium wrote no PDF"
    return pdf
