"""`make screenshots`: the real app during a live local-analysis session, captured under Xvfb.

    python -m resources.screenshots [--out DIR] [--results N]

It starts its own X server (`Xvfb -displayfd` picks a free display), runs the app as a user
would (`python -m app --source synthetic --local --start`, then again with `--compact`) on the
xcb platform with a fresh temporary home each time (no settings, window places, keyring or API
key of the user's leak in, and nothing of the run stays behind), waits until the session has
recorded N results, grabs the screen with ImageMagick's `import -window root` and crops it to the
window with `convert -trim` (there is no window manager, so all else is black). It writes
`main.png` and `compact.png` and stops every process it started, whatever happens.

Then, for what comes after a session, it records a session of its own (`stream --source synthetic
--local --fast`), opens it in the review window (`review SESSION --at S`) for `review.png`, and has
headless Chromium draw its HTML report (`report SESSION --html`) for `report.png`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app import APP_NAME
from app.model.consent import notice_key
from app.model.events import EngagementChanged, ResultReceived, parse_event, wall_now
from app.session.config import LOCAL
from app.store.settings import SETTINGS_FILE, Settings, save_settings

log = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parent / "screenshots"
SCREEN = "1440x900x24"
RESULTS = 3
RESULTS_TIMEOUT_S = 60.0
SETTLE_S = 0.8
"""After the last awaited result: the window refreshes its feedback four times a second."""
SAFETY_QUIT_S = 120
"""The app quits by itself after this even if this script were killed before stopping it."""
TOOLS = {
    "Xvfb": "xvfb",
    "import": "imagemagick",
    "convert": "imagemagick",
    "identify": "imagemagick",
    "chromium": "chromium",
}
REVIEWED_S = 48.0
"""The length of the session recorded for the review and report pictures."""
REVIEW_AT_S = 21.0
REVIEW_SETTLE_S = 4.0
REPORT_SIZE = (1100, 1500)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


class ScreenshotError(RuntimeError):
    """A step failed; the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class Shot:
    name: str
    arguments: tuple[str, ...]
    min_size: tuple[int, int]
    """A crop smaller than this means the window was not on the screen."""


SHOTS = (
    Shot("main.png", (), (1000, 600)),
    Shot("compact.png", ("--compact",), (200, 150)),
)


def check_tools() -> None:
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        raise ScreenshotError(f"missing tools: install them with `sudo apt-get install {' '.join(missing)}`")


def stop(process: subprocess.Popen[bytes], name: str) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within 10 s: killing it", name)
            process.kill()
            process.wait()


@contextlib.contextmanager
def x_server(screen: str, log_path: Path) -> Iterator[str]:
    """Xvfb on a display it picks itself; yields the DISPLAY value."""
    read_end, write_end = os.pipe()
    with log_path.open("wb") as output:
        try:
            xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-br", "-nolisten", "tcp"],
                pass_fds=(write_end,),
                stdout=output,
                stderr=output,
            )
        finally:
            os.close(write_end)
        try:
            yield f":{_read_display(read_end, xvfb, log_path)}"
        finally:
            os.close(read_end)
            stop(xvfb, "Xvfb")


def _read_display(read_end: int, xvfb: subprocess.Popen[bytes], log_path: Path) -> int:
    text = b""
    deadline = time.monotonic() + 15
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(read_end, 16) if ready else b""
        if not chunk:
            tail = log_path.read_text(errors="replace")[-800:]
            raise ScreenshotError(f"Xvfb did not start (exit {xvfb.poll()}):\n{tail}")
        text += chunk
    return int(text)


def app_environment(display: str, home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "INTERHUMAN_API_KEY"}
    env.update(
        {
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "HOME": str(home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
    )
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("WAYLAND_DISPLAY", None)
    return env


def agree_to_local_analysis(home: Path) -> None:
    """The privacy notice for Local analysis, agreed to in the fresh home's settings, as a user
    would have before their first session: the shots show the session, not the notice."""
    settings = Settings(
        recording_folder=home / "xdg_data_home" / APP_NAME / "sessions",  # where the app's own default is
        consents={notice_key("local", LOCAL, screen=False): wall_now()},
    )
    save_settings(settings, home / "xdg_config_home" / APP_NAME / SETTINGS_FILE)


def results_recorded(data_home: Path) -> int:
    count = 0
    for events in data_home.rglob("events.jsonl"):
        lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
        count += sum(
            isinstance(parse_event(line), ResultReceived | EngagementChanged)  # v0 segment, v1 window
            for line in lines
            if line.endswith("\n") and line.strip()
        )
    return count


def capture(display: str, work: Path, target: Path, shot: Shot, results: int) -> None:
    home = work / shot.name.removesuffix(".png")
    env = app_environment(display, home)
    agree_to_local_analysis(home)
    command = [sys.executable, "-m", "app", "--source", "synthetic", "--local", "--start", *shot.arguments]
    command += ["--quit-after", str(SAFETY_QUIT_S)]
    app_log = work / f"{home.name}-app.log"
    with app_log.open("wb") as output:
        app = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        try:
            _wait_for_results(app, home / "xdg_data_home", results, app_log)
            time.sleep(SETTLE_S)
            raw = work / f"{home.name}-screen.png"
            subprocess.run(["import", "-display", display, "-window", "root", str(raw)], check=True)
        finally:
            stop(app, "the app")
    subprocess.run(["convert", str(raw), "-trim", "+repage", str(target)], check=True)
    width, height = _size(target)
    if width < shot.min_size[0] or height < shot.min_size[1]:
        raise ScreenshotError(f"{target.name} is only {width}x{height}: the window was not on the screen")
    print(f"{target}: {width}x{height}")


def _wait_for_results(app: subprocess.Popen[bytes], data_home: Path, results: int, app_log: Path) -> None:
    deadline = time.monotonic() + RESULTS_TIMEOUT_S
    while results_recorded(data_home) < results:
        if app.poll() is not None:
            tail = app_log.read_text(errors="replace")[-1500:]
            raise ScreenshotError(f"the app ended (exit {app.returncode}) before {results} results:\n{tail}")
        if time.monotonic() > deadline:
            raise ScreenshotError(f"no {results} results within {RESULTS_TIMEOUT_S:g} s; see {app_log}")
        time.sleep(0.2)


def record_session(work: Path, display: str) -> Path:
    """A real session of the synthetic source through Local analysis, in a home of its own."""
    folder = work / "reviewed" / "20261201-100000-rehearse"
    env = app_environment(display, work / "reviewed-home")
    command = [sys.executable, "-m", "app", "stream", "--source", "synthetic", "--local", "--fast"]
    command += ["--duration", str(REVIEWED_S), "--include", "conversation_quality_overall"]
    command += ["--include", "conversation_quality_timeline", "--record-dir", str(folder), "-q"]
    subprocess.run(command, env=env, check=True, timeout=300)
    manifest = folder / "session.json"
    manifest.write_text(manifest.read_text().replace('"title": null', '"title": "Rehearsal, take 3"'))
    return folder


def capture_review(display: str, work: Path, session: Path, target: Path) -> None:
    env = app_environment(display, work / "reviewed-home")
    command = [sys.executable, "-m", "app", "review", str(session), "--at", str(REVIEW_AT_S)]
    command += ["--quit-after", str(SAFETY_QUIT_S)]
    app_log = work / "review-app.log"
    with app_log.open("wb") as output:
        app = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + RESULTS_TIMEOUT_S
            while not (session / "recording.webm").exists():
                if app.poll() is not None or time.monotonic() > deadline:
                    raise ScreenshotError(f"the review window did not open its recording; see {app_log}")
                time.sleep(0.2)
            time.sleep(REVIEW_SETTLE_S)
            raw = work / "review-screen.png"
            subprocess.run(["import", "-display", display, "-window", "root", str(raw)], check=True)
        finally:
            stop(app, "the review window")
    subprocess.run(["convert", str(raw), "-trim", "+repage", str(target)], check=True)
    print(f"{target}: {'x'.join(map(str, _size(target)))}")


def capture_report(work: Path, session: Path, target: Path) -> None:
    page = work / "report.html"
    env = app_environment(":0", work / "reviewed-home")
    subprocess.run(
        [sys.executable, "-m", "app", "report", str(session), "--html", str(page)], env=env, check=True
    )
    size = f"--window-size={REPORT_SIZE[0]},{REPORT_SIZE[1]}"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", size, f"--screenshot={target}"]
        subprocess.run([*browser, page.as_uri()], check=True, capture_output=True, timeout=120)
    print(f"{target}: {'x'.join(map(str, _size(target)))}")


def _size(image: Path) -> tuple[int, int]:
    found = subprocess.run(
        ["identify", "-format", "%w %h", str(image)], check=True, capture_output=True, text=True
    )
    width, height = found.stdout.split()
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    parser.add_argument(
        "--results", type=int, default=RESULTS, help="results to wait for before each shot (default 3)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # A Ctrl+C must still reach the `finally` blocks that stop Xvfb and the app.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        check_tools()
        args.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="interhuman-screenshots-") as folder:
            work = Path(folder)
            with x_server(SCREEN, work / "xvfb.log") as display:
                for shot in SHOTS:
                    capture(display, work, args.out / shot.name, shot, args.results)
                session = record_session(work, display)
                capture_review(display, work, session, args.out / "review.png")
                capture_report(work, session, args.out / "report.png")
    except (ScreenshotError, subprocess.CalledProcessError) as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("screenshots: interrupted; Xvfb and the app are stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
