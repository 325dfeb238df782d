"""The review's summaries: time per engagement state, signal frequency with examples, quality, gaps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.session_builder import flat_scores

from app.model.delivery import FillerCount, LocalDelivery
from app.model.delivery_summary import summarise_delivery
from app.model.events import (
    ConnectionChanged,
    DeliveryMeasured,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
    SessionEvent,
    SessionSummary,
)
from app.model.library import SessionEntry, progress_series
from app.model.report import CSV_COLUMNS, ReportSession, build_report, csv_rows
from app.model.session_review import review_session
from app.model.wire_v0 import ConversationQuality, EngagementWindow, QualityWindow, Signal


def segment(index: int) -> list[SessionEvent]:
    t0, t1 = 4.0 * index, 4.0 * (index + 1)
    return [
        SegmentClosed(t=t1, index=index, t0=t0, t1=t1, bytes=1000, video_frames=60, audio_samples=192000),
        SegmentSent(t=t1, index=index, connection=1, server_segment=index + 1, bytes=1000),
    ]


def answer(index: int, *, state: str = "engaged", signals: list[Signal] | None = None,
           quality: float | None = None, latency_s: float = 0.5) -> list[SessionEvent]:  # fmt: skip
    t0, t1 = 4.0 * index, 4.0 * (index + 1)
    return [
        ResultReceived(
            t=t1 + latency_s,
            index=index,
            t0=t0,
            t1=t1,
            engagement=[
                EngagementWindow(start=t0, end=t0 + 2, state=state),
                EngagementWindow(start=t0 + 2, end=t1, state="neutral"),
            ],
            signals=signals or [],
            quality=None
            if quality is None
            else ConversationQuality(
                overall=flat_scores(quality),
                timeline=[QualityWindow(start=t0, end=t1, values=flat_scores(quality))],
            ),
        ),
        SegmentCompleted(t=t1 + latency_s, index=index, latency_s=latency_s),
    ]


def sig(kind: str, index: int, probability: str | None, rationale: str) -> Signal:
    return Signal(
        type=kind, start=4.0 * index, end=4.0 * index + 4, probability=probability, rationale=rationale
    )


def session_events() -> list[SessionEvent]:
    events: list[SessionEvent] = []
    events += segment(0) + answer(0, signals=[sig("stress", 0, "low", "voice tight")], quality=60)
    events += segment(1) + answer(1, state="disengaged", signals=[sig("stress", 1, "high", "restless"),
                                                                  sig("interest", 1, "medium", "leaning in")],
                                  quality=70, latency_s=1.5)  # fmt: skip
    events += segment(2)
    events.append(SegmentError(t=13.0, index=2, connection=1, error_id="ih5001", message="No video found"))
    events.append(
        ConnectionChanged(t=13.5, connection=1, state="lost", detail="The connection closed (1011).")
    )
    events.append(ConnectionChanged(t=14.0, connection=2, state="reconnecting", retry_in_s=1.0))
    events.append(ConnectionChanged(t=15.5, connection=2, state="connected"))
    events += segment(3)
    events.append(SegmentSkipped(t=16.0, index=3, reason="stale"))
    events += segment(4)
    events.append(SessionSummary(t=21.0, closed=5, sent=5, completed=2, errored=1, skipped=1, reconnects=1,
                                 unsent_tail_s=1.5))  # fmt: skip
    return events


def test_time_in_each_state_and_the_signals_frequency() -> None:
    review = review_session(session_events())
    assert review.length_s == pytest.approx(21.5)
    assert (review.state_time.engaged_s, review.state_time.neutral_s, review.state_time.disengaged_s) == (
        2,
        4,
        2,
    )
    assert review.state_time.share("neutral") == pytest.approx(0.5)
    stress, interest = review.signal_stats
    assert (stress.type, stress.count, stress.strongest) == ("stress", 2, "high")
    assert stress.examples == ("restless", "voice tight"), "strongest reading's rationale first"
    assert stress.per_minute == pytest.approx(2 / (21.5 / 60))
    assert interest.meaning.startswith("Curiosity")
    assert [(row.signal.type, row.segment) for row in review.signals] == [
        ("stress", 0), ("stress", 1), ("interest", 1)
    ]  # fmt: skip
    assert review.quality_overall == flat_scores(70) and len(review.quality_series) == 2
    assert review.delivery.latency_median_s == pytest.approx(1.0)


def test_every_gap_has_its_reason() -> None:
    gaps = review_session(session_events()).gaps
    assert [(g.kind, g.start, g.end, g.index) for g in gaps] == [
        ("error", 8.0, 12.0, 2),
        ("skipped", 12.0, 16.0, 3),
        ("reconnection", 13.5, 15.5, None),
        ("unanswered", 16.0, 20.0, 4),
        ("unsent", 20.0, 21.5, None),
    ]
    reasons = [g.reason for g in gaps]
    assert reasons[0] == "analysis failed: No video found"
    assert reasons[1] == "not sent: too old by the time it could go"
    assert reasons[2] == "The connection closed (1011); connected again (connection 2)"
    assert reasons[3] == "no answer before the session stopped"
    assert "too short to send" in reasons[4]
    crashed = review_session(session_events()[:-1], ended=False).gaps
    assert "ended unexpectedly" in next(g for g in crashed if g.kind == "unanswered").reason


def test_a_later_answer_closes_an_earlier_error() -> None:
    events = segment(0)
    events.append(SegmentError(t=4.5, index=0, connection=1, message="busy"))
    events += answer(0)
    assert review_session(events).gaps == []


def test_what_is_at_the_playhead() -> None:
    review = review_session(session_events())
    assert [s.type for s in review.signals_at(5.0)] == ["stress", "interest"]
    assert review.engagement_at(5.0).state == "disengaged"  # type: ignore[union-attr]
    assert review.quality_at(9.0) is None and review.signals_at(30.0) == []


def test_the_report_and_its_csv() -> None:
    review = review_session(session_events())
    report = build_report(
        review,
        ReportSession(folder="/x", title="<b>Mine</b>", backend="Local analysis", api_version="v0"),
        settings={"segment_s": 4.0}, versions={"pyav": "18"}, generated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert report.format == 1 and report.engagement_summary.engaged_share == pytest.approx(0.25)
    assert next(g.kind for g in report.gaps) == "error"
    rows = csv_rows(report)
    assert CSV_COLUMNS == ("start", "end", "type", "probability", "rationale", "segment")
    assert rows[0] == ("0.000", "4.000", "stress", "low", "voice tight", "0")
    again = type(report).model_validate_json(report.model_dump_json())
    assert again == report


def test_progress_series_skips_what_a_session_lacks() -> None:
    def entry(name: str, day: int, share: float | None, quality: dict[str, float]) -> SessionEntry:
        return SessionEntry(folder=f"/s/{name}", name=name, title=name, length_s=60,
                            started_at=datetime(2026, 1, day, tzinfo=UTC), backend="Local analysis",
                            api_version="v0", engaged_share=share, quality=quality,
                            signals_per_minute={"stress": 2.0} if share else {})  # fmt: skip

    series = progress_series([entry("b", 2, None, {}), entry("a", 1, 0.5, {"quality_index": 60.0})])
    assert series.titles == ["a", "b"] and series.engaged_share == [0.5, None]
    assert series.quality == {"quality_index": [60.0, None]}
    assert series.signals_per_minute == {"stress": [2.0, 0.0]}


def test_delivery_over_a_session_weighs_each_stretch_by_its_length_and_overlaps_cancel() -> None:
    def stretch(start: float, end: float, eye: float, fillers: int) -> LocalDelivery:
        return LocalDelivery(
            start=start,
            end=end,
            face_visible=1.0,
            eye_contact=eye,
            speaking=0.5,
            pace_wpm=150,
            fillers=FillerCount(total=fillers, words=10),
        )

    apart = summarise_delivery([stretch(0, 3, 1.0, 1), stretch(3, 9, 0.4, 2)])
    assert apart is not None
    assert apart.eye_contact == pytest.approx((3 * 1.0 + 6 * 0.4) / 9)
    assert apart.fillers_per_min == pytest.approx(3 * 60 / 4.5)  # 3 fillers in 4.5 s of speech
    # The same media in v1's overlapping windows: every second counted twice, the rates unchanged.
    overlapping = summarise_delivery(
        [stretch(0, 2, 1.0, 1), stretch(1, 3, 1.0, 1), stretch(2, 4, 1.0, 1), stretch(3, 5, 1.0, 1)]
    )
    single = summarise_delivery([stretch(0, 4, 1.0, 2)])
    assert overlapping is not None and single is not None
    assert overlapping.fillers_per_min == pytest.approx(single.fillers_per_min)
    assert summarise_delivery([]) is None


def test_a_v1_session_s_delivery_events_reach_its_review() -> None:
    figures = LocalDelivery(start=1.0, end=4.0, face_visible=0.5, eye_contact=0.8, speaking=0.0)
    review = review_session([DeliveryMeasured(t=4.5, connection=1, delivery=figures)])
    assert review.local_delivery is not None
    assert review.local_delivery.eye_contact == pytest.approx(0.8)
    assert review.local_delivery.pace_wpm is None and review.local_delivery.fillers_per_min is None
