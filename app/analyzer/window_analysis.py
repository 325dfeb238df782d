"""One window of a continuous stream → its interpretation: the same measurements and rules as a
v0 segment's (`app.analyzer.analysis.analyse_media`), on media the demux thread already decoded.

This is what a v1/v2 connection runs in the executor; it touches no event loop and no socket.
"""

from __future__ import annotations

import logging
import time

from app.analyzer.analysis import analyse_media
from app.analyzer.rules import Interpretation
from app.analyzer.stream_window import MediaWindow

log = logging.getLogger(__name__)


def analyse_window(window: MediaWindow) -> Interpretation:
    started = time.perf_counter()
    result = analyse_media(window.frames, window.audio, window.duration_s)
    log.debug(
        "analysed %.2f–%.2f s (%d pictures) in %.3f s",
        window.start,
        window.end,
        len(window.frames),
        time.perf_counter() - started,
    )
    return result
