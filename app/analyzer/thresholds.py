"""Every number the local analyzer's measurements and rules depend on, in one place.

Units are in the names. Picture levels are 8-bit luma (0–255) measured on the grey analysis
frame (`ANALYSIS_WIDTH` pixels wide); audio levels are dB relative to full scale. The rules
that use them are described in `app.analyzer.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.model.vocabulary import Probability

# --- Sampling -------------------------------------------------------------------------------
VIDEO_SAMPLE_FPS = 8.0
"""Frames analysed per second. Every frame is decoded (VP8 needs them), few are looked at; 8/s
still resolves a 2 Hz nod, whose half-cycle spans two samples."""
ANALYSIS_WIDTH = 320
"""Sampled frames are scaled to this width in grey before any measurement."""
MOTION_WIDTH = 160
"""Frame differences are taken at this width, which averages away compression noise."""
AUDIO_RATE_HZ = 16_000
VOICE_HOP_S = 0.02
"""Loudness and voice activity are judged on consecutive 20 ms frames."""
PITCH_WINDOW_S = 0.04
"""Autocorrelation window around each voiced frame: two periods of the lowest pitch."""

# --- Picture cues ---------------------------------------------------------------------------
FACE_SCALE_FACTOR = 1.1
FACE_MIN_NEIGHBORS = 5
FACE_MIN_WIDTH_FRACTION = 1 / 12
"""Faces narrower than this fraction of the frame are ignored (too far away to read)."""
FACE_TRACK_MARGIN = 0.6
"""Around the last face, the search region grows by this fraction of its size on every side."""
FACE_TRACK_SIZE_RANGE = (0.7, 1.5)
"""A tracked face may shrink or grow by these factors between two samples."""
DARK_MAX_LUMA = 40.0
"""A picture whose mean luma is below this is too dark to read a face from."""
FROZEN_MAX_DIFF = 0.3
"""Mean absolute luma change between samples below which the picture counts as frozen; a live
camera's sensor noise alone stays above it."""
FROZEN_MIN_S = 0.5
"""...for at least this long: a moving picture can repeat itself for a moment, a stalled one stays."""
NOD_MIN_SWING = 0.08
"""Vertical travel of the face centre, in face heights, that counts as one nod movement."""
NOD_MAX_LEG_S = 0.8
"""A nod movement (down, or up) takes at most this long; slower travel is repositioning."""

# --- Voice cues -----------------------------------------------------------------------------
NOISE_FLOOR_PERCENTILE = 10.0
"""The noise floor is this percentile of the frame levels of the segment."""
VOICE_ABOVE_FLOOR_DB = 9.0
"""A frame is voice when it is this far above the noise floor..."""
VOICE_MIN_DBFS = -50.0
"""...and louder than this, so near-silence never counts as voice."""
VOICE_BRIDGE_S = 0.15
"""Gaps shorter than this inside speech (between syllables) are bridged."""
VOICE_MIN_BURST_S = 0.06
"""Voice bursts shorter than this (clicks, knocks) are dropped."""
PITCH_RANGE_HZ = (75.0, 400.0)
PITCH_MIN_CLARITY = 0.5
"""Normalised autocorrelation peak a frame needs for its pitch to count."""
PITCH_MIN_FRAMES = 10
"""Pitch variation needs at least this many pitched frames (0.2 s) to be measured."""
PAUSE_MIN_S = 0.4
"""A silence between two stretches of speech counts as a pause from this length on."""
UTTERANCE_MIN_S = 0.3
RISING_END_S = 0.15
RISING_END_SEMITONES = 2.0
"""An utterance whose last `RISING_END_S` is this much above its median pitch ends rising,
as questions tend to."""

# --- Rules: engagement windows --------------------------------------------------------------
WINDOW_MAX_S = 2.0
"""A segment is cut into the fewest equal windows no longer than this."""
MOST_OF_WINDOW = 0.5
"""'Most of the window': the share of samples a cue needs to decide a window."""
ENGAGED_MIN_SPEECH = 0.25
"""Speaking this share of a window, with the face visible, is engaged."""
ENGAGED_MIN_NOD_SWINGS = 2
"""Or nodding: a down and an up movement."""

# --- Rules: signals -------------------------------------------------------------------------
PROBABILITY_BANDS: tuple[tuple[Probability, float], ...] = (("high", 0.7), ("medium", 0.45), ("low", 0.25))
"""A signal's score (0–1) maps to the first band it reaches; below the last it is not sent."""
SPEECH_RANGE = (0.1, 0.6)
"""Share of time speaking: from no evidence of speaking to full evidence."""
CONFIDENT_SPEECH_RANGE = (0.3, 0.7)
NOD_SWINGS_RANGE = (1.0, 4.0)
PAUSE_RATE_RANGE = (1.0, 6.0)
"""Pauses per 10 s of media: from fluent to halting."""
LONG_PAUSE_RANGE_S = (0.6, 1.6)
VOICED_RANGE_S = (0.3, 1.5)
"""Seconds of speech: from too little to judge the voice to enough."""
LEAN_IN_FACE_WIDTH_RANGE = (0.3, 0.45)
"""Face width as a share of the frame: an ordinary distance up to leaning in."""
RISING_ENDINGS_RANGE = (0.0, 2.0)
RESTLESS_MOTION_RANGE = (10.0, 25.0)
"""Mean luma change between samples: ordinary movement up to restless."""
STRAINED_PITCH_RANGE_ST = (5.0, 8.0)
"""Pitch spread in semitones: beyond lively speech (2–4) up to agitated."""

# --- Rules: conversation quality ------------------------------------------------------------
QUALITY_SPREAD = 40.0
"""With full evidence a dimension moves this far from 50 at most: heuristics never claim 0 or 100."""
PITCH_VARIATION_RANGE_ST = (1.0, 4.0)
"""Pitch spread in semitones: monotone up to lively."""
LOUDNESS_VARIATION_RANGE_DB = (3.0, 9.0)
MOTION_RANGE = (0.5, 6.0)
"""Mean luma change between samples: still up to animated."""
FACE_RATIO_RANGE = (0.3, 0.9)
