"""How far behind the live moment the feedback on screen is, v0 against v1, and what it costs the
main thread.

The real `MainWindow` and `DesktopController` run a `SESSION_S` session of the synthetic source
at 640x480@30 into the embedded local analyzer, once on v0 (4 s segments) and once on v1 (the
continuous stream, 3 s windows every 1 s), on the app's own loop (qasync on the Qt main thread).
Each time the preview paints, the cue lag is taken: now (session clock) minus the end of the
newest analysed media in the snapshot the overlay shows. Beside it, the main thread's gaps
between the ticks of a precise 5 ms timer (`bench.ui`'s meter). Budget: v1 p95 cue lag at most
1.5 s; main-thread p99 gap at most 16 ms; v0's figures are printed for comparison.
"""

from __future__ import annotations

import asyncio
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication

from app.desktop.controller import DesktopController
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.runtime.event_loop import qt_event_loop
from app.runtime.qt_messages import route_qt_messages
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import Settings
from bench.ui import GapMeter, isolated_home, percentile, qt_application, until
from widgets.main_window import MainWindow
from widgets.theme import apply_theme

SESSION_S = 60.0
START_TIMEOUT_S = 30.0
PROTOCOLS = ("v0", "v1")
BUDGET_V1_P95_S = 1.5
BUDGET_P99_MS = 16.0


@dataclass(frozen=True, slots=True)
class Figures:
    protocol: str
    lag_p50_s: float
    lag_p95_s: float
    lag_max_s: float
    paints: int
    gap_p50_ms: float
    gap_p99_ms: float
    own_p99_ms: float
    summary_p50_s: float | None
    summary_p95_s: float | None


class LagAtPaint:
    """The cue lag each time the preview paints: now less the end of the newest analysed media in
    the snapshot it was last handed."""

    def __init__(self, window: MainWindow, controller: DesktopController) -> None:
        self.lags_s: list[float] = []
        self._shown: TimelineSnapshot | None = None
        preview = window.preview
        paint, set_snapshot = preview.paintEvent, preview.set_snapshot

        def shown(snapshot: TimelineSnapshot) -> None:
            set_snapshot(snapshot)
            self._shown = snapshot

        def painted(event: QPaintEvent) -> None:
            paint(event)
            session, snapshot = controller.session, self._shown
            if (
                self.measuring
                and session is not None
                and snapshot is not None
                and snapshot.cue_lag_s is not None
            ):
                newest_end = snapshot.now - snapshot.cue_lag_s
                self.lags_s.append(session.clock.now() - newest_end)

        self.measuring = False
        preview.set_snapshot = shown  # type: ignore[method-assign]
        preview.paintEvent = painted  # type: ignore[method-assign]


def measure(app: QApplication, protocol: str, home: Path) -> Figures:
    settings = Settings(
        backend="local",
        api_version=protocol,  # type: ignore[arg-type]
        camera=SYNTHETIC_CAMERA_ID,
        resolution="640x480",
        fps=30,
        segment_length_s=4.0,
        recording_folder=home / "recordings",
        retention_days=0,
    )
    with qt_event_loop(app) as loop:
        window = MainWindow()
        controller = DesktopController(window, settings, KeyStore(), library_versions())
        lags = LagAtPaint(window, controller)
        meter = GapMeter()

        async def session() -> Figures:
            controller.start()

            def has_result() -> bool:
                session = controller.session
                return session is not None and session.timeline.cue_lag_s(session.clock.now()) is not None

            await until(has_result, START_TIMEOUT_S, "the first result")
            lags.measuring = True
            meter.start()
            await asyncio.sleep(SESSION_S)
            meter.stop()
            lags.measuring = False
            running = controller.session
            assert running is not None
            await controller.stop_session()
            summary = await running.stop()  # the same summary again: a session stops once
            values = lags.lags_s
            return Figures(
                protocol=protocol,
                lag_p50_s=statistics.median(values),
                lag_p95_s=percentile(values, 0.95),
                lag_max_s=max(values),
                paints=len(values),
                gap_p50_ms=statistics.median(meter.gaps_ms),
                gap_p99_ms=percentile(meter.gaps_ms, 0.99),
                own_p99_ms=percentile(meter.own_gaps_ms, 0.99),
                summary_p50_s=summary.cue_lag_p50_s,
                summary_p95_s=summary.cue_lag_p95_s,
            )

        window.show()
        try:
            return loop.run_until_complete(session())
        finally:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def verdict(text: str, passed: bool) -> str:
    return f"{text}: {'PASS' if passed else 'FAIL'}"


def main() -> None:
    load_before = os.getloadavg()
    route_qt_messages()
    with isolated_home() as home:
        app = qt_application()
        apply_theme(app)
        results = [measure(app, protocol, home) for protocol in PROTOCOLS]
    load_after = os.getloadavg()
    print(
        f"cue lag: {SESSION_S:g} s of the synthetic source (640x480@30) into Local analysis per protocol, "
        f"taken at every preview paint ({QApplication.platformName()} platform)"
    )
    print(
        f"{'protocol':>8}  {'lag p50':>7}  {'p95':>6}  {'max':>6}  {'paints':>6}  "
        f"{'summary p50/p95':>15}  {'gap p50':>7}  {'p99':>6}  {'own p99':>7}"
    )
    for r in results:
        summary = "–" if r.summary_p50_s is None else f"{r.summary_p50_s:.2f}/{r.summary_p95_s or 0:.2f} s"
        lag = f"{r.lag_p50_s:>6.2f}s  {r.lag_p95_s:>5.2f}s  {r.lag_max_s:>5.2f}s"
        gaps = f"{r.gap_p50_ms:>5.1f}ms  {r.gap_p99_ms:>4.1f}ms  {r.own_p99_ms:>5.1f}ms"
        print(f"{r.protocol:>8}  {lag}  {r.paints:>6}  {summary:>15}  {gaps}")
    loads = f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    print(f"machine: {os.cpu_count()} cores, {loads}")
    v1 = next(r for r in results if r.protocol == "v1")
    print(
        verdict(
            f"v1 cue lag p95 {v1.lag_p95_s:.2f} s <= {BUDGET_V1_P95_S} s", v1.lag_p95_s <= BUDGET_V1_P95_S
        )
    )
    for r in results:
        print(
            verdict(
                f"{r.protocol} main-thread p99 gap {r.gap_p99_ms:.1f} ms <= {BUDGET_P99_MS:g} ms",
                r.gap_p99_ms <= BUDGET_P99_MS,
            )
        )


if __name__ == "__main__":
    main()
