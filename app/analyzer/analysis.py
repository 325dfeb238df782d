"""One segment's bytes → its interpretation: decode, measure picture and voice, apply the rules.

This is what the server runs in its executor; it touches no event loop and no socket. The voice
is measured on a second thread while the picture is: the face landmarker and the speech recogniser
both spend their time in native code without the GIL, so on two cores a segment takes about as
long as the slower of the two rather than their sum.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.analyzer.decode import SampledFrame, decode_segment
from app.analyzer.rules import Interpretation, interpret
from app.analyzer.vision import PictureTrack, measure_picture
from app.analyzer.voice import Hear, measure_voice

log = logging.getLogger(__name__)


def analyse_media(
    frames: Sequence[SampledFrame],
    audio: np.ndarray,
    duration_s: float,
    picture_of: Callable[[Sequence[SampledFrame]], PictureTrack] = measure_picture,
    hear: Hear | None = None,
) -> Interpretation:
    """Decoded media (a segment's, or a window of a continuous stream) → its interpretation;
    `picture_of` measures the pictures (a stream's analyser reuses what it measured before), and
    `hear` transcribes the utterances (a connection's follows its speech across stretches)."""
    with ThreadPoolExecutor(1, thread_name_prefix="analysis-voice") as listener:
        heard = listener.submit(measure_voice, audio, hear=hear)
        picture = picture_of(frames)
        voice = heard.result()
    return interpret(picture, voice, duration_s)


def analyse_segment(data: bytes, hear: Hear | None = None) -> Interpretation:
    """Raises `SegmentRejected` (with the protocol's error id) for a segment it refuses."""
    started = time.perf_counter()
    decoded = decode_segment(data)
    result = analyse_media(decoded.frames, decoded.audio, decoded.duration_s, hear=hear)
    log.debug(
        "analysed %.2f s of media (%d bytes) in %.3f s",
        decoded.duration_s,
        len(data),
        time.perf_counter() - started,
    )
    return result
