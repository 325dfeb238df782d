"""The v1/v2 wire models: every envelope of PROTOCOL-V1.md §4 parsed typed, what cannot be read
kept apart without ever raising, and the client's two text frames built and read back. The SDK
itself reads what `envelope_json` builds (the local analyzer sends exactly that)."""

from __future__ import annotations

import json

import pytest
from interhumanai.stream import parse_stream_event

from app.model.wire_v0 import QualityScores, UnparsedMessage
from app.model.wire_v1 import (
    CloseRequest,
    ConfigFrame,
    CoverageDropped,
    EngagementUpdated,
    Envelope,
    ErrorData,
    QualityUpdated,
    SessionReady,
    SignalDetected,
    SignalEnded,
    UnknownEnvelope,
    close_request,
    envelope_json,
    parse_client_frame,
    parse_envelope,
    session_config,
)

CQ = {"quality_index": 60, "clarity": 55, "authority": 60, "energy": 65, "rapport": 70, "learning": 50}

SAMPLES: dict[str, dict[str, object]] = {
    "session.ready": {
        "session_idle_timeout_seconds": 60,
        "session_max_duration_seconds": 3600,
        "max_segment_duration_seconds": None,
        "min_segment_size_bytes": 1,
        "max_segment_size_bytes": 33554432,
        "supported_session_config_options": {
            "include": ["conversation_quality_overall"],
            "goal_dimensions": ["clarity"],
            "model": None,
        },
    },
    "session.updated": {"include": [], "goal_dimensions": None, "model": "inter-2"},
    "session.closing": {"max_drain_seconds": 30},
    "session.ended": {"reason": "client_shutdown"},
    "signal.detected": {"signal_type": "Interest", "start": 1.5, "probability": "HIGH", "modality": ["v"]},
    "signal.updated": {"signal_type": "interest", "start": 1.5, "probability": "low", "rationale": "r"},
    "signal.ended": {"signal_type": "interest", "end": 4.0},
    "engagement.updated": {"state": "Engaged", "start": 0.0},
    "conversation_quality.updated": {"overall": CQ, "timeline": [{"start": 0, "end": 3, "values": CQ}]},
    "feedback.generated": {"feedback": "Pause less between sentences."},
    "coverage.dropped": {"ranges": [{"start": 3.0, "end": 5.0}]},
    "coverage.degraded": {"ranges": [{"start": 6.0, "end": 7.0}], "reason": "video_gap"},
    "error": {"code": "IH6002", "message": "too large", "link": None, "segment": 4},
}


def frame(kind: str, data: object, **extra: object) -> str:
    body = {"type": kind, "timestamp": "2026-01-02T03:04:05.678Z", "correlation_id": "c-1", "data": data}
    return json.dumps({**body, **extra})


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_envelope_type_parses_typed(kind: str) -> None:
    parsed = parse_envelope(frame(kind, SAMPLES[kind], future_field=1))
    assert isinstance(parsed, Envelope), parsed
    assert parsed.type == kind and parsed.correlation_id == "c-1"
    assert parsed.timestamp == "2026-01-02T03:04:05.678Z"


def test_fields_are_normalised_and_typed() -> None:
    detected = parse_envelope(frame("signal.detected", SAMPLES["signal.detected"]))
    assert isinstance(detected, Envelope) and isinstance(detected.data, SignalDetected)
    assert (detected.data.signal_type, detected.data.probability) == ("interest", "high")
    assert detected.data.modality == ["v"]
    engagement = parse_envelope(frame("engagement.updated", SAMPLES["engagement.updated"]))
    assert isinstance(engagement, Envelope) and isinstance(engagement.data, EngagementUpdated)
    assert engagement.data.state == "engaged"
    error = parse_envelope(frame("error", SAMPLES["error"]))
    assert isinstance(error, Envelope) and isinstance(error.data, ErrorData)
    assert (error.data.code, error.data.segment) == ("ih6002", 4)
    ready = parse_envelope(frame("session.ready", SAMPLES["session.ready"]))
    assert isinstance(ready, Envelope) and isinstance(ready.data, SessionReady)
    assert ready.data.max_segment_size_bytes == 32 * 1024 * 1024
    assert ready.data.supported_session_config_options.model is None
    quality = parse_envelope(frame("conversation_quality.updated", SAMPLES["conversation_quality.updated"]))
    assert isinstance(quality, Envelope) and isinstance(quality.data, QualityUpdated)
    assert quality.data.overall == QualityScores(**CQ)  # type: ignore[arg-type]
    dropped = parse_envelope(frame("coverage.dropped", SAMPLES["coverage.dropped"]))
    assert isinstance(dropped, Envelope) and isinstance(dropped.data, CoverageDropped)
    assert [(r.start, r.end) for r in dropped.data.ranges] == [(3.0, 5.0)]


def test_an_unknown_type_is_kept_whole_and_never_fatal() -> None:
    parsed = parse_envelope(frame("speaker.changed", {"speaker": 2}))
    assert isinstance(parsed, UnknownEnvelope)
    assert parsed.type == "speaker.changed" and parsed.raw["data"] == {"speaker": 2}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x00\x01", "binary frame"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not an object"),
        ('{"data": {}}', "without a string 'type'"),
        ('{"type": 7}', "without a string 'type'"),
        (frame("signal.ended", {"signal_type": "interest"}), "invalid signal.ended envelope: end"),
        (frame("engagement.updated", {"state": "asleep", "start": 0}), "invalid engagement.updated"),
        (frame("session.ready", "not an object"), "invalid session.ready"),
    ],
)
def test_what_cannot_be_read_is_unparsed_with_a_reason(raw: str | bytes, reason: str) -> None:
    parsed = parse_envelope(raw)
    assert isinstance(parsed, UnparsedMessage)
    assert reason in parsed.reason
    assert len(parsed.preview) <= 200


def test_parsing_never_raises_on_odd_input() -> None:
    odd = ['{"type": "error", "data": null}', '{"type": "error"}', "null", '""', "1e999", "{" * 5000]
    odd += [frame(kind, {"x": [1] * 3}) for kind in SAMPLES]
    for raw in odd:
        assert isinstance(parse_envelope(raw), Envelope | UnknownEnvelope | UnparsedMessage)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_the_sdk_reads_the_envelopes_we_build(kind: str) -> None:
    parsed = parse_envelope(frame(kind, SAMPLES[kind]))
    assert isinstance(parsed, Envelope)
    built = envelope_json(parsed.type, parsed.data, "c-2")
    event = parse_stream_event(json.loads(built))
    assert type(event).__name__ != "UnknownEvent"
    assert event.correlation_id == "c-2"  # type: ignore[union-attr]
    again = parse_envelope(built)
    assert isinstance(again, Envelope) and again.data == parsed.data


def test_an_envelope_carries_only_its_own_data() -> None:
    with pytest.raises(TypeError):
        envelope_json("signal.ended", SignalDetected(signal_type="interest", start=0.0), "c")
    ended = json.loads(envelope_json("signal.ended", SignalEnded(signal_type="stress", end=2.5), "c"))
    assert ended["data"] == {"signal_type": "stress", "end": 2.5}
    assert ended["timestamp"].endswith("Z")


def test_the_client_frames_are_built_and_read_back() -> None:
    assert json.loads(close_request()) == {"type": "session.close"}
    assert isinstance(parse_client_frame(close_request()), CloseRequest)
    config = session_config(include=["conversation_quality_overall"], goal_dimensions=["clarity", "rapport"])
    assert json.loads(config) == {
        "include": ["conversation_quality_overall"],
        "goal_dimensions": ["clarity", "rapport"],
    }
    read = parse_client_frame(config)
    assert isinstance(read, ConfigFrame) and read.goal_dimensions == ["clarity", "rapport"]
    assert json.loads(session_config(model="inter-2-audio")) == {"model": "inter-2-audio"}
    assert json.loads(session_config()) == {}
    for bad in ({"include": ["everything"]}, {"goal_dimensions": ["charm"]}, {"model": "inter-9"}):
        with pytest.raises(ValueError):
            session_config(**bad)  # type: ignore[arg-type]
    assert isinstance(parse_client_frame('{"type": "session.open"}'), UnparsedMessage)
    assert isinstance(parse_client_frame('{"include": "all"}'), UnparsedMessage)
    assert isinstance(parse_client_frame("[]"), UnparsedMessage)
