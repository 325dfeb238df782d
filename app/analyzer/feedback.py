"""Feedback text for the goal dimensions a v1/v2 client chose (`feedback.generated`).

It names the weakest chosen dimension the session has evidence for, with its score and band,
and what the local analysis measures for it (`app.analyzer.rules`), so the advice is about
cues this machine can see and hear, never about meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.model.vocabulary import quality_band

MIN_EVIDENCE = 0.2
"""A dimension with less evidence than this says too little to advise on."""
GOOD_SCORE = 65.0

_ADVICE = {
    "clarity": "fewer and shorter pauses between phrases read as clearer",
    "authority": "speaking for more of the time, with few pauses and your face to the camera, reads as surer",
    "energy": "more variation in pitch and loudness, and a little movement, reads as livelier",
    "rapport": "staying in the picture facing the camera, and nodding along, reads as warmer",
    "learning": "questions (a rising pitch at the end) and nods are the signs of learning measured here",
}


def feedback_text(
    goals: Sequence[str], scores: Mapping[str, float], evidence: Mapping[str, float]
) -> str | None:
    """A sentence or two on the chosen dimensions, or None while there is too little evidence."""
    known = [g for g in goals if evidence.get(g, 0.0) >= MIN_EVIDENCE and g in scores]
    if not known:
        return None
    weakest = min(known, key=lambda g: scores[g])
    score = scores[weakest]
    band = quality_band(score)
    name = weakest.capitalize()
    if score >= GOOD_SCORE:
        others = ", ".join(g for g in known if g != weakest)
        also = f" ({others} too)" if others else ""
        return f"{name} is {band} at {score:.0f}{also}: keep it up."
    return f"{name} is {band} at {score:.0f}: {_ADVICE[weakest]}."
