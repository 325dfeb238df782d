"""Fixtures for the local analyzer's tests: crafted segments (encoded once per session), a running
server on the test's own event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from support.analyzer_helpers import Clips

from app.analyzer.server import AnalyzerServer


@pytest.fixture(scope="session")
def clips() -> Clips:
    return Clips()


@pytest_asyncio.fixture
async def analyzer() -> AsyncIterator[AnalyzerServer]:
    async with AnalyzerServer() as server:
        yield server
