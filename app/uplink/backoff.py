"""When to reconnect: exponential backoff with full jitter, and when to stop trying.

Full jitter (a uniform draw between zero and the current cap) spreads the reconnections of many
clients that lost the same server at the same moment. A server that asked us to slow down
(1013, rate limits) gets a cap four times higher and at least half of it, so the pause is real.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

SLOW_FACTOR = 4.0


class Backoff:
    """The delays before successive reconnection attempts; `reset` after a healthy connection."""

    def __init__(
        self, initial_s: float, max_s: float, *, uniform: Callable[[float, float], float] = random.uniform
    ) -> None:
        if initial_s <= 0 or max_s < initial_s:
            raise ValueError("backoff needs 0 < initial_s <= max_s")
        self.initial_s = initial_s
        self.max_s = max_s
        self._uniform = uniform
        self.attempts = 0
        """Delays handed out since the last reset."""

    def cap_s(self, *, slow: bool = False) -> float:
        """The largest delay the next attempt may get."""
        cap = self.initial_s * 2.0 ** min(self.attempts, 30)
        if slow:
            cap *= SLOW_FACTOR
        return min(self.max_s, cap)

    def next_delay(self, *, slow: bool = False) -> float:
        cap = self.cap_s(slow=slow)
        self.attempts += 1
        return self._uniform(cap / 2.0 if slow else 0.0, cap)

    def reset(self) -> None:
        self.attempts = 0


class ReconnectPolicy:
    """Backoff plus a budget of failed attempts in a row (None: try forever)."""

    def __init__(self, backoff: Backoff, budget: int | None) -> None:
        self.backoff = backoff
        self.budget = budget
        self.failed_in_row = 0
        self._wake: asyncio.Event | None = None

    async def pause(self, delay_s: float) -> None:
        """Wait `delay_s` before the next attempt, or less if `retry_now` is called meanwhile."""
        self._wake = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay_s)
        self._wake = None

    def retry_now(self) -> bool:
        """End a pause in progress (the user pressed Retry now); False when none is."""
        if self._wake is None:
            return False
        self._wake.set()
        return True

    def failed(self) -> bool:
        """Count a failed attempt; True once the budget is spent."""
        self.failed_in_row += 1
        return self.budget is not None and self.failed_in_row >= self.budget

    def healthy(self) -> None:
        """A connection proved itself: the next trouble starts from the shortest delay again."""
        self.failed_in_row = 0
        self.backoff.reset()
