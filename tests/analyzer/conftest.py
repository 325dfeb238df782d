"""Fixtures for the local analyzer's tests: crafted segments (encoded once per session), a running
server on the test's own event loop, and a check that no test leaves a thread behind."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from analyzer_helpers import Clips

from app.analyzer import face_landmarks, fillers
from app.analyzer.server import AnalyzerServer


@pytest.fixture(autouse=True)
def _no_thread_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    # Loaded models keep a thread of MediaPipe's each; the app keeps them for the process's life.
    face_landmarks.close_idle()
    fillers.close_idle()
    deadline = time.monotonic() + 5.0
    while (left := [t for t in threading.enumerate() if t not in before and t.is_alive()]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert not left, f"threads left behind: {[t.name for t in left]}"


@pytest.fixture(scope="session")
def clips() -> Clips:
    return Clips()


@pytest_asyncio.fixture
async def analyzer() -> AsyncIterator[AnalyzerServer]:
    async with AnalyzerServer() as server:
        yield server
