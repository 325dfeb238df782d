"""Speech followed across stretches (issue 12, "filler words … carried across windows"): the
espeak-ng sentences of `test_fillers` in one recording, cut as v0 cuts segments and as v1 cuts
its windows, heard by the real recogniser. Each utterance must be heard once, whole, as it is
when the recording is heard at once; heard stretch by stretch it is cut and heard in pieces."""

from __future__ import annotations

import random
import threading
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
from support import recordings as rec

from app.analyzer import thresholds as th
from app.analyzer.fillers import Utterance, count_fillers, count_words
from app.analyzer.utterance_follower import UtteranceFollower
from app.analyzer.voice import _utterance_spans, measure_voice
from app.analyzer.voice_activity import voice_frames, voice_scores

pytestmark = pytest.mark.timeout(300)

R = rec.RATE
SPOKEN = rec.SPOKEN_WITH_FILLERS
PUT_IN = sum(SPOKEN.values())


def _talk() -> np.ndarray:
    gap = np.zeros(int(0.8 * R), np.float32)
    return np.concatenate([part for text in SPOKEN for part in (rec.espeak(text), gap)])


def _voiced(samples: np.ndarray) -> np.ndarray:
    return voice_frames(voice_scores(samples))


def _cut(samples: np.ndarray, step_s: float) -> list[np.ndarray]:
    n = round(step_s * R)
    return [samples[i : i + n] for i in range(0, len(samples), n)]


def _placed(heard: list[tuple[float, tuple[Utterance, ...]]]) -> list[Utterance]:
    """Utterances in the recording's time, from (stretch start, its utterances) pairs."""
    return [Utterance(t0 + u.start_s, t0 + u.end_s, u.text) for t0, found in heard for u in found]


def _tally(utterances: list[Utterance]) -> tuple[int, int]:
    fillers = sum((count_fillers(u.text) for u in utterances), Counter())
    return sum(fillers.values()), sum(count_words(u.text) for u in utterances)


def _same_spans(found: list[Utterance], whole: list[tuple[float, float]]) -> bool:
    return len(found) == len(whole) and all(
        abs(u.start_s - a) <= 0.1 and abs(u.end_s - b) <= 0.1 for u, (a, b) in zip(found, whole, strict=True)
    )


@pytest.mark.parametrize("step_s", [1.0, 1.3, 2.0, 4.0])
def test_segments_cut_anywhere_hear_each_utterance_once_and_whole(step_s: float) -> None:
    rec.speech_extra()
    talk = _talk()
    whole = _utterance_spans(_voiced(talk))
    cuts = _cut(talk, step_s)
    follower = UtteranceFollower()
    followed, alone, t0 = [], [], 0.0
    for k, stretch in enumerate(cuts):
        followed.append((t0, follower.hear(stretch, _voiced(stretch), ends=k == len(cuts) - 1)))
        utterances = measure_voice(stretch).utterances
        assert utterances is not None
        alone.append((t0, utterances))
        t0 += len(stretch) / R
    found = _placed(followed)
    print(
        f"cut every {step_s:g} s: {len(whole)} utterances at once; followed {len(found)}, fillers and "
        f"words {_tally(found)}; each stretch alone {len(_placed(alone))}, {_tally(_placed(alone))}"
    )
    assert _same_spans(found, whole), ([(u.start_s, u.end_s) for u in found], whole)
    fillers, _ = _tally(found)
    assert 0.6 * PUT_IN <= fillers <= 1.3 * PUT_IN


def test_overlapping_windows_give_only_their_new_second_and_the_last_ends_the_speech() -> None:
    rec.speech_extra()
    talk = _talk()
    length = len(talk) / R
    follower = UtteranceFollower()
    heard: list[tuple[float, tuple[Utterance, ...]]] = []
    previous: float | None = None
    end = 1.0
    while end < length + 1.0:
        end = min(end, length)
        start = max(0.0, end - 3.0)
        window = talk[round(start * R) : round(end * R)]
        new_from = 0.0 if previous is None else previous - start
        last = end >= length
        heard.append(
            (
                start,
                follower.hear(
                    window, _voiced(window), new_from_s=new_from, joins=previous is not None, ends=last
                ),
            )
        )
        previous, end = end, end + 1.0
    found = _placed(heard)
    print(f"3 s windows every 1 s: {len(found)} utterances, fillers and words {_tally(found)}")
    assert _same_spans(found, _utterance_spans(_voiced(talk)))
    assert 0.6 * PUT_IN <= _tally(found)[0] <= 1.3 * PUT_IN


def test_segments_analysed_in_parallel_are_heard_in_the_order_they_came() -> None:
    rec.speech_extra()
    cuts = _cut(_talk(), 1.3)
    in_order = UtteranceFollower()
    expected = [in_order.hear(stretch, _voiced(stretch)) for stretch in cuts]

    follower = UtteranceFollower()
    turns = [follower.next_turn() for _ in cuts]
    got: dict[int, tuple[Utterance, ...]] = {}
    order = list(range(len(cuts)))
    random.Random(7).shuffle(order)  # the executor's threads start them in any order
    threads = [
        threading.Thread(target=lambda k=k: got.__setitem__(k, turns[k].hear(cuts[k], _voiced(cuts[k]))))
        for k in order
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    # Where each utterance begins and ends is the order's doing; its words are the recogniser's,
    # which can hear the same audio a word differently from one of its instances to another.
    def spans(heard: list[tuple[Utterance, ...]]) -> list[list[tuple[float, float]]]:
        return [[(u.start_s, u.end_s) for u in found] for found in heard]

    assert spans([got[k] for k in range(len(cuts))]) == spans(expected)
    assert sum(1 for found in expected if found) == 4


def test_a_segment_never_heard_breaks_the_speech_there_and_loses_nothing_before_it() -> None:
    rec.speech_extra()
    cuts = _cut(_talk(), 1.0)
    follower = UtteranceFollower()
    turns = [follower.next_turn() for _ in cuts]
    missing = 2  # the first sentence runs from 0.0 to 4.0 s: the missing third second cuts it
    heard: dict[int, tuple[Utterance, ...]] = {}
    t0 = 0.0
    for k, (turn, stretch) in enumerate(zip(turns, cuts, strict=True)):
        if k == missing:
            turn.skip()
        else:
            heard[k] = turn.hear(stretch, _voiced(stretch))
        t0 += len(stretch) / R
    before, after = heard[missing + 1][0], heard[missing + 1][1:]
    assert abs(before.end_s) < 0.05 and abs(before.end_s - before.start_s - 2.0) <= 0.1, (
        "the speech held until the break is heard, and counted where the speech goes on"
    )
    assert not after, "what follows the break is an utterance of its own, still going on"
    assert len([u for found in heard.values() for u in found]) == 5
    turns[0].skip()  # once heard, a turn's skip changes nothing


def test_speech_without_a_pause_is_heard_in_utterances_of_at_most_the_limit() -> None:
    rec.speech_extra()
    text = "and then we walked along the river to the old mill where the miller kept his horses and his dogs "
    speech = rec.espeak(text * 4)
    assert len(_utterance_spans(_voiced(speech))) == 1, "one utterance without a pause"
    follower = UtteranceFollower()
    heard, t0 = [], 0.0
    cuts = _cut(speech, 1.0)
    for k, stretch in enumerate(cuts):
        heard.append((t0, follower.hear(stretch, _voiced(stretch), ends=k == len(cuts) - 1)))
        t0 += len(stretch) / R
    found = _placed(heard)
    assert len(found) >= 2 and all(u.end_s - u.start_s <= th.UTTERANCE_MAX_S + 1.0 for u in found)
    # None of it is lost: the next begins where the last ended, to a voice frame (16 ms) and the
    # part of one that a stretch's end cuts off.
    assert all(abs(b.start_s - a.end_s) < 0.05 for a, b in pairwise(found))
