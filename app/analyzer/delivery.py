"""One stretch's cues as the delivery figures Local analysis sends beside its results.

The figures are the measurements themselves, rounded for the wire: shares of the stretch, or of
the time the face is visible where the name says so (`app.model.delivery`). A figure the stretch
cannot give is None, never a made-up zero.
"""

from __future__ import annotations

from typing import Literal

from app.analyzer import thresholds as th
from app.analyzer.pace import words_per_minute
from app.analyzer.vision import PictureSummary
from app.analyzer.voice import VoiceSummary
from app.model.delivery import FILLERS_NEED_SPEECH_EXTRA, FillerCount, LocalDelivery


def delivery_figures(
    seen: PictureSummary, heard: VoiceSummary, start_s: float, end_s: float
) -> LocalDelivery:
    face = seen.face_ratio

    def of_face(share: float) -> float | None:
        return round(min(1.0, share / face), 3) if face > 0 else None

    pace, source = _pace(heard)
    counted = None
    if heard.fillers is not None and heard.words is not None:
        counted = FillerCount(
            total=sum(heard.fillers.values()),
            by_word=dict(heard.fillers),
            words=heard.words,
            speech_s=round(heard.heard_s, 2),
        )
    speech = heard.voiced_s > 0
    return LocalDelivery(
        start=start_s,
        end=end_s,
        face_visible=round(face, 3),
        eye_contact=of_face(seen.eye_contact_ratio),
        smiling=of_face(seen.smile_ratio),
        head_turned_away=of_face(seen.turned_away_ratio),
        nods=seen.nod_swings,
        head_shakes=seen.shake_swings,
        blinks_per_min=round(seen.blinks * 60.0 / seen.face_s, 1)
        if seen.face_s >= th.BLINK_MIN_FACE_S
        else None,
        face_width=round(seen.face_width, 3) if face > 0 else None,
        speaking=round(heard.speech_ratio, 3),
        pauses=heard.pauses,
        longest_pause_s=round(heard.longest_pause_s, 2),
        pace_wpm=None if pace is None else round(pace),
        pace_source=source,
        pitch_median_hz=None if heard.pitch_median_hz is None else round(heard.pitch_median_hz, 1),
        pitch_variety_st=None if heard.pitch_spread_st is None else round(heard.pitch_spread_st, 2),
        loudness_variety_db=round(heard.loudness_spread_db, 1) if speech else None,
        fillers=counted,
        fillers_note=None if counted is not None else FILLERS_NEED_SPEECH_EXTRA,
    )


def _pace(heard: VoiceSummary) -> tuple[float | None, Literal["words", "syllables"] | None]:
    """From the recogniser's words over the utterances they were heard in, where there are enough
    of them; else from the syllables counted over the stretch's speech."""
    by_words = words_per_minute(heard.words, heard.heard_s) if heard.words else None
    if by_words is not None:
        return by_words, "words"
    pace = words_per_minute(heard.syllables / th.SYLLABLES_PER_WORD, heard.speech_span_s)
    return pace, None if pace is None else "syllables"
