"""How smoothly the live window runs while a session encodes and streams.

The real `MainWindow` and `DesktopController` run a session of the synthetic source at 640x480@30
and 1280x720@30 into the embedded local analyzer, on the app's own kind of loop (qasync on the
Qt main thread), with 4 s segments. After the first result, for `MEASURE_S`, it counts:
- preview frames painted per second: `PreviewWidget.paintEvent`s that showed a frame newer than
  the one painted before (repaints for the overlay alone are counted apart);
- main-thread stalls: the gaps between ticks of a 5 ms precise timer on the main thread, p50,
  p99 and max (a gap is the longest the thread could not answer), and the p99 of each gap less
  the time the kernel kept the thread waiting for a CPU ("own"), which a shared machine inflates.
Budget: 29+ new frames painted per second for 30 fps input, p99 gap at most 16 ms (one frame at
60 Hz), both on the raw figures. The window is real: offscreen by default (`make bench`), or xcb
when run under Xvfb.

User files stay untouched: settings, window geometry and the recording go to a temporary home,
and the keyring is the null backend while the bench runs. The machine is shared: the load
average, this process's CPU use and the other processes' CPU use are printed beside the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import numpy as np
from keyring.backends import null
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication

from app.desktop.controller import DesktopController
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.runtime.event_loop import qt_event_loop
from app.runtime.qt_messages import route_qt_messages
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import Settings
from widgets.main_window import MainWindow
from widgets.preview import PreviewWidget
from widgets.theme import apply_theme

SIZES = ("640x480", "1280x720")
FPS = 30
MEASURE_S = 15.0
TICK_MS = 5
START_TIMEOUT_S = 30.0
BUDGET_FPS = 29.0
BUDGET_P99_MS = 16.0
SCHEDSTAT = "/proc/thread-self/schedstat"


@dataclass(frozen=True, slots=True)
class Figures:
    resolution: str
    painted_fps: float
    """Paints that showed a new frame, per second."""
    overlay_only_fps: float
    """Paints with no new frame (badge, status, snapshot changes), per second."""
    handed_fps: float
    """New frames the controller handed to the preview, per second."""
    p50_ms: float
    p99_ms: float
    max_ms: float
    own_p99_ms: float
    """p99 of the gaps less their run-queue wait."""
    segments_sent: int
    encoder_load: float | None
    dropped_frames: int
    cpu_cores: float
    """This process's CPU seconds per wall second over the measurement."""
    others_cores: float | None
    """The other processes' CPU seconds per wall second meanwhile (Linux only)."""

    @property
    def passed(self) -> bool:
        return self.painted_fps >= BUDGET_FPS and self.p99_ms <= BUDGET_P99_MS


class PaintCounter:
    """Counts the preview's paint events, and which of them showed a frame newer than the last."""

    def __init__(self, preview: PreviewWidget) -> None:
        self.new_frames = self.overlay_only = self.handed = 0
        self._fresh = False
        paint, set_frame = preview.paintEvent, preview.set_frame

        def counted_paint(event: QPaintEvent) -> None:
            paint(event)
            if self._fresh:
                self.new_frames += 1
            else:
                self.overlay_only += 1
            self._fresh = False

        def counted_frame(image: np.ndarray) -> None:
            set_frame(image)
            self.handed += 1
            self._fresh = True

        preview.paintEvent = counted_paint  # type: ignore[method-assign]
        preview.set_frame = counted_frame  # type: ignore[method-assign]

    def reset(self) -> None:
        self.new_frames = self.overlay_only = self.handed = 0


class GapMeter:
    """Gaps between the ticks of a precise `TICK_MS` timer on the thread that starts it (the main
    thread), and how much of each gap the kernel kept that thread waiting for a CPU.

    The waiting comes from Linux's per-thread schedstat (run-queue time); where it is missing it
    reads as zero. A gap minus its run-queue wait is the thread's own share: its work, or a lock
    or the GIL it waited for. What remains is a busy machine's doing (or our threads' crowding).
    """

    def __init__(self) -> None:
        self.gaps_ms: list[float] = []
        self.cpu_waits_ms: list[float] = []
        self._last = self._last_wait = 0.0
        self._schedstat: int | None = None
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        # thread-self names the thread that opens it: this one, whose timer ticks.
        with contextlib.suppress(OSError):
            self._schedstat = os.open(SCHEDSTAT, os.O_RDONLY)
        self._last, self._last_wait = time.perf_counter(), self._run_queue_wait_s()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._timer.timeout.disconnect(self._tick)
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None

    @property
    def own_gaps_ms(self) -> list[float]:
        """Each gap less the time the thread spent waiting for a CPU."""
        return [max(0.0, gap - wait) for gap, wait in zip(self.gaps_ms, self.cpu_waits_ms, strict=True)]

    def _tick(self) -> None:
        now, wait = time.perf_counter(), self._run_queue_wait_s()
        self.gaps_ms.append((now - self._last) * 1000)
        self.cpu_waits_ms.append((wait - self._last_wait) * 1000)
        self._last, self._last_wait = now, wait

    def _run_queue_wait_s(self) -> float:
        if self._schedstat is None:
            return 0.0
        # "<ns on a CPU> <ns waiting on a run queue> <time slices>"
        return int(os.pread(self._schedstat, 64, 0).split()[1]) / 1e9


def machine_busy_s() -> float | None:
    """CPU seconds used by the whole machine since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def isolated_home() -> Iterator[Path]:
    """A temporary home for settings, window geometry and recordings; the null keyring."""
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    saved = {name: os.environ.get(name) for name in names}
    previous_keyring = keyring.get_keyring()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as folder:
        for name in names:
            os.environ[name] = str(Path(folder) / name.lower())
        keyring.set_keyring(null.Keyring())
        try:
            yield Path(folder)
        finally:
            keyring.set_keyring(previous_keyring)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def qt_application() -> QApplication:
    app = QCoreApplication.instance()
    if app is None:
        return QApplication([])
    if not isinstance(app, QApplication):
        raise RuntimeError("bench.ui needs a QApplication, and this process already has a non-GUI one")
    return app


async def until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout_s:g} s")
        await asyncio.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(app: QApplication, resolution: str, home: Path) -> Figures:
    settings = Settings(
        backend="local",
        camera=SYNTHETIC_CAMERA_ID,
        resolution=resolution,  # type: ignore[arg-type]
        fps=FPS,
        recording_folder=home / "recordings",
        retention_days=0,
    )
    with qt_event_loop(app) as loop:
        window = MainWindow()
        controller = DesktopController(window, settings, KeyStore(), library_versions())
        paints = PaintCounter(window.preview)
        meter = GapMeter()

        def counts_now() -> tuple[int, int]:
            """What went out (segments or stream chunks) and whether a result came back."""
            session = controller.session
            if session is None:
                return 0, 0
            counts = session.timeline.counts
            answered = session.timeline.cue_lag_s(session.clock.now()) is not None
            return counts.sent + counts.chunks_sent, int(answered)

        async def session() -> Figures:
            controller.start()
            await until(lambda: counts_now()[1] >= 1, START_TIMEOUT_S, "the first result")
            sent_before = counts_now()[0]
            paints.reset()
            cpu_before, machine_before, began = time.process_time(), machine_busy_s(), time.perf_counter()
            meter.start()
            await asyncio.sleep(MEASURE_S)
            meter.stop()
            elapsed = time.perf_counter() - began
            cpu, machine_after = time.process_time() - cpu_before, machine_busy_s()
            status = controller.status()
            sent = counts_now()[0] - sent_before
            await controller.stop_session()
            others = None
            if machine_before is not None and machine_after is not None:
                others = max(0.0, machine_after - machine_before - cpu) / elapsed
            return Figures(
                resolution=resolution,
                painted_fps=paints.new_frames / elapsed,
                overlay_only_fps=paints.overlay_only / elapsed,
                handed_fps=paints.handed / elapsed,
                p50_ms=statistics.median(meter.gaps_ms),
                p99_ms=percentile(meter.gaps_ms, 0.99),
                max_ms=max(meter.gaps_ms),
                own_p99_ms=percentile(meter.own_gaps_ms, 0.99),
                segments_sent=sent,
                encoder_load=status.encoder_load,
                dropped_frames=status.dropped_video_frames,
                cpu_cores=cpu / elapsed,
                others_cores=others,
            )

        window.show()
        try:
            return loop.run_until_complete(session())
        finally:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main() -> None:
    load_before = os.getloadavg()
    route_qt_messages()
    with isolated_home() as home:
        app = qt_application()
        apply_theme(app)
        platform = QApplication.platformName()
        results = [measure(app, resolution, home) for resolution in SIZES]
    load_after = os.getloadavg()
    print(
        f"live window ({platform} platform), synthetic source at {FPS} fps into local analysis, "
        f"{MEASURE_S:g} s measured after the first result; main-thread gaps of a {TICK_MS} ms timer"
    )
    print(
        f"{'size':>9}  {'painted/s':>9}  {'handed/s':>8}  {'overlay/s':>9}  {'gap p50':>7}  {'p99':>6}  "
        f"{'max':>6}  {'own p99':>7}  {'sent':>4}  {'encoder':>7}  {'dropped':>7}  {'CPU':>5}  {'others':>6}"
    )
    for f in results:
        load = "–" if f.encoder_load is None else f"{f.encoder_load * 100:.0f} %"
        others = "–" if f.others_cores is None else f"{f.others_cores * 100:.0f}%"
        print(
            f"{f.resolution:>9}  {f.painted_fps:>9.1f}  {f.handed_fps:>8.1f}  {f.overlay_only_fps:>9.1f}  "
            f"{f.p50_ms:>5.1f}ms  {f.p99_ms:>4.1f}ms  {f.max_ms:>4.0f}ms  {f.own_p99_ms:>5.1f}ms  "
            f"{f.segments_sent:>4}  {load:>7}  {f.dropped_frames:>7}  {f.cpu_cores * 100:>4.0f}%  {others:>6}"
        )
    print(
        f"load average before {' '.join(f'{v:.2f}' for v in load_before)}, "
        f"after {' '.join(f'{v:.2f}' for v in load_after)} ({os.cpu_count()} cores, shared); "
        "CPU: this process, others: every other process, in % of one core"
    )
    for f in results:
        verdict = "PASS" if f.passed else "FAIL"
        print(
            f"{verdict} {f.resolution}@{FPS}: {f.painted_fps:.1f} frames painted/s (budget {BUDGET_FPS:g}+), "
            f"p99 main-thread gap {f.p99_ms:.1f} ms (budget {BUDGET_P99_MS:g} ms)"
        )


if __name__ == "__main__":
    main()
