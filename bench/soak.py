"""A long session that must not wear the app down: `python -m bench soak [--minutes N]`.

The real `MainWindow` and `DesktopController` run one session of the synthetic source at
640x480@30 into Local analysis for `--minutes` (default 30), recording to disk as a user's would,
on the app's own loop (qasync on the Qt main thread). Every minute it prints the process's
resident memory, its threads (all of them, Qt's included) and open file descriptors (sampled every
5 s: the fewest seen, which are the ones that stay, and the most), and the p99 and longest gap of
a 5 ms timer on the main thread over that minute (see `bench.ui.GapMeter`).

Budget, after the first minute (start-up allocations, caches, the analyzer's first models):
resident memory grows by at most 20 MB, threads and descriptors do not grow, and every minute's
p99 gap stays within 16 ms. Not part of a plain `python -m bench`: it is long on purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from app.desktop.controller import DesktopController
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.runtime.event_loop import qt_event_loop
from app.runtime.memory import return_large_buffers
from app.runtime.qt_messages import route_qt_messages
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import Settings
from bench.ui import START_TIMEOUT_S, GapMeter, isolated_home, percentile, qt_application, until
from widgets.main_window import MainWindow
from widgets.theme import apply_theme

RUN_BY_DEFAULT = False
"""`python -m bench` leaves this one out; `python -m bench soak` runs it."""
DEFAULT_MINUTES = 30.0
MINUTE_S = 60.0
SAMPLE_S = 5.0
RESOLUTION = "640x480"
FPS = 30
BUDGET_RSS_GROWTH_MB = 20.0
BUDGET_P99_MS = 16.0


@dataclass(frozen=True, slots=True)
class Minute:
    number: int
    rss_mb: float
    threads: int
    """The fewest seen in the minute (sampled every `SAMPLE_S`): the ones that stay."""
    threads_max: int
    fds: int
    fds_max: int
    p99_ms: float
    max_ms: float
    own_p99_ms: float
    sent: int
    """Segments (v0) or stream chunks (v1/v2) sent so far."""
    completed: int
    """v0: segments answered."""
    cue_lag_s: float | None
    """How far behind live the newest analysed media was at the minute's end."""
    skipped: int
    dropped_frames: int


def rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far (what `getrusage` knows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def thread_count() -> int:
    """Every thread of the process, Qt's and the libraries' included (Linux /proc)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def open_descriptors() -> int:
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return -1


def soak(app: QApplication, home: Path, minutes: float) -> list[Minute]:
    settings = Settings(
        backend="local",
        camera=SYNTHETIC_CAMERA_ID,
        resolution=RESOLUTION,
        fps=FPS,
        recording_folder=home / "recordings",
        retention_days=0,
    )
    with qt_event_loop(app) as loop:
        window = MainWindow()
        controller = DesktopController(window, settings, KeyStore(), library_versions())
        meter = GapMeter()

        async def session() -> list[Minute]:
            controller.start()
            await until(lambda: controller.state == "running", START_TIMEOUT_S, "the session to start")
            meter.start()
            figures: list[Minute] = []
            began = time.monotonic()
            for number in range(1, max(1, round(minutes)) + 1):
                # Threads and descriptors come and go (executor workers, a segment being written):
                # what stays all minute, the fewest seen, is what could leak.
                threads, fds = [], []
                while (left := began + number * MINUTE_S - time.monotonic()) > 0:
                    await asyncio.sleep(min(SAMPLE_S, left))
                    threads.append(thread_count())
                    fds.append(open_descriptors())
                gaps, own = list(meter.gaps_ms), list(meter.own_gaps_ms)
                meter.gaps_ms.clear()
                meter.cpu_waits_ms.clear()
                figures.append(
                    _minute(number, controller, gaps, own, (min(threads), max(threads)), (min(fds), max(fds)))
                )
                _print_minute(figures[-1], figures[0])
            meter.stop()
            await controller.stop_session()
            return figures

        window.show()
        try:
            return loop.run_until_complete(session())
        finally:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _minute(
    number: int,
    controller: DesktopController,
    gaps: list[float],
    own: list[float],
    threads: tuple[int, int],
    fds: tuple[int, int],
) -> Minute:
    session = controller.session
    assert session is not None
    counts = session.timeline.counts
    return Minute(
        number=number,
        rss_mb=rss_mb(),
        threads=threads[0],
        threads_max=threads[1],
        fds=fds[0],
        fds_max=fds[1],
        p99_ms=percentile(gaps, 0.99) if gaps else 0.0,
        max_ms=max(gaps, default=0.0),
        own_p99_ms=percentile(own, 0.99) if own else 0.0,
        sent=counts.sent + counts.chunks_sent,  # one of the two, by protocol
        completed=counts.completed,
        cue_lag_s=session.timeline.snapshot(session.clock.now()).cue_lag_s,
        skipped=counts.skipped,
        dropped_frames=counts.dropped_video_frames,
    )


def _print_minute(m: Minute, first: Minute) -> None:
    if m.number == 1:
        print(
            f"{'min':>4}  {'RSS MB':>7}  {'ΔRSS':>6}  {'threads':>7}  {'fds':>7}  {'p99 gap':>7}  "
            f"{'max':>6}  {'own p99':>7}  {'sent':>5}  {'done':>5}  {'lag':>5}  "
            f"{'skipped':>7}  {'dropped':>7}",
            flush=True,
        )
    print(
        f"{m.number:>4}  {m.rss_mb:>7.1f}  {m.rss_mb - first.rss_mb:>+6.1f}  "
        f"{f'{m.threads}–{m.threads_max}':>7}  {f'{m.fds}–{m.fds_max}':>7}  "
        f"{m.p99_ms:>5.1f}ms  {m.max_ms:>4.0f}ms  {m.own_p99_ms:>5.1f}ms  {m.sent:>5}  {m.completed:>5}  "
        f"{'–' if m.cue_lag_s is None else f'{m.cue_lag_s:.1f}s':>5}  {m.skipped:>7}  {m.dropped_frames:>7}",
        flush=True,
    )


def verdicts(figures: Sequence[Minute]) -> list[tuple[bool, str]]:
    """Each budget's verdict and its sentence, measured against the first minute."""
    first, later = figures[0], list(figures[1:])
    if not later:
        return [(False, "a soak needs at least two minutes to compare against the first")]
    growth = max(m.rss_mb for m in later) - first.rss_mb
    threads = max(m.threads for m in later)
    fds = max(m.fds for m in later)
    worst = max(later, key=lambda m: m.p99_ms)
    return [
        (
            growth <= BUDGET_RSS_GROWTH_MB,
            f"RSS growth after minute 1: {growth:+.1f} MB (budget {BUDGET_RSS_GROWTH_MB:g})",
        ),
        (
            threads <= first.threads,
            f"threads that stay: {first.threads} in minute 1, at most {threads} later (no growth)",
        ),
        (
            fds <= first.fds,
            f"descriptors that stay: {first.fds} in minute 1, at most {fds} later (no growth)",
        ),
        (
            worst.p99_ms <= BUDGET_P99_MS,
            f"worst minute's p99 main-thread gap: {worst.p99_ms:.1f} ms in minute {worst.number} "
            f"(budget {BUDGET_P99_MS:g} ms; own share {worst.own_p99_ms:.1f} ms)",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=DEFAULT_MINUTES, help=f"how long (default {DEFAULT_MINUTES:g})"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return_large_buffers()  # as `interhuman-live` does at start
    route_qt_messages()
    load_before = os.getloadavg()
    print(
        f"soak: one session of the synthetic source at {RESOLUTION}@{FPS} into Local analysis for "
        f"{args.minutes:g} min, recorded to disk; the main window offscreen",
        flush=True,
    )
    with isolated_home() as home:
        app = qt_application()
        apply_theme(app)
        figures = soak(app, home, args.minutes)
    load_after = os.getloadavg()
    print(
        f"load average before {' '.join(f'{v:.2f}' for v in load_before)}, after "
        f"{' '.join(f'{v:.2f}' for v in load_after)} ({os.cpu_count()} cores, shared)"
    )
    for ok, sentence in verdicts(figures):
        print(f"{'PASS' if ok else 'FAIL'} {sentence}")


if __name__ == "__main__":
    main()
