"""From measured cues to the protocol's outputs: engagement windows, signals, conversation quality.

These are honest heuristics, not a model of behaviour. Every number lives in
`app.analyzer.thresholds`; `toward(x, lo, hi)` below maps a cue linearly onto 0–1 (0 at `lo`
or under, 1 at `hi` or over).

Engagement windows
    The segment is cut into the fewest equal windows no longer than `WINDOW_MAX_S` (a 4 s
    segment gives two 2 s windows), contiguous from 0 to the segment's length. A window is
    *disengaged* when, for most of it (`MOST_OF_WINDOW`), the picture is dark or frozen, or the
    face is missing or turned away, or the eyes look away; *engaged* when the face is there
    with eye contact for at least `ENGAGED_MIN_EYE_CONTACT` of it and the person either speaks
    (at least `ENGAGED_MIN_SPEECH` of it) or listens and nods (`ENGAGED_MIN_NOD_SWINGS` nod
    movements); otherwise *neutral*.

Signals (over the whole segment; sent only when the score reaches a band of `PROBABILITY_BANDS`)
    engagement     eye contact × max(speaking, nodding) × usable picture
    disengagement  max(face missing or turned away, eyes away, picture dark or frozen)
                   × (1 − half of speaking)
    confidence     steady speaking (`CONFIDENT_SPEECH_RANGE`) × few pauses × few filler words
                   × (½ + ½ eye contact)
    hesitation     max(pauses per 10 s, longest pause, filler words per minute) × some speech
    interest       face toward the camera × max(nodding, leaning in, rising question-like endings)
    stress         max(restless movement with a face that is not nodding,
                       pitch swinging beyond lively speech while speaking)
    Each signal's rationale names the cues it was computed from, with their measured values.
    Filler words count only where the speech extra is installed; without it they add nothing.

Conversation quality (0–100 per segment; 50 means no evidence either way)
    Each dimension has a score s (0–1) and an evidence weight e (0–1), and is
    50 + `QUALITY_SPREAD` × e × (2s − 1); quality_index is the mean of the five.
    clarity    s: few and short pauses                              e: seconds of speech
    authority  s: mean(speaking share, few pauses, eye contact)     e: seconds of speech
    energy     s: mean(movement, pitch spread, loudness spread)     e: speech, or half from the picture
    rapport    s: 0.6 eye contact + 0.4 nodding                     e: share of usable picture
    learning   s: ½ + ½ max(rising endings, nodding)              e: speech, or the face if visible
               (signs of learning count; their absence is no evidence, so it never drops below 50)
    Without speech, clarity and authority stay at 50; a dark or frozen picture leaves rapport at 50.
    The connection's overall value is the mean of its segments' values weighted by their length
    times their evidence, so stretches that say nothing do not pull it toward 50.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from app.analyzer import thresholds as th
from app.analyzer.delivery import delivery_figures
from app.analyzer.vision import PictureSummary, PictureTrack
from app.analyzer.voice import VoiceSummary, VoiceTrack
from app.model.delivery import LocalDelivery
from app.model.vocabulary import EngagementState, Probability
from app.model.wire_v0 import EngagementWindow, QualityScores, Signal


@dataclass(frozen=True, slots=True)
class Quality:
    scores: QualityScores
    evidence: dict[str, float]
    """Per dimension, 0–1: how much this segment says about it (the weight in a cumulative mean)."""


@dataclass(frozen=True, slots=True)
class Interpretation:
    """What one segment says, in segment time (0 = the segment's first frame)."""

    duration_s: float
    engagement: list[EngagementWindow]
    signals: list[Signal]
    quality: Quality
    delivery: LocalDelivery
    """The delivery figures of the whole segment, in segment time."""


def toward(value: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (value - lo) / (hi - lo)))


def interpret(picture: PictureTrack, voice: VoiceTrack, duration_s: float) -> Interpretation:
    windows = []
    for start, end in split_windows(duration_s):
        state = engagement_state(picture.summary(start, end), voice.summary(start, end))
        windows.append(EngagementWindow(start=start, end=end, state=state))
    seen = picture.summary(0.0, duration_s)
    heard = voice.summary(0.0, duration_s)
    return Interpretation(
        duration_s=duration_s,
        engagement=windows,
        signals=signals(seen, heard, duration_s),
        quality=quality(seen, heard),
        delivery=delivery_figures(seen, heard, 0.0, duration_s),
    )


def split_windows(duration_s: float) -> list[tuple[float, float]]:
    count = max(1, math.ceil(duration_s / th.WINDOW_MAX_S - 1e-9))
    edges = [round(duration_s * i / count, 3) for i in range(count + 1)]
    return list(pairwise(edges))


def engagement_state(seen: PictureSummary, heard: VoiceSummary) -> EngagementState:
    away = 1.0 - seen.facing_ratio
    eyes_away = seen.facing_ratio - seen.eye_contact_ratio
    if max(seen.lost_ratio, away, eyes_away) > th.MOST_OF_WINDOW:
        return "disengaged"
    speaking = heard.speech_ratio >= th.ENGAGED_MIN_SPEECH
    nodding = seen.nod_swings >= th.ENGAGED_MIN_NOD_SWINGS
    if seen.eye_contact_ratio >= th.ENGAGED_MIN_EYE_CONTACT and (speaking or nodding):
        return "engaged"
    return "neutral"


def probability(score: float) -> Probability | None:
    for band, lower in th.PROBABILITY_BANDS:
        if score >= lower:
            return band
    return None


def signals(seen: PictureSummary, heard: VoiceSummary, duration_s: float) -> list[Signal]:
    speaking = toward(heard.speech_ratio, *th.SPEECH_RANGE)
    nodding = toward(seen.nod_swings, *th.NOD_SWINGS_RANGE)
    few_pauses = 1.0 - toward(heard.pause_rate, *th.PAUSE_RATE_RANGE)
    filling = toward(_fillers_per_min(heard), *th.FILLER_RATE_RANGE_PER_MIN)
    eyes, usable = seen.eye_contact_ratio, 1.0 - seen.lost_ratio
    away = 1.0 - seen.facing_ratio
    eyes_away = max(0.0, seen.facing_ratio - eyes)
    eyes_text = f"eye contact {_pct(eyes)} of the segment"
    speech_text = f"speaking {_pct(heard.speech_ratio)}"
    pauses_text = f"{heard.pauses} pause{'s' if heard.pauses != 1 else ''} longer than {th.PAUSE_MIN_S:g} s"
    nods_text = f"{seen.nod_swings} nod movement{'s' if seen.nod_swings != 1 else ''}"
    fillers_text = _fillers_text(heard)
    pitch_spread = heard.pitch_spread_st or 0.0
    scores: dict[str, tuple[float, str]] = {
        "engagement": (eyes * max(speaking, nodding) * usable, f"{eyes_text}, {speech_text}, {nods_text}"),
        "disengagement": (
            max(away, eyes_away, seen.lost_ratio) * (1.0 - 0.5 * speaking),
            f"face missing {_pct(1.0 - seen.face_ratio)} and turned away {_pct(seen.turned_away_ratio)} "
            f"of the segment, eyes away {_pct(eyes_away)}, picture dark {_pct(seen.dark_ratio)}, "
            f"frozen {_pct(seen.frozen_ratio)}, {speech_text}",
        ),
        "confidence": (
            toward(heard.speech_ratio, *th.CONFIDENT_SPEECH_RANGE)
            * few_pauses
            * (1.0 - filling)
            * (0.5 + 0.5 * eyes),
            f"{speech_text} of the segment with {pauses_text}{fillers_text}, {eyes_text}",
        ),
        "hesitation": (
            max(
                toward(heard.pause_rate, *th.PAUSE_RATE_RANGE),
                toward(heard.longest_pause_s, *th.LONG_PAUSE_RANGE_S),
                filling,
            )
            * toward(heard.voiced_s, *th.VOICED_RANGE_S),
            f"{pauses_text}, the longest {heard.longest_pause_s:.1f} s{fillers_text}, while {speech_text}",
        ),
        "interest": (
            seen.facing_ratio
            * max(
                nodding,
                toward(seen.face_width, *th.LEAN_IN_FACE_WIDTH_RANGE),
                toward(heard.rising_endings, *th.RISING_ENDINGS_RANGE),
            ),
            f"{nods_text}, face {_pct(seen.face_width)} of the frame width, "
            f"{heard.rising_endings} rising (question-like) ending{'s' if heard.rising_endings != 1 else ''}",
        ),
        "stress": (
            max(
                seen.face_ratio * toward(seen.motion, *th.RESTLESS_MOTION_RANGE) * (1.0 - nodding),
                toward(pitch_spread, *th.STRAINED_PITCH_RANGE_ST) * speaking,
            ),
            f"picture motion {seen.motion:.1f} (restless from {th.RESTLESS_MOTION_RANGE[0]:g}), "
            f"pitch varies {pitch_spread:.1f} semitones while {speech_text}",
        ),
    }
    out = []
    for kind, (score, rationale) in scores.items():
        band = probability(score)
        if band is not None:
            out.append(Signal(type=kind, start=0.0, end=duration_s, probability=band, rationale=rationale))
    return out


def _fillers_per_min(heard: VoiceSummary) -> float:
    if not heard.fillers or heard.heard_s < th.PACE_MIN_SPEECH_S:
        return 0.0
    return sum(heard.fillers.values()) * 60.0 / heard.heard_s


def _fillers_text(heard: VoiceSummary) -> str:
    if heard.fillers is None:
        return ""
    total = sum(heard.fillers.values())
    return f", {total} filler word{'s' if total != 1 else ''}"


def quality(seen: PictureSummary, heard: VoiceSummary) -> Quality:
    voice_evidence = toward(heard.voiced_s, *th.VOICED_RANGE_S)
    usable = 1.0 - seen.lost_ratio
    nodding = toward(seen.nod_swings, 0.0, th.NOD_SWINGS_RANGE[1])
    few_pauses = 1.0 - toward(heard.pause_rate, *th.PAUSE_RATE_RANGE)
    short_pauses = 1.0 - toward(heard.longest_pause_s, *th.LONG_PAUSE_RANGE_S)
    liveliness = [toward(seen.motion, *th.MOTION_RANGE)]
    if voice_evidence > 0:
        liveliness.append(toward(heard.loudness_spread_db, *th.LOUDNESS_VARIATION_RANGE_DB))
        if heard.pitch_spread_st is not None:
            liveliness.append(toward(heard.pitch_spread_st, *th.PITCH_VARIATION_RANGE_ST))
    authority = (
        toward(heard.speech_ratio, *th.CONFIDENT_SPEECH_RANGE)
        + few_pauses
        + toward(seen.eye_contact_ratio, *th.EYE_CONTACT_RANGE)
    ) / 3
    learning = max(toward(heard.rising_endings, *th.RISING_ENDINGS_RANGE), nodding)
    # (score, evidence) per dimension.
    dimensions = {
        "clarity": (min(few_pauses, short_pauses), voice_evidence),
        "authority": (authority, voice_evidence),
        "energy": (sum(liveliness) / len(liveliness), max(voice_evidence, 0.5 * usable)),
        "rapport": (0.6 * seen.eye_contact_ratio + 0.4 * nodding, usable),
        # Nodding along and asking are signs of learning; their absence proves nothing, so the
        # score never goes below the middle.
        "learning": (0.5 + 0.5 * learning, max(voice_evidence, seen.face_ratio * usable)),
    }
    values = {name: _dimension(score, evidence) for name, (score, evidence) in dimensions.items()}
    return Quality(scores_from(values), {name: evidence for name, (_, evidence) in dimensions.items()})


def scores_from(values: dict[str, float]) -> QualityScores:
    """QualityScores from the five dimensions, with quality_index their mean."""
    rounded = {name: round(value, 1) for name, value in values.items()}
    return QualityScores(quality_index=round(sum(values.values()) / len(values), 1), **rounded)


def _dimension(score: float, evidence: float) -> float:
    return min(100.0, max(0.0, 50.0 + th.QUALITY_SPREAD * evidence * (2.0 * score - 1.0)))


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"
