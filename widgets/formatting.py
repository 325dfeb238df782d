"""Numbers and names as the user reads them: session times, ages, rates, signal names."""

from __future__ import annotations

import math

from app.model.vocabulary import Probability
from app.model.wording import mmss as mmss
from app.model.wording import signal_name as signal_name
from app.model.wording import window_text as window_text


def age_text(age_s: float) -> str:
    """How long ago, in words short enough for a glance: 'just now', '8 s ago', '3 min ago'."""
    if age_s < 1.5:
        return "just now"
    if age_s < 90:
        return f"{round(age_s)} s ago"
    return f"{round(age_s / 60)} min ago"


def duration_text(seconds: float) -> str:
    if seconds < 1.0:
        return f"{round(seconds * 1000)} ms"
    return f"{seconds:.1f} s"


def rate_text(bits_per_s: float) -> str:
    if bits_per_s >= 1_000_000:
        return f"{bits_per_s / 1_000_000:.1f} Mbit/s"
    return f"{round(bits_per_s / 1000)} kbit/s"


def countdown_text(seconds: float) -> str:
    """A reconnection countdown never shows 0 s while the attempt is still pending."""
    return f"{max(1, math.ceil(seconds))} s"


def probability_text(probability: Probability | None) -> str:
    return probability if probability is not None else "seen"
