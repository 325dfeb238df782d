"""A controller's background tasks: a failure reaches the user and the log, a close cancels the rest."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.desktop.background_tasks import BackgroundTasks

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(10)]


async def test_a_failed_task_is_told_and_logged_and_a_cancel_ends_the_waiting_ones(
    caplog: pytest.LogCaptureFixture,
) -> None:
    told: list[str] = []
    tasks = BackgroundTasks("a review task", told.append)

    async def fails() -> None:
        raise OSError("the disk went away")

    waiting = tasks.spawn(asyncio.Event().wait())
    failed = tasks.spawn(fails())
    with caplog.at_level(logging.ERROR):
        await asyncio.wait({failed})
        await asyncio.sleep(0)
    assert told == ["Something went wrong: the disk went away. The details are in the log."]
    assert any(r.getMessage() == "a review task failed" and r.exc_info for r in caplog.records)
    tasks.cancel_all()
    await asyncio.wait({waiting})
    assert waiting.cancelled() and told == told[:1], "a cancelled task is no failure"
