"""`share_cores`, called at the app's start: OpenCV on one thread, and the interpreter's lock handed
over within a millisecond (what that does for the UI thread is measured by `bench/soak.py`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import cv2
import pytest

from app.runtime.core_sharing import SWITCH_INTERVAL_S, share_cores


@pytest.fixture
def restored() -> Iterator[None]:
    threads, interval = cv2.getNumThreads(), sys.getswitchinterval()
    yield
    cv2.setNumThreads(threads)
    sys.setswitchinterval(interval)


def test_opencv_runs_on_one_thread_and_the_lock_is_handed_over_within_a_millisecond(restored: None) -> None:
    cv2.setNumThreads(2)
    sys.setswitchinterval(0.005)
    share_cores()
    assert cv2.getNumThreads() == 1
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and SWITCH_INTERVAL_S <= 0.001
