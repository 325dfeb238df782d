"""How long Interhuman Live takes from launch to its main window: from source and from the bundle.

Each run starts the desktop app offscreen with `--log-level INFO --quit-after`, in a bare
environment (`env -i` style: a fresh HOME, so first-run settings and no user files, and nothing from
this shell's virtual environment), and times from process launch to the "ready" line the GUI logs
once its main window is shown. Any logger's "ready" line counts, so the measurement holds however
the window grows. The app then quits by itself and must exit with status 0.

It prints, for the source install (`python -m app` in the venv) and the bundle
(`dist/interhuman-live/interhuman-live`, if built; `INTERHUMAN_BUNDLE` names another):
- the first run on its own (it may read from disk what later runs find cached), then the median
  and worst of the next runs;
- the floor: `--version`, the interpreter (or bootloader) start without Qt or a window.
Budget: the bundle's median under 2.5 s on this machine (PASS/FAIL).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = Path(os.environ.get("INTERHUMAN_BUNDLE", ROOT / "dist" / "interhuman-live" / "interhuman-live"))
RUNS = 5
READY_TIMEOUT_S = 60.0
QUIT_AFTER_S = 0.5
EXIT_TIMEOUT_S = 30.0
BUDGET_S = 2.5
_READY = re.compile(r"^INFO \S+: ready\b")


@dataclass(frozen=True)
class Timings:
    first_s: float
    runs_s: list[float]
    floor_s: float

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def worst_s(self) -> float:
        return max(self.runs_s)


def bare_environment(home: Path) -> dict[str, str]:
    """What a user's session offers the app, plus the offscreen platform: no venv, no PYTHONPATH."""
    return {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "USER": os.environ.get("USER", "user"),
        "TMPDIR": str(home),
        "QT_QPA_PLATFORM": "offscreen",
    }


def launch_to_ready(command: list[str], folder: Path) -> float:
    """Seconds from launching `command` (the GUI) to its "ready" log line, in a fresh HOME."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=folder))
    arguments = [*command, "--log-level", "INFO", "--quit-after", str(QUIT_AFTER_S)]
    tail: deque[str] = deque(maxlen=20)
    ready_s: float | None = None
    began = time.perf_counter()
    process = subprocess.Popen(
        arguments,
        cwd=ROOT,  # so that `python -m app` runs this tree; the bundle does not care
        env=bare_environment(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A hung start must end the run, not the benchmark.
    watchdog = threading.Timer(READY_TIMEOUT_S + EXIT_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        for line in process.stderr or ():
            if ready_s is None and _READY.match(line):
                ready_s = time.perf_counter() - began
            tail.append(line.rstrip())
        status = process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if ready_s is None or status != 0:
        what = "never logged 'ready'" if ready_s is None else f"exited with status {status}"
        raise RuntimeError(f"{' '.join(command)} {what}:\n  " + "\n  ".join(tail))
    return ready_s


def floor_s(command: list[str], folder: Path) -> float:
    """Seconds for `--version`: starting the interpreter and parsing arguments, no Qt, no window."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=folder))
    began = time.perf_counter()
    subprocess.run(
        [*command, "--version"], cwd=ROOT, env=bare_environment(home), check=True, capture_output=True
    )
    return time.perf_counter() - began


def measure(command: list[str], folder: Path) -> Timings:
    first = launch_to_ready(command, folder)
    runs = [launch_to_ready(command, folder) for _ in range(RUNS)]
    return Timings(first_s=first, runs_s=runs, floor_s=floor_s(command, folder))


def report(label: str, timings: Timings) -> None:
    print(
        f"  {label:<8} first {timings.first_s:.2f} s, median {timings.median_s:.2f} s, "
        f"worst {timings.worst_s:.2f} s (runs: {', '.join(f'{s:.2f}' for s in timings.runs_s)}); "
        f"--version {timings.floor_s:.2f} s"
    )


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    print(
        f'startup benchmark: launch to "ready" (main window shown), offscreen, fresh HOME, bare environment; '
        f"first run, then {RUNS} runs"
    )
    print(f"machine: {os.cpu_count()} cores, load average {load()} (before)")
    with tempfile.TemporaryDirectory(prefix="ih-startup-") as scratch:
        folder = Path(scratch)
        report("source", measure([sys.executable, "-m", "app"], folder))
        bundle = None
        if BUNDLE.is_file() and os.access(BUNDLE, os.X_OK):
            bundle = measure([str(BUNDLE)], folder)
            report("bundle", bundle)
        else:
            print(f"  bundle   not built ({BUNDLE} missing: make bundle)")
    print(f"machine: load average {load()} (after)")
    if bundle is None:
        print(f"bundle median < {BUDGET_S:.1f} s: not checked (no bundle)")
    else:
        verdict = "PASS" if bundle.median_s < BUDGET_S else "FAIL"
        print(f"bundle median {bundle.median_s:.2f} s < {BUDGET_S:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
