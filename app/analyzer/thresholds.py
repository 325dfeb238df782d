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
LANDMARK_WIDTH = 640
"""Sampled frames are also kept in colour at this width (at most) for the face landmarker."""
MOTION_WIDTH = 160
"""Frame differences are taken at this width, which averages away compression noise."""
AUDIO_RATE_HZ = 16_000
VOICE_HOP_S = 0.016
"""Loudness, voice activity and pitch are judged on consecutive 16 ms frames (earshot's frame)."""
PITCH_WINDOW_S = 0.025
"""YIN's integration window around each voiced frame; the frame read spans it plus the longest period."""

# --- Picture cues: the face ------------------------------------------------------------------
FACE_SCALE_FACTOR = 1.1
FACE_MIN_NEIGHBORS = 5
"""OpenCV's Haar cascade, which finds the small faces the landmarker's own detector misses."""
FACE_MIN_WIDTH_FRACTION = 1 / 12
"""Faces narrower than this fraction of the frame are ignored (too far away to read)."""
FACE_CROP_MARGIN = 0.5
"""The landmarker reads a square crop around the face grown by this fraction of its size on every side."""
FACE_CROP_MIN_PX = 192
"""...enlarged to at least this many pixels (the landmarker's own input size)."""
FACE_BRIDGE_SAMPLES = 2
"""A face missed for at most this many samples (0.25 s) between two sightings was there all along."""
HEAD_TURNED_AWAY_DEG = 35.0
"""A head turned sideways this far (yaw) is turned away from the camera..."""
HEAD_TILTED_AWAY_DEG = 45.0
"""...and so is one tilted this far up or down (pitch; a frontal face reads 10–20° here)."""
EYE_CONTACT_MAX_YAW_DEG = 20.0
EYE_CONTACT_MAX_PITCH_DEG = 30.0
"""Eye contact needs the head within these angles of facing the camera..."""
EYES_AWAY_MIN_LOOK = 0.5
"""...and neither eye-look blendshape (both eyes aside, or up or down) at or above this."""
EYES_CLOSED_MIN = 0.5
"""Eyes whose blink blendshape reaches this are closed (a blink, or eyes shut)."""
SMILE_MIN = 0.5
"""Mean mouth-smile blendshape from which a face smiles."""
BLINK_MIN_FACE_S = 3.0
"""A blink rate needs the face in view this long."""

# --- Picture cues: the frames ----------------------------------------------------------------
DARK_MAX_LUMA = 40.0
"""A picture whose mean luma is below this is too dark to read a face from."""
FROZEN_MAX_DIFF = 0.3
"""Mean absolute luma change between samples below which the picture counts as frozen; a live
camera's sensor noise alone stays above it."""
FROZEN_MIN_S = 0.5
"""...for at least this long: a moving picture can repeat itself for a moment, a stalled one stays."""
NOD_MIN_SWING = 0.08
"""Vertical travel of the face centre, in face heights, that counts as one nod movement..."""
NOD_MIN_PITCH_DEG = 6.0
"""...or a swing of the head's pitch this large."""
SHAKE_MIN_YAW_DEG = 8.0
"""A swing of the head's yaw this large is one head-shake movement."""
NOD_MAX_LEG_S = 0.8
"""A nod movement (down, or up) takes at most this long; slower travel is repositioning."""

# --- Voice cues -----------------------------------------------------------------------------
VOICE_MIN_SCORE = 0.5
"""earshot's score from which a frame is voice (its authors' suggested cut)."""
VOICE_BRIDGE_S = 0.15
"""Gaps shorter than this inside speech (between syllables) are bridged."""
VOICE_MIN_BURST_S = 0.06
"""Voice bursts shorter than this (clicks, knocks) are dropped."""
PITCH_RANGE_HZ = (60.0, 400.0)
"""From a low male voice to a high female or child's voice."""
PITCH_YIN_THRESHOLD = 0.15
"""YIN's absolute threshold: the first lag whose normalised difference dips below it is the period."""
PITCH_MAX_APERIODICITY = 0.35
"""A frame whose best normalised difference stays above this has no clear period (breath, noise)."""
PITCH_MIN_DBFS = -60.0
"""Frames quieter than this have no pitch (digital silence would read as a perfect period)."""
PITCH_MEDIAN_FRAMES = 5
"""Pitch is smoothed by a median over this many frames (80 ms), which removes lone octave jumps."""
PITCH_MIN_FRAMES = 10
"""Pitch variation needs at least this many pitched frames (0.2 s) to be measured."""
PAUSE_MIN_S = 0.4
"""A silence between two stretches of speech counts as a pause from this length on."""
UTTERANCE_MIN_S = 0.3
UTTERANCE_JOIN_S = 0.5
"""For the recogniser, stretches of speech closer than this are one utterance."""
UTTERANCE_PAD_S = 0.2
"""...given to it with this much sound before and after, so that no word loses its edges."""
UTTERANCE_MAX_S = 12.0
"""Speech without a pause this long is cut into utterances of this length: the recogniser's time
grows with the audio, and one window must not wait for a whole minute of it."""
RISING_END_S = 0.15
RISING_BEFORE_S = 0.3
RISING_END_SEMITONES = 2.0
"""An utterance whose last `RISING_END_S` is this much above the low part of the `RISING_BEFORE_S`
before it ends rising, as questions tend to."""

# --- Rules: engagement windows --------------------------------------------------------------
WINDOW_MAX_S = 2.0
"""A segment is cut into the fewest equal windows no longer than this."""
MOST_OF_WINDOW = 0.5
"""'Most of the window': the share of samples a cue needs to decide a window."""
ENGAGED_MIN_SPEECH = 0.25
"""Speaking this share of a window, with the face visible, is engaged."""
ENGAGED_MIN_NOD_SWINGS = 2
"""Or listening and nodding: a down and an up movement."""
ENGAGED_MIN_EYE_CONTACT = 0.5
"""Either way with eye contact for this share of the window."""

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
FILLER_RATE_RANGE_PER_MIN = (3.0, 12.0)
"""Filler words per minute of speech: from ordinary (a few) to halting."""
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
EYE_CONTACT_RANGE = (0.3, 0.9)
"""Share of the segment with eye contact: from little to steady."""
SYLLABLE_SMOOTH_FRAMES = 3
"""The level is smoothed over this many 16 ms frames before its peaks are taken as syllables."""
SYLLABLE_BELOW_MEDIAN_DB = 6.0
"""A syllable nucleus is at most this far below the median level of the speech around it."""
SYLLABLE_MIN_DIP_DB = 2.0
"""Two peaks are two syllables when the level dips this far between them (de Jong & Wempe)."""
SYLLABLES_PER_WORD = 1.35
"""Average length of spoken English words in syllables (written text runs longer, about 1.5),
turning syllables into words per minute."""
PACE_MIN_SPEECH_S = 1.5
"""Pace needs this much speech to be told."""
