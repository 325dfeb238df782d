"""One segment's bytes → its interpretation: decode, measure picture and voice, apply the rules.

This is what the server runs in its executor; it touches no event loop and no socket.
"""

from __future__ import annotations

import logging
import time

from app.analyzer.decode import decode_segment
from app.analyzer.rules import Interpretation, interpret
from app.analyzer.vision import measure_picture
from app.analyzer.voice import measure_voice

log = logging.getLogger(__name__)


def analyse_segment(data: bytes) -> Interpretation:
    """Raises `SegmentRejected` (with the protocol's error id) for a segment it refuses."""
    started = time.perf_counter()
    decoded = decode_segment(data)
    picture = measure_picture(decoded.frames)
    voice = measure_voice(decoded.audio)
    result = interpret(picture, voice, decoded.duration_s)
    log.debug(
        "analysed %.2f s of media (%d bytes) in %.3f s",
        decoded.duration_s,
        len(data),
        time.perf_counter() - started,
    )
    return result
