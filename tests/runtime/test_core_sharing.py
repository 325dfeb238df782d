"""`share_cores`, called at the app's start: OpenCV on one thread, and the interpreter's lock handed
over within a millisecond (what that does for the UI thread is measured by `bench/soak.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import cv2
import pytest

from app.runtime.core_sharing import OPENCV_THREADS, SWITCH_INTERVAL_S, share_cores


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(OPENCV_THREADS, raising=False)
    threads, interval = cv2.getNumThreads(), sys.getswitchinterval()
    yield
    cv2.setNumThreads(threads)
    sys.setswitchinterval(interval)


def test_opencv_already_imported_goes_to_one_thread_and_the_lock_is_handed_over_within_a_millisecond(
    restored: None,
) -> None:
    cv2.setNumThreads(2)
    sys.setswitchinterval(0.005)
    share_cores()
    assert cv2.getNumThreads() == 1
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and SWITCH_INTERVAL_S <= 0.001


def test_opencv_imported_later_starts_on_one_thread_unless_the_user_said_otherwise() -> None:
    probe = (
        "import sys; from app.runtime.core_sharing import share_cores; share_cores(); "
        "assert 'cv2' not in sys.modules; import cv2; print(cv2.getNumThreads())"
    )
    env = {key: value for key, value in os.environ.items() if key != OPENCV_THREADS}
    for given, expected in ((None, "1"), ("2", "2")):
        run_env = env if given is None else {**env, OPENCV_THREADS: given}
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=run_env, check=True
        )
        assert done.stdout.strip() == expected
