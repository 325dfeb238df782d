"""`DiskWatch`: the recording folder's free space against the rate the recording fills it.

The recorder asks before each segment whether it may be written, and says after how much it
wrote. Like OBS, the watch warns early, once the disk would be full within `warn_within_s` at the
current rate ("Disk full in about 7 min"), and answers no before a segment would eat into the
reserve kept for the events and `session.json`: recording then stops with its last segment whole,
and the session (and its streaming) goes on.

The rate is the faster of what the recording wrote and how fast the free space shrank over the
last minute, so another program filling the same disk counts too. Called on the recorder's thread.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

WARN_WITHIN_S = 600.0
RATE_WINDOW_S = 60.0
RESERVE_MIN_BYTES = 2 * 1024 * 1024
"""Always kept free: the events of a long session, `session.json`, and whatever else needs the disk."""
RESERVE_SEGMENTS = 2
"""And room for this many segments of the largest size seen, so one more never hits the floor."""


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged writer may still use on `folder`'s file system (`statvfs` f_bavail)."""
    return shutil.disk_usage(folder).free


class DiskWatch:
    def __init__(
        self,
        folder: Path,
        on_warning: Callable[[str], None],
        *,
        warn_within_s: float = WARN_WITHIN_S,
        free: Callable[[Path], int] = free_bytes,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self._on_warning = on_warning
        self._warn_within_s = warn_within_s
        self._free = free
        self._clock = clock
        self._samples: deque[tuple[float, int, int]] = deque()
        """(time, free bytes, bytes written so far)."""
        self._written = 0
        self._largest = 0
        self._warned = False

    @property
    def reserve_bytes(self) -> int:
        return max(RESERVE_MIN_BYTES, RESERVE_SEGMENTS * self._largest)

    def may_write(self, size: int) -> bool:
        """Whether a segment of `size` bytes leaves the reserve free."""
        self._largest = max(self._largest, size)
        left = self._free(self.folder) - size
        if left >= self.reserve_bytes:
            return True
        log.warning(
            "%d bytes free in %s: a %d-byte segment would leave less than the %d-byte reserve",
            left + size,
            self.folder,
            size,
            self.reserve_bytes,
        )
        return False

    def wrote(self, size: int) -> None:
        """Count `size` bytes written, and warn when the disk would be full within the warning time."""
        self._written += size
        now, free = self._clock(), self._free(self.folder)
        self._samples.append((now, free, self._written))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        left_s = self.seconds_left(free)
        if left_s is None:
            return
        if left_s < self._warn_within_s and not self._warned:
            self._warned = True
            minutes = max(1, math.ceil(left_s / 60))
            self._on_warning(
                f"Disk full in about {minutes} min: recording stops before then and streaming goes on. "
                f"Free some space on the disk that holds {self.folder}."
            )
        elif left_s > 2 * self._warn_within_s:
            self._warned = False  # space was freed: warn again if it runs low again

    def rate_bps(self) -> float | None:
        """Bytes per second the disk fills at, over the last minute; None before two samples."""
        if len(self._samples) < 2:
            return None
        (t0, free0, written0), (t1, free1, written1) = self._samples[0], self._samples[-1]
        span = t1 - t0
        if span <= 0:
            return None
        return max(written1 - written0, free0 - free1) / span

    def seconds_left(self, free: int) -> float | None:
        """Seconds until recording must stop at the current rate; None while unknown or not filling."""
        rate = self.rate_bps()
        if rate is None or rate <= 0:
            return None
        return max(0.0, free - self.reserve_bytes) / rate
