"""The Qt main thread keeps answering while a session encodes, streams and is analysed.

A 5 ms timer on the main thread notes the gaps between its ticks over more than 10 s of a
running session (synthetic 640x480 at 30 fps, 3 s segments: several segments close, go out and
come back meanwhile). The requirement: no gap over 100 ms. Each gap is judged less the time the
kernel kept the main thread waiting for a CPU (Linux schedstat; `bench.ui.GapMeter`), which on
a shared two-core machine is other programs' doing; the raw figures are printed beside it for
the notes (`pytest -s`). bench/ui.py measures the tighter frame budget.
"""

from __future__ import annotations

import asyncio
import statistics

import pytest
from support.desktop_helpers import LiveApp

from bench.ui import TICK_MS, GapMeter, percentile

pytestmark = pytest.mark.timeout(120)

MEASURE_S = 12.0
MAX_GAP_MS = 100.0


def test_the_main_thread_never_stalls_over_100_ms_during_a_session(live: LiveApp) -> None:
    meter = GapMeter()

    async def scenario() -> int:
        await live.start_session()
        await live.until_completed(1)  # encoder, uplink and analyzer are all busy from here on
        before = live.counts()
        meter.start()
        await asyncio.sleep(MEASURE_S)
        meter.stop()
        after = live.counts()
        await live.stop_session()
        return after.sent - before.sent

    sent_meanwhile = live.run(scenario, timeout_s=90)
    gaps, own = meter.gaps_ms, meter.own_gaps_ms
    worst = max(range(len(own)), key=own.__getitem__)
    print(
        f"\nmain-thread gaps over {MEASURE_S:g} s ({len(gaps)} ticks of {TICK_MS} ms, "
        f"{sent_meanwhile} segments sent meanwhile): p50 {statistics.median(gaps):.1f} ms, "
        f"p99 {percentile(gaps, 0.99):.1f} ms, max {max(gaps):.1f} ms; "
        f"less waiting for a CPU: p99 {percentile(own, 0.99):.1f} ms, "
        f"max {own[worst]:.1f} ms"
    )
    assert sent_meanwhile >= 3, "the measurement must span several segments going out"
    assert len(gaps) > MEASURE_S * 1000 / TICK_MS / 4, "the timer hardly ticked: the thread was starved"
    assert own[worst] <= MAX_GAP_MS, (
        f"the main thread stalled for {gaps[worst]:.0f} ms, {meter.cpu_waits_ms[worst]:.0f} ms of it "
        "waiting for a CPU"
    )
