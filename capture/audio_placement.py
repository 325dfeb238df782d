"""Placing audio chunks on the session's sample line: by sample count, steered by their stamps.

Audio pts come from sample counts, so they are exact while the device delivers without a hole.
Stamps taken when a chunk arrives jitter by milliseconds; they only steer the count when it is
clearly off: at once for a jump (a stalled or restarted device), and through the median of the
recent offsets for a small step or a slow drift (a dropped chunk, a device clock running off).
"""

from __future__ import annotations

import logging
import statistics
from collections import deque

from capture.media import AUDIO_RATE_HZ

log = logging.getLogger(__name__)

AUDIO_JUMP_S = 0.1
"""An audio chunk stamped this far from where the running sample count puts it (a stalled or
restarted device) is placed by its stamp at once."""
AUDIO_DRIFT_S = 0.015
"""Below a jump, chunks follow the sample count, which no stamp jitter can disturb; only when the
median offset of the recent stamps exceeds this (a dropped chunk, clock drift) does the count move."""
_DRIFT_HISTORY = 9


class AudioPlacement:
    """Where each audio chunk starts, in samples since the session began. One per audio stream."""

    def __init__(self) -> None:
        self._next: int | None = None
        self._offsets: deque[int] = deque(maxlen=_DRIFT_HISTORY)

    def place(self, t: float, count: int) -> int:
        stamped = round(t * AUDIO_RATE_HZ)
        if self._next is None or abs(stamped - self._next) > AUDIO_JUMP_S * AUDIO_RATE_HZ:
            if self._next is not None:
                log.info("audio placed by its stamp: %+d samples off the running count", stamped - self._next)
            at = stamped
            self._offsets.clear()
        else:
            self._offsets.append(stamped - self._next)
            drift = statistics.median_low(self._offsets)
            at = self._next
            if abs(drift) > AUDIO_DRIFT_S * AUDIO_RATE_HZ:
                log.debug("audio moved by %+d samples to follow its stamps", drift)
                at += drift
                self._offsets = deque((o - drift for o in self._offsets), maxlen=_DRIFT_HISTORY)
        self._next = at + count
        return at
