"""The delivery figures travel in one extension field: `local_delivery` in each v0 `result`, placed
in connection time, read back by our wire model, and the same object in a v1 envelope per window."""

from __future__ import annotations

import pytest
from support import recordings as rec
from support.analyzer_helpers import exchange
from support.v1_helpers import delivery_over_v1, live_stream
from websockets.asyncio.client import connect

import bench.clips as seg
from app.analyzer.server import AnalyzerServer
from app.model.delivery import V0_FIELD, LocalDelivery
from app.model.wire_v0 import ResultMessage

pytestmark = pytest.mark.timeout(180)


def _speaking_segment(start_s: float) -> bytes:
    read = rec.librivox()[0].samples
    sound = rec.to_48k(read[round(start_s * rec.RATE) : round((start_s + 4.0) * rec.RATE)])
    return seg.encode_webm(4.0, seg.with_noise(seg.still_face), sound / float(abs(sound).max()) * 0.5)


@pytest.mark.asyncio
async def test_each_result_carries_the_delivery_figures_in_connection_time(analyzer: AnalyzerServer) -> None:
    segments = [_speaking_segment(0.0), _speaking_segment(3.0)]
    async with connect(analyzer.url) as websocket:
        answers = await exchange(websocket, *segments)
    for number, start in ((1, 0.0), (2, 4.0)):
        raw = answers.raw_result(number)[V0_FIELD]
        assert isinstance(raw, dict)
        delivery = LocalDelivery.model_validate(raw)
        assert (delivery.start, delivery.end) == (start, start + 4.0)
        assert delivery.face_visible >= 0.95
        assert delivery.eye_contact is not None and delivery.eye_contact >= 0.9
        assert delivery.speaking > 0.5 and delivery.pace_wpm is not None and 120 < delivery.pace_wpm < 260
        assert delivery.pitch_median_hz is not None and delivery.pitch_variety_st is not None
        assert (delivery.fillers is None) == (delivery.fillers_note is not None)
        # Our own client's wire model reads it; Interhuman's ignore it as an unknown field.
        assert answers.result(number).local_delivery == delivery


@pytest.mark.asyncio
async def test_each_v1_window_carries_the_delivery_figures_in_stream_time() -> None:
    read = rec.librivox()[0].samples[: 8 * rec.RATE]
    sound = rec.to_48k(read)
    chunks = live_stream(8.0, seg.with_noise(seg.still_face), sound / float(abs(sound).max()) * 0.5)
    answers, figures = await delivery_over_v1(chunks)
    assert len(figures) >= 4, answers.types()
    for delivery in figures:
        assert isinstance(delivery, LocalDelivery)  # our client's wire model reads the extension
        assert 0.0 <= delivery.start < delivery.end <= 8.5
        assert delivery.face_visible >= 0.95
        assert (delivery.fillers is None) == (delivery.fillers_note is not None)
    assert [d.end for d in figures] == sorted(d.end for d in figures), "one per window, in order"
    assert any(d.speaking > 0.5 and d.pace_wpm is not None for d in figures)


def test_a_result_from_the_interhuman_service_has_no_delivery_and_shifting_moves_it() -> None:
    plain = ResultMessage.model_validate({"status": "result", "segment": 1})
    assert plain.local_delivery is None
    delivery = LocalDelivery(start=0.0, end=4.0, face_visible=1.0, speaking=0.5)
    shifted = plain.model_copy(update={"local_delivery": delivery}).shifted(10.0)
    moved = shifted.local_delivery
    assert moved is not None and (moved.start, moved.end) == (10.0, 14.0)
