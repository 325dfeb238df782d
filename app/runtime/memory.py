"""Keeping a long session's memory flat: glibc's malloc told to hand large buffers back.

Every video frame is a buffer of about a megabyte (more at 720p), allocated and freed tens of times
a second on several threads. glibc raises its mmap threshold past such sizes after the first few
are freed, and from then on serves them from per-thread heaps that fragment and never shrink: in a
12-minute soak (bench/soak.py) the process grew 17 MB that way. With the threshold fixed, each
large buffer is its own mapping, returned to the system when freed: the same soak started 26 MB
smaller and grew under 4 MB in 6 minutes.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (glibc malloc.h)."""
LARGE_BUFFER_BYTES = 512 * 1024
"""Below a 640x480 frame (900 kB), above anything small enough to churn through mmap cheaply."""


def return_large_buffers() -> bool:
    """Fix glibc's mmap threshold at `LARGE_BUFFER_BYTES`; whether it was set. Does nothing off
    Linux, on another C library, or when the user set `MALLOC_MMAP_THRESHOLD_` themselves."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES))
    log.debug(
        "malloc's mmap threshold %s at %d bytes", "fixed" if done else "not changed", LARGE_BUFFER_BYTES
    )
    return done
