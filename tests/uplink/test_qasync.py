"""The uplink on the app's own loop: qasync's QEventLoop inside a QApplication."""

from __future__ import annotations

import pytest
from support.protocol_server import ProtocolServer
from support.uplink_helpers import KEY, EventLog

from app.model.events import ConnectionChanged, ResultReceived, SegmentCompleted
from app.runtime.event_loop import qt_event_loop
from app.uplink import Uplink, UplinkConfig
from capture.media import SessionClock


@pytest.mark.timeout(60)
def test_the_uplink_runs_on_a_qasync_loop(qapp, segments) -> None:
    log = EventLog()

    async def session() -> None:
        async with ProtocolServer(key=KEY) as server:
            uplink = Uplink(
                UplinkConfig(url=server.url, include=("conversation_quality_overall",)),
                credential=KEY,
                session_id="qasync-session",
                clock=SessionClock(),
                on_event=log,
            )
            uplink.start()
            for segment in segments(2):
                uplink.submit(segment)
            await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 2)
            await uplink.stop()

    with qt_event_loop(qapp) as loop:
        loop.run_until_complete(session())
    assert [r.index for r in log.of(ResultReceived)] == [0, 1]
    assert [e.state for e in log.of(ConnectionChanged)] == ["connecting", "connected", "closed"]
