"""Guards against a Qt binding that would crash the app in the field.

PySide6 6.12.0 under Python 3.11 drops a reference to None on every call of a void method; the
GUI then aborts with "none_dealloc" within a minute of repainting. pyproject.toml excludes it; this
test fails loudly if an install ever brings such a binding back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_calls_keep_the_reference_count_of_none() -> None:
    target = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        target.setObjectName("probe")
    # Other code may take or drop a few references meanwhile; the 6.12.0 bug drops 2000.
    assert abs(sys.getrefcount(None) - before) < 100
