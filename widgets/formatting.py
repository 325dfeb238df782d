"""Numbers and names as the user reads them: session times, ages, rates, signal names."""

from __future__ import annotations

import math

from app.model.vocabulary import Probability


def mmss(seconds: float) -> str:
    """Session time as m:ss (or h:mm:ss past an hour); negative times clamp to 0:00."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def window_text(start: float, end: float) -> str:
    return f"{mmss(start)}–{mmss(end)}"


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


def signal_name(signal_type: str) -> str:
    """'skepticism' → 'Skepticism'; an unknown 'eye_contact' → 'Eye contact'."""
    words = signal_type.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unnamed signal"


def probability_text(probability: Probability | None) -> str:
    return probability if probability is not None else "seen"
