"""One segment's bytes → its interpretation: decode, measure picture and voice, apply the rules.

This is what the server runs in its executor; it touches no event loop and no socket. The voice
is measured on a second thread while the picture is: the face landmarker and the speech recogniser
both spend their time in native code without the GIL, so on two cores a segment takes about as
long as the slower of the two rather than their sum.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from app.analyzer.decode import decode_segment
from app.analyzer.rules import Interpretation, interpret
from app.analyzer.vision import measure_picture
from app.analyzer.voice import measure_voice

log = logging.getLogger(__name__)


def analyse_segment(data: bytes) -> Interpretation:
    """Raises `SegmentRejected` (with the protocol's error id) for a segment it refuses."""
    started = time.perf_counter()
    decoded = decode_segment(data)
    with ThreadPoolExecutor(1, thread_name_prefix="analysis-voice") as listener:
        heard = listener.submit(measure_voice, decoded.audio)
        picture = measure_picture(decoded.frames)
        voice = heard.result()
    result = interpret(picture, voice, decoded.duration_s)
    log.debug(
        "analysed %.2f s of media (%d bytes) in %.3f s",
        decoded.duration_s,
        len(data),
        time.perf_counter() - started,
    )
    return result
