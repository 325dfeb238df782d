"""The one way from a worker thread onto the session's loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def on_loop(loop: asyncio.AbstractEventLoop, callback: Callable[..., None]) -> Callable[..., None]:
    """`callback`, callable from any thread, run on `loop`; dropped once the loop has closed."""

    def hop(*args: object) -> None:
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop has closed: the session is over
            log.debug("dropped a late callback %s", getattr(callback, "__name__", callback))

    return hop
