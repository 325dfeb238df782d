"""The wire models (PROTOCOL.md §4–§6): every message form, normalisation, what cannot be parsed,
and the time-base rule that puts results on the session clock."""

from __future__ import annotations

import json

import pytest

from app.model.error_codes import ERROR_MEANINGS, classify_close, classify_error
from app.model.time_base import SegmentPlacement, to_session_time
from app.model.vocabulary import QUALITY_DIMENSIONS, SIGNAL_MEANINGS, quality_band
from app.model.wire_v0 import (
    CompletedMessage,
    ErrorMessage,
    ProcessingMessage,
    ResultMessage,
    UnparsedMessage,
    parse_server_message,
)

CQ = {"quality_index": 60, "clarity": 70, "authority": 50, "energy": 55, "rapport": 65, "learning": 60}


def parse(message: dict | str | bytes):  # type: ignore[no-untyped-def,type-arg]
    return parse_server_message(json.dumps(message) if isinstance(message, dict) else message)


def result(*windows: tuple[float, float], segment: int = 1) -> ResultMessage:
    """A result with one engagement window per (start, end)."""
    message = parse(
        {
            "status": "result",
            "segment": segment,
            "engagement_state": [{"start": a, "end": b, "state": "engaged"} for a, b in windows],
        }
    )
    assert isinstance(message, ResultMessage)
    return message


def spans(message: ResultMessage) -> list[tuple[float, float]]:
    return [(round(w.start, 6), round(w.end, 6)) for w in message.engagement_state]


# -- message forms --------------------------------------------------------------------------------


def test_processing_and_completed() -> None:
    processing = parse({"status": "processing", "segment": 2, "correlation_id": "c", "bytes": 120_000})
    assert processing == ProcessingMessage(status="processing", segment=2, correlation_id="c", bytes=120_000)
    assert parse({"status": "completed", "segment": 2, "correlation_id": "c"}) == CompletedMessage(
        status="completed", segment=2, correlation_id="c"
    )


def test_a_full_result_with_both_quality_parts_and_unknown_fields() -> None:
    message = parse(
        {
            "status": "result",
            "segment": 3,
            "correlation_id": "c",
            "model": "inter-1",  # unknown: ignored
            "signals": [
                {
                    "type": "confidence",
                    "start": 8.0,
                    "end": 10.5,
                    "probability": "high",
                    "rationale": "steady",
                }
            ],
            "engagement_state": [
                {"start": 8.0, "end": 10.0, "state": "engaged"},
                {"start": 10.0, "end": 12.0, "state": "neutral"},
            ],
            "conversation_quality": {"overall": CQ, "timeline": [{"start": 8, "end": 12, "values": CQ}]},
        }
    )
    assert isinstance(message, ResultMessage)
    assert message.signals[0].rationale == "steady"
    assert message.conversation_quality is not None
    assert message.conversation_quality.overall is not None
    assert message.conversation_quality.overall.clarity == 70
    assert message.conversation_quality.timeline[0].values.quality_index == 60
    assert message.time_span() == (8.0, 12.0)


def test_quality_parts_are_each_optional() -> None:
    only_overall = parse({"status": "result", "segment": 1, "conversation_quality": {"overall": CQ}})
    assert isinstance(only_overall, ResultMessage) and only_overall.conversation_quality is not None
    assert only_overall.conversation_quality.timeline == []
    bare = parse({"status": "result", "segment": 1})
    assert isinstance(bare, ResultMessage)
    assert (bare.signals, bare.engagement_state, bare.conversation_quality) == ([], [], None)
    assert bare.time_span() is None


def test_both_error_forms() -> None:
    current = parse(
        {
            "status": "error",
            "segment": 4,
            "correlation_id": "c",
            "error_id": "IH6002",
            "message": "Message too large",
            "link": "https://docs.interhuman.ai/errors#ih6002",
        }
    )
    assert current == ErrorMessage(
        status="error",
        segment=4,
        correlation_id="c",
        error_id="ih6002",
        message="Message too large",
        link="https://docs.interhuman.ai/errors#ih6002",
    )
    older = parse({"status": "error", "segment": 4, "error": "Segment unreadable"})
    assert isinstance(older, ErrorMessage)
    assert (older.error_id, older.message, older.link) == (None, "Segment unreadable", None)
    with_id = parse({"status": "error", "error": "ih5002: the segment could not be decoded"})
    assert isinstance(with_id, ErrorMessage)
    assert (with_id.segment, with_id.error_id) == (None, "ih5002")


def test_older_servers_capitalise_and_omit() -> None:
    message = parse(
        {
            "status": "Result",
            "segment": 1,
            "signals": [
                {"type": " Hesitation", "start": 0, "end": 1},
                {"type": "Interest", "start": 1, "end": 2},
            ],
            "engagement_state": [{"start": 0, "end": 2, "state": "Disengaged"}],
        }
    )
    assert isinstance(message, ResultMessage)
    assert [(s.type, s.probability, s.rationale) for s in message.signals] == [
        ("hesitation", None, None),
        ("interest", None, None),
    ]
    assert message.engagement_state[0].state == "disengaged"
    medium = parse(
        {
            "status": "result",
            "segment": 1,
            "signals": [{"type": "x", "start": 0, "end": 1, "probability": "MEDIUM"}],
        }
    )
    assert isinstance(medium, ResultMessage) and medium.signals[0].probability == "medium"
    assert medium.signals[0].type == "x"  # an unknown type keeps its own name


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\x1aE\xdf\xa3", "binary frame from the server"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON is not an object"),
        ('{"segment": 1}', "unknown status None"),
        ('{"status": "queued", "segment": 1}', "unknown status 'queued'"),
        ('{"status": "processing"}', "invalid processing message: segment"),
        ('{"status": "result", "segment": 1, "engagement_state": [{"start": 0}]}', "invalid result message"),
        (
            '{"status": "result", "segment": 1, "signals": [{"type": "x", "start": 0, "end": 1, '
            '"probability": "certain"}]}',
            "invalid result message: signals.0.probability",
        ),
        (
            json.dumps(
                {"status": "result", "segment": 1, "conversation_quality": {"overall": {**CQ, "energy": 140}}}
            ),
            "invalid result message: conversation_quality.overall.energy",
        ),
    ],
)
def test_what_cannot_be_parsed_becomes_unparsed(frame: str | bytes, reason: str) -> None:
    message = parse_server_message(frame)
    assert isinstance(message, UnparsedMessage)
    assert message.reason.startswith(reason)
    assert len(message.preview) <= 200


def test_the_preview_is_short() -> None:
    message = parse_server_message("x" * 5000)
    assert isinstance(message, UnparsedMessage) and len(message.preview) == 200


# -- errors and close codes (§6) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error_id", "kind"),
    [
        ("ih1001", "internal"),
        ("ih1003", "no_capacity"),
        ("ih2001", "auth"),
        ("ih2002", "auth"),
        ("IH2003", "auth"),
        ("ih3001", "rate_limited"),
        ("ih3002", "rate_limited"),
        ("ih3003", "quota"),
        ("ih4007", "too_short"),
        ("ih5001", "bad_segment"),
        ("ih5002", "bad_segment"),
        ("ih5004", "bad_segment"),
        ("ih6002", "too_large"),
        ("ih6003", "session_limit"),
        ("ih6004", "session_limit"),
        ("ih9999", "unknown"),
        (None, "unknown"),
    ],
)
def test_error_ids_are_classified(error_id: str | None, kind: str) -> None:
    assert classify_error(error_id) == kind
    if kind != "unknown":
        assert ERROR_MEANINGS[error_id.lower()].endswith(".")  # type: ignore[union-attr]


def test_close_codes() -> None:
    assert classify_close(4003) == "auth"
    assert classify_close(1013) == "retry_slowly"
    assert [classify_close(code) for code in (1000, 1006, 1008, 1011, None)] == ["retry"] * 5


def test_quality_bands_and_meanings() -> None:
    assert [quality_band(v) for v in (0, 29.9, 30, 49.9, 50, 64.9, 65, 79.9, 80, 100)] == [
        "weak",
        "weak",
        "below average",
        "below average",
        "moderate",
        "moderate",
        "good",
        "good",
        "excellent",
        "excellent",
    ]
    assert len(SIGNAL_MEANINGS) == 12 and len(QUALITY_DIMENSIONS) == 5


# -- time base (§4) --------------------------------------------------------------------------------


def test_the_first_segment_reads_the_same_either_way() -> None:
    placement = SegmentPlacement(t0=2.0, duration_s=4.0, connection_offset_s=0.0)
    assert spans(to_session_time(result((0, 2), (2, 4)), placement)) == [(2.0, 4.0), (4.0, 6.0)]


def test_connection_time_of_a_later_segment() -> None:
    # Segment 2 of 4 s segments reports 4–8 s; it started at session time 6 s.
    placement = SegmentPlacement(t0=6.0, duration_s=4.0, connection_offset_s=4.0)
    assert spans(to_session_time(result((4, 6), (6, 8)), placement)) == [(6.0, 8.0), (8.0, 10.0)]


def test_segment_relative_times_of_a_later_segment() -> None:
    placement = SegmentPlacement(t0=6.0, duration_s=4.0, connection_offset_s=4.0)
    assert spans(to_session_time(result((0, 2), (2, 4)), placement)) == [(6.0, 8.0), (8.0, 10.0)]
    # A signal inside the segment, read segment-relative, too.
    assert spans(to_session_time(result((1, 2)), placement)) == [(7.0, 8.0)]


def test_a_skipped_segment_leaves_a_gap_in_session_time_only() -> None:
    # Sent: [0, 4) as server #1; [4, 8) skipped (stale); [8, 12) as server #2, 4 s into the connection.
    placement = SegmentPlacement(t0=8.0, duration_s=4.0, connection_offset_s=4.0)
    assert spans(to_session_time(result((4, 8)), placement)) == [(8.0, 12.0)]
    assert spans(to_session_time(result((0, 4)), placement)) == [(8.0, 12.0)]  # the older reading


def test_a_reconnection_starts_connection_time_again() -> None:
    # Connection 2's first segment starts at session time 20 s, its second at 24 s.
    first = SegmentPlacement(t0=20.0, duration_s=4.0, connection_offset_s=0.0)
    second = SegmentPlacement(t0=24.0, duration_s=4.0, connection_offset_s=4.0)
    assert spans(to_session_time(result((0, 4)), first)) == [(20.0, 24.0)]
    assert spans(to_session_time(result((4, 8)), second)) == [(24.0, 28.0)]
    assert spans(to_session_time(result((0, 4)), second)) == [(24.0, 28.0)]


def test_container_durations_a_little_longer_than_ours_still_read_as_connection_time() -> None:
    # After 12 segments the server's clock runs 0.3 s ahead of our sum of t1 - t0.
    placement = SegmentPlacement(t0=48.0, duration_s=4.0, connection_offset_s=48.0)
    assert spans(to_session_time(result((48.3, 52.3)), placement)) == [(48.3, 52.3)]


def test_a_server_that_counts_rejected_segments_is_understood_too() -> None:
    # Segment 2 was rejected; this server still counts its 4 s, so segment 3 reports 8–12 s.
    placement = SegmentPlacement(t0=8.0, duration_s=4.0, connection_offset_s=4.0, other_offsets_s=(8.0,))
    assert spans(to_session_time(result((8, 12)), placement)) == [(8.0, 12.0)]
    assert spans(to_session_time(result((4, 8)), placement)) == [(8.0, 12.0)]


def test_every_kind_of_window_moves_together() -> None:
    message = parse(
        {
            "status": "result",
            "segment": 2,
            "signals": [{"type": "stress", "start": 5, "end": 6, "probability": "low"}],
            "engagement_state": [{"start": 4, "end": 8, "state": "neutral"}],
            "conversation_quality": {"overall": CQ, "timeline": [{"start": 4, "end": 8, "values": CQ}]},
        }
    )
    assert isinstance(message, ResultMessage)
    moved = to_session_time(message, SegmentPlacement(t0=100.0, duration_s=4.0, connection_offset_s=4.0))
    assert (moved.signals[0].start, moved.signals[0].end) == (101.0, 102.0)
    assert moved.conversation_quality is not None
    assert (moved.conversation_quality.timeline[0].start, moved.conversation_quality.timeline[0].end) == (
        100.0,
        104.0,
    )
    assert moved.conversation_quality.overall == message.conversation_quality.overall  # type: ignore[union-attr]
