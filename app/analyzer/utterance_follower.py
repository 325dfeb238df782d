"""One connection's speech followed across its stretches, so that each utterance is transcribed
once and whole, and its words and fillers counted in the stretch where it ends.

A stretch (a v0 segment, a v1 window) ends where the media was cut, not where the speaker
paused: an utterance still going at its end is held, with its audio, until it ends in a later
stretch. It ends at a silence of `UTTERANCE_JOIN_S`, after `UTTERANCE_MAX_S` without one, at a
break in the media (a stretch never heard: media skipped, a segment refused) and with the stream.

v0 segments are analysed in parallel: each takes a `Turn` as it arrives, and its voice step waits
for the turn before it, so the speech is followed in the order it was spoken.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np

from app.analyzer import fillers
from app.analyzer import thresholds as th
from app.analyzer.voice_activity import runs

log = logging.getLogger(__name__)

_TURN_WAIT_S = 60.0
"""A turn waits at most this long for the one before it (which only a bug could hold up)."""


@dataclass(slots=True)
class _Open:
    start: float
    end: float
    """Where its last speech ends, in the follower's time (seconds of speech given to it)."""


class UtteranceFollower:
    """Called one stretch at a time (`hear` for a connection that analyses in order, or each
    segment's `Turn` for one that does not)."""

    def __init__(self, rate_hz: int = th.AUDIO_RATE_HZ) -> None:
        self._rate = rate_hz
        self._held = np.zeros(0, np.float32)
        """The audio from just before the open utterance (or the last `UTTERANCE_PAD_S`) until now."""
        self._held_start = 0.0
        self._open: _Open | None = None
        self._turns = threading.Condition()
        self._issued = 0
        self._served = 0
        self._finished: dict[int, bool] = {}
        """Turns done ahead of their place, and whether each was heard."""
        self._hearing = threading.Lock()
        self._broken = False

    def next_turn(self) -> Turn:
        """A stretch's place in the speech, taken in the order the stretches arrive."""
        with self._turns:
            self._issued += 1
            return Turn(self, self._issued)

    def hear(
        self,
        samples: np.ndarray,
        voiced: np.ndarray,
        *,
        new_from_s: float = 0.0,
        joins: bool = True,
        ends: bool = False,
    ) -> tuple[fillers.Utterance, ...]:
        """The utterances that end in this stretch, in its time (one held over from earlier starts
        before 0). `voiced` is the stretch's voice activity per frame; the part before `new_from_s`
        was in the stretch before (overlapping windows), and `joins` says that stretch came right
        before this one; `ends`: the stream ends with it."""
        with self._hearing:
            return self._hear(samples, voiced, new_from_s, joins=joins, ends=ends)

    def _hear(
        self, samples: np.ndarray, voiced: np.ndarray, new_from_s: float, *, joins: bool, ends: bool
    ) -> tuple[fillers.Utterance, ...]:
        if not joins or self._broken:
            self._broken = False
            closed = self._close()
            held_before = self._held_end
            found = self._transcribe(closed, held_before)
            self._held, self._held_start, new_from_s = np.zeros(0, np.float32), held_before, 0.0
        else:
            found = ()
        origin = self._held_end - new_from_s  # the stretch's time 0 in the follower's time
        self._held = np.concatenate(
            (self._held, np.asarray(samples[round(new_from_s * self._rate) :], np.float32))
        )
        first = round(new_from_s / th.VOICE_HOP_S)
        spans: list[tuple[float, float]] = []
        for a, b in runs(voiced[first:]):
            start, end = origin + (first + a) * th.VOICE_HOP_S, origin + (first + b) * th.VOICE_HOP_S
            if self._open is not None and start - self._open.end < th.UTTERANCE_JOIN_S:
                self._open.end = end
            else:
                spans += self._close()
                self._open = _Open(start, end)
            if self._open.end - self._open.start >= th.UTTERANCE_MAX_S:
                spans += self._close()
        if self._open is not None and (ends or self._held_end - self._open.end >= th.UTTERANCE_JOIN_S):
            spans += self._close()
        found += self._transcribe(spans, origin)
        self._trim()
        return found

    @property
    def _held_end(self) -> float:
        return self._held_start + len(self._held) / self._rate

    def _close(self) -> list[tuple[float, float]]:
        span, self._open = self._open, None
        return [] if span is None else [(span.start, span.end)]

    def _transcribe(self, spans: list[tuple[float, float]], origin: float) -> tuple[fillers.Utterance, ...]:
        if not spans:
            return ()
        held = [(start - self._held_start, end - self._held_start) for start, end in spans]
        shift = self._held_start - origin
        return tuple(
            fillers.Utterance(u.start_s + shift, u.end_s + shift, u.text)
            for u in fillers.transcribe(self._held, self._rate, held)
        )

    def _trim(self) -> None:
        keep_from = (self._open.start if self._open is not None else self._held_end) - th.UTTERANCE_PAD_S
        cut = max(0, round((keep_from - self._held_start) * self._rate))
        if cut:
            self._held = self._held[cut:]
            self._held_start += cut / self._rate

    # --- turns, for stretches analysed in parallel ---

    def hear_in_turn(
        self, number: int, samples: np.ndarray, voiced: np.ndarray
    ) -> tuple[fillers.Utterance, ...]:
        with self._turns:
            if not self._turns.wait_for(lambda: self._served >= number - 1, _TURN_WAIT_S):
                log.warning(
                    "stretch %d waited %g s for the one before: heard apart from it", number, _TURN_WAIT_S
                )
                self._broken = True
        try:
            return self.hear(samples, voiced)
        finally:
            self._finish(number, heard=True)

    def skip_turn(self, number: int) -> None:
        self._finish(number, heard=False)

    def _finish(self, number: int, *, heard: bool) -> None:
        with self._turns:
            if number <= self._served or number in self._finished:
                return
            self._finished[number] = heard
            while self._served + 1 in self._finished:
                self._served += 1
                if not self._finished.pop(self._served):
                    # A stretch between two heard ones is missing: the speech breaks where it was.
                    self._broken = True
            self._turns.notify_all()


@dataclass(frozen=True, slots=True)
class Turn:
    follower: UtteranceFollower
    number: int

    def hear(self, samples: np.ndarray, voiced: np.ndarray) -> tuple[fillers.Utterance, ...]:
        """`UtteranceFollower.hear` for a whole stretch, once the stretches before it were heard."""
        return self.follower.hear_in_turn(self.number, samples, voiced)

    def skip(self) -> None:
        """This stretch will not be heard (refused, failed or given up): the speech breaks here.
        Nothing once it was heard."""
        self.follower.skip_turn(self.number)
