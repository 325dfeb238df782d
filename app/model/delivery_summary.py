"""`DeliverySummary`: Local analysis's delivery figures over a whole session, for its report.

The stretches come one per v0 segment, or one per v1/v2 window, and v1's windows overlap (3 s
every second). So the summary gives shares and rates, never counts: each stretch weighs by its
length, and an overlap weighs its seconds the same in the numerator as in the denominator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.model.delivery import LocalDelivery


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    stretches: int
    face_visible: float
    """Share of the analysed time with a face."""
    eye_contact: float | None
    """Share of the time the face is visible, looking toward the camera; None without a face."""
    smiling: float | None
    speaking: float
    pace_wpm: float | None
    """Over the stretches with a pace, weighed by their speech."""
    pauses_per_min: float
    """Pauses of 0.4 s or more in speech, per minute of the analysed time."""
    fillers_per_min: float | None
    """Filler words per minute of the utterances they were heard in; None without the speech
    recogniser or without speech."""


def summarise_delivery(stretches: Sequence[LocalDelivery]) -> DeliverySummary | None:
    """None for a session without delivery figures (Interhuman's service sends none)."""
    if not stretches:
        return None
    seconds = [max(0.0, s.end - s.start) for s in stretches]
    total = sum(seconds)
    if total <= 0:
        return None
    face_s = [d * s.face_visible for d, s in zip(seconds, stretches, strict=True)]
    speech_s = [d * s.speaking for d, s in zip(seconds, stretches, strict=True)]
    speech_total = sum(speech_s)
    # Each utterance's fillers come once, with its length; a stretch that does not give the
    # length weighs by its own speech.
    counted = [
        (s.fillers.total, sp if s.fillers.speech_s is None else s.fillers.speech_s)
        for s, sp in zip(stretches, speech_s, strict=True)
        if s.fillers is not None
    ]
    filler_speech = sum(sp for _, sp in counted)
    return DeliverySummary(
        stretches=len(stretches),
        face_visible=sum(face_s) / total,
        eye_contact=_weighted([s.eye_contact for s in stretches], face_s),
        smiling=_weighted([s.smiling for s in stretches], face_s),
        speaking=speech_total / total,
        pace_wpm=_weighted([s.pace_wpm for s in stretches], speech_s),
        pauses_per_min=sum(s.pauses for s in stretches) * 60.0 / total,
        fillers_per_min=sum(n for n, _ in counted) * 60.0 / filler_speech if filler_speech > 0 else None,
    )


def _weighted(values: Sequence[float | None], weights: Sequence[float]) -> float | None:
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None and w > 0]
    weight = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / weight if weight > 0 else None
