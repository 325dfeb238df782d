"""The coroutines a desktop controller starts and does not await: kept until done, and a failure
is logged and told to the user instead of vanishing with the task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, what: str, tell_user: Callable[[str], None]) -> None:
        self._what = what
        """Names a failed task in the log ("a review task")."""
        self._tell_user = tell_user
        self._tasks: set[asyncio.Future[object]] = set()

    def spawn(self, coroutine: Awaitable[object]) -> asyncio.Future[object]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _done(self, task: asyncio.Future[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("%s failed", self._what, exc_info=error)
            self._tell_user(f"Something went wrong: {error}. The details are in the log.")
