"""The cue lag through a session: how far behind the live moment the newest analysed media is,
sampled on a steady tick (as an overlay painting at that rate would see it), for the summary."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import Callable

from app.model.timeline import SessionTimeline

SAMPLE_EVERY_S = 0.25


class CueLagSampler:
    def __init__(self, timeline: SessionTimeline, now: Callable[[], float]) -> None:
        self._timeline = timeline
        self._now = now
        self._samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="cue-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def percentiles(self) -> tuple[float | None, float | None]:
        """Median and 95th percentile, to the millisecond; None before any result."""
        if not self._samples:
            return None, None
        if len(self._samples) == 1:
            return round(self._samples[0], 3), round(self._samples[0], 3)
        cuts = statistics.quantiles(self._samples, n=20, method="inclusive")
        return round(statistics.median(self._samples), 3), round(cuts[18], 3)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_S)
            lag = self._timeline.cue_lag_s(self._now())
            if lag is not None:
                self._samples.append(lag)
