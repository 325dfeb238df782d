"""How the app's threads share the machine with the UI thread: OpenCV on one thread, and a short
switch interval for Python's global interpreter lock.

The UI thread shares the process with capture, encoding and Local analysis, on as few as two cores.
- OpenCV's thread pool keeps its workers spinning between calls. Fitting each preview frame on the
  source's thread woke it thirty times a second, and in the soak (bench/soak.py, 4 minutes each)
  the load average rose to 5.2 and the main thread's p99 gap to 21–23 ms; with one thread the
  same frame takes 1.1 ms instead of 0.9 ms and the p99 gap was 15.6–16.7 ms.
- PySide6 lets go of the lock around Qt's calls, so a paint of a few hundred calls waits for the
  lock again each time a worker holds it, up to the whole switch interval (5 ms by default): 200
  fills took up to 39 ms beside a busy thread, and up to 6.5 ms at 1 ms.
With both, the soak's p99 gap was 13.3–15.5 ms over 5 minutes.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
OPENCV_THREADS = "OPENCV_FOR_THREADS_NUM"
"""OpenCV reads its thread count from this when it is imported: the CLI starts without importing it."""


def share_cores() -> None:
    """Call once at start, before the worker threads start. A thread count the user set stays."""
    threads = int(os.environ.setdefault(OPENCV_THREADS, "1"))
    opencv = sys.modules.get("cv2")
    if opencv is not None:
        opencv.setNumThreads(threads)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    log.debug("OpenCV on %d thread(s); the interpreter's switch interval at %g s", threads, SWITCH_INTERVAL_S)
