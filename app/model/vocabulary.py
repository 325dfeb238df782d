"""The protocol's vocabulary, shared by every API version: probability bands, engagement states,
include flags, conversation-quality dimensions and bands, and what each signal type means to a user."""

from __future__ import annotations

from typing import Literal

INCLUDE_FLAGS = ("conversation_quality_overall", "conversation_quality_timeline")

Probability = Literal["low", "medium", "high"]
EngagementState = Literal["engaged", "neutral", "disengaged"]
PROBABILITY_RANK: dict[Probability | None, int] = {None: 0, "low": 1, "medium": 2, "high": 3}
"""How strong a band is, for ordering and for drawing its level; no band (older servers) is 0."""

SIGNAL_MEANINGS: dict[str, str] = {
    "agreement": "Aligned with the other person, affirming or building on what was said.",
    "confidence": "States a position firmly, without hedging.",
    "confusion": "A gap in understanding, reorienting.",
    "disagreement": "Active pushback.",
    "disengagement": "Withdrawn, minimal responsiveness.",
    "engagement": "Active, focused participation.",
    "frustration": "Irritation with how things go.",
    "hesitation": "Delay or reluctance before committing.",
    "interest": "Curiosity, wanting more.",
    "skepticism": "Doubt about a claim.",
    "stress": "Visible or audible strain.",
    "uncertainty": "Unsure of one's own position.",
}

QUALITY_DIMENSIONS = ("clarity", "authority", "energy", "rapport", "learning")


def quality_band(value: float) -> str:
    """The protocol's named band for a 0–100 conversation-quality value."""
    if value < 30:
        return "weak"
    if value < 50:
        return "below average"
    if value < 65:
        return "moderate"
    if value < 80:
        return "good"
    return "excellent"
