"""Loaded models shared by the analysis threads, one user at a time each.

MediaPipe's landmarker and moonshine's recogniser may not be used by two threads at once, and
cost a tenth of a second or more to load. A pool lends an idle one (loading another only when all
are busy), so a server with two analysis threads loads two. Loading is one at a time: moonshine's
library wrapper is not safe to create from two threads at once. Models are closed by `close_idle`,
from a live thread: closing them from a thread-local's clean-up, as a thread ends, would run
MediaPipe's shutdown on a thread Python no longer knows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class ModelPool(Generic[T]):
    def __init__(self, load: Callable[[], T], close: Callable[[T], None]) -> None:
        self._load = load
        self._close = close
        self._idle: list[T] = []
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    @contextmanager
    def borrowed(self) -> Iterator[T]:
        with self._lock:
            model = self._idle.pop() if self._idle else None
        if model is None:
            with self._loading:
                model = self._load()
        try:
            yield model
        finally:
            with self._lock:
                self._idle.append(model)

    def close_idle(self) -> None:
        """Closes every model not in use (the next borrower loads a fresh one)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for model in idle:
            self._close(model)
