"""Session times and signal names as the user reads them, shared by the widgets and the reports."""

from __future__ import annotations


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


def signal_name(signal_type: str) -> str:
    """'skepticism' → 'Skepticism'; an unknown 'eye_contact' → 'Eye contact'."""
    words = signal_type.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unnamed signal"
