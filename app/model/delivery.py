"""Local analysis's delivery figures: the one extension field its results carry.

Interhuman's protocols have no place for eye contact, pace or filler words, so Local analysis
sends them in one extension that Interhuman's clients ignore as unknown:

- v0: every `result` message carries `"local_delivery": {...}` beside its signals;
- v1/v2: an envelope `{"type": "local.delivery.updated", "data": {...}}` after each analysed
  stretch, for a client whose session config asks for it (`"local_delivery": true`), so that
  Interhuman's own SDK never meets an event it does not know.

Both hold the same `LocalDelivery` object. Times are in the connection's time, like the result's
other windows. A share is 0–1 of the stretch; a figure the stretch cannot give (no face, too little
speech) is null rather than zero. `fillers` is null when the speech recogniser is not installed, and
`fillers_note` then says so: a missing count is never shown as zero.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

V0_FIELD = "local_delivery"
"""The key of the extension in a v0 `result` message."""
V1_EVENT_TYPE: Final = "local.delivery.updated"
"""The `type` of the extension envelope on v1 and v2."""
FILLERS_NEED_SPEECH_EXTRA = "filler words need the speech extra"

Share = float
"""0–1 of the stretch (of its samples with a face, where the name says so)."""


class FillerCount(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    total: int = Field(ge=0)
    by_word: dict[str, int] = Field(default_factory=dict)
    """Per filler ("um", "uh", "like", "you know"), only those heard."""
    words: int = Field(ge=0)
    """Words recognised in the same utterances, so that the count can be read as a rate."""
    speech_s: float | None = Field(default=None, ge=0)
    """How long those utterances are. Each utterance is counted once, whole, in the stretch where
    it ends, though it may have begun in one before; None from an analyzer that did not say."""

    def plus(self, more: FillerCount) -> FillerCount:
        """Both counts as one: each utterance is counted in one stretch only, so counts add."""
        words = dict(self.by_word)
        for word, count in more.by_word.items():
            words[word] = words.get(word, 0) + count
        speech = None if self.speech_s is None or more.speech_s is None else self.speech_s + more.speech_s
        return FillerCount(
            total=self.total + more.total, by_word=words, words=self.words + more.words, speech_s=speech
        )


class LocalDelivery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    start: float
    end: float
    face_visible: Share = Field(ge=0, le=1)
    eye_contact: Share | None = Field(default=None, ge=0, le=1)
    """Of the time the face is visible: looking toward the camera (head and eyes)."""
    smiling: Share | None = Field(default=None, ge=0, le=1)
    """Of the time the face is visible."""
    head_turned_away: Share | None = Field(default=None, ge=0, le=1)
    """Of the time the face is visible."""
    nods: int = Field(default=0, ge=0)
    """Nod movements (a down or an up)."""
    head_shakes: int = Field(default=0, ge=0)
    """Head-shake movements (a left or a right)."""
    blinks_per_min: float | None = Field(default=None, ge=0)
    face_width: Share | None = Field(default=None, ge=0, le=1)
    """The face's width as a share of the picture's: larger is closer to the camera."""
    speaking: Share = Field(ge=0, le=1)
    pauses: int = Field(default=0, ge=0)
    longest_pause_s: float = Field(default=0.0, ge=0)
    pace_wpm: float | None = Field(default=None, ge=0)
    """Words per minute of speech (from the recogniser's words, else from counted syllables)."""
    pace_source: Literal["words", "syllables"] | None = None
    pitch_median_hz: float | None = Field(default=None, gt=0)
    pitch_variety_st: float | None = Field(default=None, ge=0)
    """Spread of the voice's pitch in semitones (robust standard deviation): monotone below ~1.5."""
    loudness_variety_db: float | None = Field(default=None, ge=0)
    fillers: FillerCount | None = None
    fillers_note: str | None = None
