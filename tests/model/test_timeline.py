"""SessionTimeline derives the UI state from the session's events."""

from __future__ import annotations

import pytest
from support.session_builder import SessionBuilder

from app.model.delivery import FillerCount, LocalDelivery
from app.model.events import (
    CaptureProblem,
    ConnectionChanged,
    DeliveryMeasured,
    MessageUnparsed,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
    parse_event,
)
from app.model.signal_gauges import FADE_END_S, FADED_OPACITY
from app.model.timeline import SessionTimeline
from app.model.wire_v0 import ConversationQuality, EngagementWindow, QualityScores, QualityWindow, Signal


def scores(value: float) -> QualityScores:
    return QualityScores(
        quality_index=value, clarity=value, authority=value, energy=value, rapport=value, learning=value
    )


def result(
    index: int,
    *,
    received: float,
    state: str = "engaged",
    signals: list[Signal] | None = None,
    quality: float | None = None,
) -> ResultReceived:
    t0, t1 = 4.0 * index, 4.0 * (index + 1)
    return ResultReceived(
        t=received,
        index=index,
        t0=t0,
        t1=t1,
        engagement=[EngagementWindow(start=t0, end=t1, state=state)],
        signals=signals or [],
        quality=None
        if quality is None
        else ConversationQuality(
            overall=scores(quality), timeline=[QualityWindow(start=t0, end=t1, values=scores(quality))]
        ),
    )


def test_waiting_for_first_result() -> None:
    snapshot = SessionTimeline().snapshot(now=3.0)
    assert snapshot.engagement is None
    assert snapshot.gauges == []
    assert snapshot.last_result_age_s is None
    assert snapshot.counts.in_flight == 0


def test_engagement_is_the_latest_window_in_session_time() -> None:
    timeline = SessionTimeline()
    # Results may arrive out of order; the latest window in session time wins.
    timeline.apply(result(1, received=9.0, state="neutral"))
    timeline.apply(result(0, received=9.5, state="disengaged"))
    snapshot = timeline.snapshot(now=10.0)
    assert snapshot.engagement is not None
    assert snapshot.engagement.state == "neutral"
    assert (snapshot.engagement.start, snapshot.engagement.end) == (4.0, 8.0)
    assert snapshot.engagement.age_s == pytest.approx(2.0)
    assert [w.state for w in snapshot.engagement_history] == ["disengaged", "neutral"]
    assert snapshot.last_result_age_s == pytest.approx(0.5)


def test_gauges_keep_the_latest_reading_per_type_strongest_first_and_fade() -> None:
    timeline = SessionTimeline()
    timeline.apply(
        result(
            0,
            received=6.0,
            signals=[
                Signal(type="Stress", start=0, end=4, probability="high", rationale="old"),
                Signal(type="interest", start=1, end=3, probability="low"),
            ],
        )
    )
    timeline.apply(
        result(
            1,
            received=10.0,
            signals=[
                Signal(type="stress", start=4, end=8, probability="low", rationale="new"),
                Signal(type="confidence", start=4, end=8, probability="high", rationale="firm"),
            ],
        )
    )
    gauges = timeline.snapshot(now=12.0).gauges
    assert [g.type for g in gauges] == ["confidence", "stress", "interest"]
    assert gauges[1].rationale == "new"
    assert gauges[0].meaning.startswith("States a position firmly")
    assert all(g.opacity == 1.0 for g in gauges)
    faded = timeline.snapshot(now=8.0 + FADE_END_S + 1).gauges
    assert {g.opacity for g in faded} == {FADED_OPACITY}
    half = timeline.snapshot(now=8.0 + (15.0 + FADE_END_S) / 2).gauges[0]
    assert FADED_OPACITY < half.opacity < 1.0


def test_unknown_signal_types_are_shown_under_their_own_name() -> None:
    timeline = SessionTimeline()
    timeline.apply(result(0, received=5.0, signals=[Signal(type="Awe", start=0, end=4)]))
    [gauge] = timeline.snapshot(now=5.0).gauges
    assert (gauge.type, gauge.probability, gauge.meaning) == ("awe", None, "")


def test_quality_overall_and_series() -> None:
    timeline = SessionTimeline()
    timeline.apply(result(0, received=5.0, quality=40))
    timeline.apply(result(1, received=9.0, quality=70))
    snapshot = timeline.snapshot(now=9.0)
    assert snapshot.quality_overall is not None and snapshot.quality_overall.quality_index == 70
    assert [w.values.quality_index for w in snapshot.quality_series] == [40, 70]


def test_a_segment_answered_twice_counts_once_and_the_later_answer_wins() -> None:
    timeline = SessionTimeline()
    timeline.apply(result(0, received=5.0, state="neutral", signals=[Signal(type="stress", start=0, end=4)]))
    timeline.apply(result(0, received=7.0, state="engaged"))
    snapshot = timeline.snapshot(now=7.0)
    assert [w.state for w in snapshot.engagement_history] == ["engaged"]
    assert snapshot.gauges == []
    assert len(timeline.results) == 1


def test_counts_latency_upload_rate_and_reconnects() -> None:
    timeline = SessionTimeline()
    for index in range(4):
        timeline.apply(
            SegmentClosed(
                t=4.0 * (index + 1),
                index=index,
                t0=4.0 * index,
                t1=4.0 * (index + 1),
                bytes=500_000,
                video_frames=120,
                audio_samples=192_000,
                dropped_video_frames=index,
            )
        )
    timeline.apply(SegmentSent(t=4.1, index=0, connection=1, server_segment=1, bytes=500_000))
    timeline.apply(SegmentSent(t=8.1, index=1, connection=1, server_segment=2, bytes=500_000))
    timeline.apply(ConnectionChanged(t=9.0, connection=1, state="lost", detail="connection dropped"))
    timeline.apply(ConnectionChanged(t=9.0, connection=1, state="reconnecting", retry_in_s=2.0))
    timeline.apply(ConnectionChanged(t=9.5, connection=1, state="reconnecting", retry_in_s=1.5))
    countdown = timeline.snapshot(now=10.0).connection
    assert countdown is not None and countdown.retry_in_s == pytest.approx(1.0)
    timeline.apply(ConnectionChanged(t=10.5, connection=2, state="connected"))
    # Re-sent after the reconnection: still one sent segment.
    timeline.apply(SegmentSent(t=11.0, index=1, connection=2, server_segment=1, bytes=500_000))
    timeline.apply(SegmentCompleted(t=12.0, index=1, latency_s=1.25))
    timeline.apply(SegmentSkipped(t=12.5, index=2, reason="stale"))
    timeline.apply(
        SegmentError(
            t=13.0,
            index=0,
            connection=2,
            error_id="ih5002",
            message="Unreadable",
            link="https://docs.interhuman.ai/errors#ih5002",
        )
    )
    timeline.apply(MessageUnparsed(t=13.5, connection=2, reason="invalid JSON", preview="{"))
    snapshot = timeline.snapshot(now=10.0)
    counts = snapshot.counts
    assert (counts.closed, counts.sent, counts.completed, counts.errored, counts.skipped) == (4, 2, 1, 1, 1)
    assert (counts.unparsed, counts.reconnects, counts.dropped_video_frames) == (1, 1, 6)
    assert counts.in_flight == 0
    assert snapshot.last_latency_s == 1.25
    assert snapshot.connection is not None and snapshot.connection.retry_in_s is None
    assert snapshot.upload_rate_bps == pytest.approx(8 * 1_000_000 / 20.0)
    assert snapshot.problem is not None
    assert (snapshot.problem.error_id, snapshot.problem.link) == (
        "ih5002",
        "https://docs.interhuman.ai/errors#ih5002",
    )


def test_capture_errors_become_the_problem_but_warnings_do_not() -> None:
    timeline = SessionTimeline()
    timeline.apply(CaptureProblem(t=1.0, source="microphone", level="warning", message="Silence"))
    assert timeline.snapshot(now=1.0).problem is None
    timeline.apply(CaptureProblem(t=2.0, source="camera", level="error", message="Camera lost"))
    problem = timeline.snapshot(now=2.0).problem
    assert problem is not None and (problem.source, problem.message) == ("camera", "Camera lost")


def test_a_review_rebuilds_the_same_state_from_recorded_lines() -> None:
    events = [
        SegmentClosed(t=4.0, index=0, t0=0.0, t1=4.0, bytes=100_000, video_frames=120, audio_samples=192_000),
        SegmentSent(t=4.1, index=0, connection=1, server_segment=1, bytes=100_000),
        result(
            0,
            received=5.0,
            signals=[Signal(type="interest", start=0, end=4, probability="medium")],
            quality=66,
        ),
        SegmentCompleted(t=5.1, index=0, latency_s=1.0),
    ]
    live, review = SessionTimeline(), SessionTimeline()
    for event in events:
        live.apply(event)
        review.apply(parse_event(event.model_dump_json()))
    assert live.snapshot(now=6.0) == review.snapshot(now=6.0)


def _delivery(start: float, end: float, eye_contact: float) -> LocalDelivery:
    return LocalDelivery(start=start, end=end, face_visible=1.0, eye_contact=eye_contact, speaking=0.6)


def test_the_latest_delivery_figures_are_in_the_snapshot_and_survive_a_recording() -> None:
    builder = SessionBuilder()
    assert builder.snapshot(1).delivery is None
    builder.result(0, 4, delivery=_delivery(0, 4, 0.9))
    builder.result(8, 12, delivery=_delivery(8, 12, 0.4))
    # A late answer for an earlier stretch does not replace the newer figures.
    late = builder.result(4, 8, delivery=_delivery(4, 8, 0.7), arrived=14)
    snapshot = builder.snapshot(15)
    assert snapshot.delivery == _delivery(8, 12, 0.4)
    recorded = parse_event(late.model_dump_json())
    assert isinstance(recorded, ResultReceived) and recorded.delivery == _delivery(4, 8, 0.7)
    # Interhuman's results carry none: the figures stay those of Local analysis's last result.
    builder.result(12, 16)
    assert builder.snapshot(17).delivery == _delivery(8, 12, 0.4)


def test_the_filler_words_add_up_over_the_session_each_stretch_counted_once() -> None:
    def counted(start: float, end: float, fillers: FillerCount) -> DeliveryMeasured:
        figures = _delivery(start, end, 0.9).model_copy(update={"fillers": fillers})
        return DeliveryMeasured(t=end + 0.5, connection=1, delivery=figures)

    timeline = SessionTimeline()
    assert timeline.snapshot(0.5).fillers_so_far is None
    timeline.apply(counted(0, 3, FillerCount(total=1, by_word={"um": 1}, words=9, speech_s=2.5)))
    # Most windows hear no utterance end: they add nothing, and the count so far stays.
    timeline.apply(counted(1, 4, FillerCount(total=0, words=0, speech_s=0.0)))
    timeline.apply(counted(2, 5, FillerCount(total=2, by_word={"um": 1, "uh": 1}, words=12, speech_s=4.0)))
    snapshot = timeline.snapshot(6.0)
    assert snapshot.delivery is not None and snapshot.delivery.end == 5
    assert snapshot.fillers_so_far == FillerCount(total=3, by_word={"um": 2, "uh": 1}, words=21, speech_s=6.5)
