"""Fixtures for the uplink tests: real WebM segments and uplinks that are always stopped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from support.uplink_helpers import KEY, SEGMENT_S, EventLog

from app.uplink import Uplink, UplinkConfig
from bench.clips import card, encode_webm, room_noise
from capture.media import AUDIO_RATE_HZ, Segment, SessionClock


@pytest.fixture(scope="session")
def webm() -> bytes:
    """One real VP8 + Opus segment (the analyzer tests' test card), reused for every segment."""
    return encode_webm(SEGMENT_S, card, room_noise(SEGMENT_S))


@pytest.fixture
def segments(webm: bytes) -> Callable[..., list[Segment]]:
    """`segments(n, first=0, t_start=0.0)`: n contiguous segments of the same real file."""

    def make(
        count: int, first: int = 0, t_start: float = 0.0, duration_s: float = SEGMENT_S
    ) -> list[Segment]:
        return [
            Segment(
                index=first + i,
                t0=t_start + i * duration_s,
                t1=t_start + (i + 1) * duration_s,
                data=webm,
                video_frames=48,
                audio_samples=int(duration_s * AUDIO_RATE_HZ),
            )
            for i in range(count)
        ]

    return make


UplinkFactory = Callable[..., tuple[Uplink, EventLog]]


@pytest_asyncio.fixture
async def make_uplink() -> AsyncIterator[UplinkFactory]:
    """`make_uplink(url, credential=KEY, clock=None, **config)` → a started uplink and its events;
    every uplink made is stopped at the end of the test."""
    made: list[Uplink] = []

    def make(
        url: str, *, credential: str | None = KEY, clock: SessionClock | None = None, **config: object
    ) -> tuple[Uplink, EventLog]:
        config.setdefault("backoff_initial_s", 0.05)
        config.setdefault("backoff_max_s", 0.2)
        config.setdefault("drain_timeout_s", 5.0)
        log = EventLog()
        uplink = Uplink(
            UplinkConfig(url=url, **config),  # type: ignore[arg-type]
            credential=credential,
            session_id="3f1d2c4b-session",
            clock=clock or SessionClock(),
            on_event=log,
        )
        uplink.start()
        made.append(uplink)
        return uplink, log

    yield make
    for uplink in made:
        await uplink.stop()
    await asyncio.sleep(0)  # let finished tasks be reaped
    leftover = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    assert not leftover, f"tasks left behind: {leftover}"
