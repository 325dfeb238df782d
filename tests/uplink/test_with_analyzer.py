"""The uplink against the real local analyzer: real segments, real analysis, session time throughout."""

from __future__ import annotations

import asyncio

import pytest
from support.uplink_helpers import KEY

from app.analyzer.embedded import EmbeddedAnalyzer
from app.model.events import ResultReceived, SegmentCompleted
from app.model.vocabulary import INCLUDE_FLAGS

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]


async def test_three_segments_through_the_local_analyzer(make_uplink, segments) -> None:
    analyzer = EmbeddedAnalyzer(key=KEY)
    url = await asyncio.to_thread(analyzer.start)
    try:
        uplink, log = make_uplink(url, include=INCLUDE_FLAGS)
        batch = segments(3, first=10, t_start=50.0)
        for segment in batch:
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 3, timeout_s=90)
        await uplink.stop()
    finally:
        await asyncio.to_thread(analyzer.stop)
    results = {r.index: r for r in log.of(ResultReceived)}
    assert sorted(results) == [10, 11, 12]
    for segment in batch:
        result = results[segment.index]
        assert result.engagement, "the analyzer covers every segment with engagement windows"
        assert result.engagement[0].start == pytest.approx(segment.t0, abs=0.1)
        assert result.engagement[-1].end == pytest.approx(segment.t1, abs=0.25)
        assert result.quality is not None and result.quality.overall is not None
    assert uplink.stats().errored == 0
