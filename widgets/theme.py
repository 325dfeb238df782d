"""The look, decided in one place: colours, type sizes, the stylesheet and the icons.

A dark, quiet palette: the video is the brightest thing on screen, colour is kept for meaning
(engagement state, freshness, quality band) and every coloured cue also has a shape or a word.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from app.model.vocabulary import EngagementState, quality_band

log = logging.getLogger(__name__)

WINDOW = "#111318"
SURFACE = "#171a20"
SURFACE_RAISED = "#1f232a"
BORDER = "#2a2f38"
TEXT = "#e8eaed"
TEXT_SECONDARY = "#a3aab4"
TEXT_MUTED = "#6f7782"
ACCENT = "#6ea8fe"
ACCENT_PRESSED = "#4f8fe8"
VIDEO_BACKGROUND = "#0a0b0e"

ENGAGED = "#3ec28b"
NEUTRAL = "#9aa5b8"
DISENGAGED = "#ee6b63"
WAITING = "#7d8590"
FRESH = "#3ec28b"
STALE = "#e9a23b"
WARNING = "#e9a23b"
DANGER = "#ee6b63"
STOP_BUTTON = "#b8433d"

ENGAGEMENT_COLOURS: dict[EngagementState, str] = {
    "engaged": ENGAGED,
    "neutral": NEUTRAL,
    "disengaged": DISENGAGED,
}
ENGAGEMENT_LABELS: dict[EngagementState, str] = {
    "engaged": "Engaged",
    "neutral": "Neutral",
    "disengaged": "Disengaged",
}
QUALITY_BAND_COLOURS = {
    "weak": "#ee6b63",
    "below average": "#e9a23b",
    "moderate": "#cdbf63",
    "good": "#8fcf86",
    "excellent": "#3ec28b",
}

PLATE = QColor(10, 12, 16, 224)
"""Translucent dark plate behind overlay text: legible on bright video, the picture still shows."""
PLATE_BORDER = QColor(255, 255, 255, 30)
GAUGE_EMPTY = QColor(255, 255, 255, 46)

FRESH_RESULT_S = 12.0
"""A result older than this is no longer 'live': three 4 s segments' worth of silence from the server."""

UI_FONT_PT = 10


def quality_colour(value: float) -> QColor:
    return QColor(QUALITY_BAND_COLOURS[quality_band(value)])


def overlay_font(px: float, *, bold: bool = False) -> QFont:
    """A font sized in device-independent pixels, so the overlay scales with the preview, not the DPI."""
    font = QFont()
    font.setPixelSize(max(8, round(px)))
    font.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    return font


@cache
def stylesheet() -> str:
    text = resources.files("resources").joinpath("style.qss").read_text(encoding="utf-8")
    tokens = {
        "window": WINDOW,
        "surface": SURFACE,
        "raised": SURFACE_RAISED,
        "border": BORDER,
        "text": TEXT,
        "secondary": TEXT_SECONDARY,
        "muted": TEXT_MUTED,
        "accent": ACCENT,
        "accent_pressed": ACCENT_PRESSED,
        "warning": WARNING,
        "warning_soft": "rgba(233, 162, 59, 0.16)",
        "danger": DANGER,
        "stop": STOP_BUTTON,
        "accent_soft": "rgba(110, 168, 254, 0.10)",
        "accent_line": "rgba(110, 168, 254, 0.35)",
        "icons": Path(str(resources.files("resources").joinpath("icons"))).as_posix(),
    }
    return Template(text).substitute(tokens)


def icon(name: str) -> QIcon:
    """One of our SVG icons from `resources/icons/` (vector, so sharp at any device pixel ratio)."""
    path = resources.files("resources").joinpath("icons", f"{name}.svg")
    if not path.is_file():
        raise FileNotFoundError(f"no icon named {name!r} in resources/icons")
    return QIcon(str(path))


def apply_theme(app: QApplication) -> None:
    """Fusion style, our dark palette and the stylesheet, for the whole application."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: SURFACE,
        QPalette.ColorRole.AlternateBase: SURFACE_RAISED,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: SURFACE_RAISED,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: ACCENT_PRESSED,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: SURFACE_RAISED,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: TEXT_MUTED,
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(TEXT_MUTED))
    app.setPalette(palette)
    font = app.font()
    font.setPointSize(UI_FONT_PT)
    app.setFont(font)
    app.setStyleSheet(stylesheet())
    log.debug("theme applied")
