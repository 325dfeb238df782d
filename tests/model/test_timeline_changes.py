"""The timeline fed v1/v2's changes (an engagement state from a start on, signal intervals opened,
amended and closed, quality, the analysis reaching a time, coverage gaps, feedback) shows what
v0's whole results show, and says the cue lag for either."""

from __future__ import annotations

import pytest

from app.model.events import (
    AnalysisReached,
    CoverageGap,
    EngagementChanged,
    FeedbackReceived,
    QualityReceived,
    ResultReceived,
    SignalChanged,
)
from app.model.timeline import SessionTimeline
from app.model.wire_v0 import EngagementWindow, QualityScores, QualityWindow, Signal

SCORES = QualityScores(quality_index=60, clarity=60, authority=60, energy=60, rapport=60, learning=60)


def test_engagement_changes_close_the_window_before_and_the_open_one_reaches_the_analysis() -> None:
    timeline = SessionTimeline()
    timeline.apply(EngagementChanged(t=1.2, connection=1, state="engaged", start=0.2))
    timeline.apply(EngagementChanged(t=3.1, connection=1, state="neutral", start=2.0))
    timeline.apply(AnalysisReached(t=4.1, connection=1, until=4.0))
    snapshot = timeline.snapshot(4.5)
    assert [(w.start, w.end, w.state) for w in snapshot.engagement_history] == [
        (0.2, 2.0, "engaged"),
        (2.0, 4.0, "neutral"),
    ]
    assert snapshot.engagement is not None
    assert (snapshot.engagement.state, snapshot.engagement.end) == ("neutral", 4.0)
    assert snapshot.engagement.age_s == pytest.approx(0.5)
    assert snapshot.cue_lag_s == pytest.approx(0.5)
    assert snapshot.last_result_age_s == pytest.approx(0.4)


def test_a_signal_interval_opens_is_amended_and_closes() -> None:
    timeline = SessionTimeline()
    timeline.apply(
        SignalChanged(t=2.0, connection=1, change="opened", type="interest", start=1.0, probability="low")
    )
    timeline.apply(AnalysisReached(t=3.0, connection=1, until=3.0))
    [gauge] = timeline.snapshot(3.2).gauges
    assert (gauge.type, gauge.probability, gauge.start, gauge.end) == ("interest", "low", 1.0, 3.0)
    assert gauge.opacity == 1.0, "an active signal is fresh while the analysis goes on"
    timeline.apply(
        SignalChanged(
            t=4.0, connection=1, change="amended", type="interest", probability="high", rationale="nods"
        )
    )
    timeline.apply(SignalChanged(t=6.0, connection=1, change="closed", type="interest", end=5.0))
    snapshot = timeline.snapshot(6.5)
    [gauge] = snapshot.gauges
    assert (gauge.probability, gauge.rationale, gauge.start, gauge.end) == ("high", "nods", 1.0, 5.0)
    assert snapshot.recent_signals == [
        Signal(type="interest", start=1.0, end=5.0, probability="high", rationale="nods")
    ]
    timeline.apply(SignalChanged(t=7.0, connection=1, change="closed", type="interest", end=6.0))
    assert len(timeline.snapshot(7.0).recent_signals) == 1, "a close without an open is ignored"


def test_quality_gaps_and_feedback_reach_the_snapshot() -> None:
    timeline = SessionTimeline()
    window = QualityWindow(start=0.0, end=1.0, values=SCORES)
    timeline.apply(QualityReceived(t=1.1, connection=1, overall=SCORES, timeline=[window]))
    timeline.apply(CoverageGap(t=3.0, connection=2, start=1.0, end=2.5, reason="outage", detail="lost"))
    timeline.apply(CoverageGap(t=4.0, connection=2, start=2.5, end=3.5, reason="degraded"))
    timeline.apply(CoverageGap(t=4.5, connection=2, start=3.5, end=4.0, reason="dropped", detail="paused"))
    timeline.apply(FeedbackReceived(t=5.0, connection=2, text="first"))
    timeline.apply(FeedbackReceived(t=9.0, connection=2, text="second"))
    snapshot = timeline.snapshot(10.0)
    assert snapshot.quality_overall == SCORES and snapshot.quality_series == [window]
    # An outage is the connection's own gap (from its state changes), not counted twice.
    assert [(g.start, g.end, g.kind, g.reason) for g in snapshot.coverage_gaps] == [
        (2.5, 3.5, "degraded", "analysed with too little picture"),
        (3.5, 4.0, "dropped", "not analysed: paused"),
    ]
    assert snapshot.coverage_gaps == timeline.gaps()
    assert [f.text for f in snapshot.feedback] == ["second", "first"]
    assert snapshot.cue_lag_s == pytest.approx(6.5), "degraded media was analysed; an outage was not"


def test_the_cue_lag_of_v0_results_is_from_their_windows_end() -> None:
    timeline = SessionTimeline()
    assert timeline.snapshot(3.0).cue_lag_s is None
    timeline.apply(
        ResultReceived(
            t=6.0,
            index=0,
            t0=0.0,
            t1=4.0,
            engagement=[EngagementWindow(start=0.0, end=4.0, state="engaged")],
        )
    )
    assert timeline.snapshot(6.5).cue_lag_s == pytest.approx(2.5)
    assert timeline.cue_lag_s(7.0) == pytest.approx(3.0)
