"""The handshake (PROTOCOL.md §2): what the client sends, refusals, the key kept out of everything."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from support.protocol_server import LINK, ProtocolServer, Script
from support.uplink_helpers import KEY

from app.model.events import ConnectionChanged, SegmentCompleted, SegmentSkipped, event_json
from app.uplink import AuthRejected, ConnectFailed, Uplink, UplinkConfig, probe
from capture.media import SessionClock

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

REFUSAL = {"status": "error", "error_id": "ih2001", "message": "Invalid API key", "link": f"{LINK}#ih2001"}


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


def assert_key_absent(*texts: str) -> None:
    for text in texts:
        assert KEY not in text
        assert KEY[8:] not in text  # not even the secret part of it


async def test_key_rides_the_subprotocol_when_asked(make_uplink, segments) -> None:
    async with ProtocolServer(key=KEY) as server:
        uplink, log = make_uplink(server.url, credential_in_subprotocol=True)
        uplink.submit(segments(1)[0])
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1)
    (connection,) = server.connections
    assert connection.subprotocol == KEY
    assert "Authorization" not in connection.headers


async def test_401_with_a_json_body_is_final_and_the_key_leaks_nowhere(make_uplink, segments, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with ProtocolServer(Script(reject=(401, REFUSAL))) as server:
        uplink, log = make_uplink(server.url)
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
        # Several backoff periods (at most 0.2 s each here) pass: a retry would show.
        await asyncio.sleep(0.6)
        uplink.submit(segments(1)[0])
        await uplink.stop()
    assert server.attempts == 1
    assert isinstance(failure, AuthRejected)
    assert (failure.status, failure.error_id, failure.link) == (401, "ih2001", f"{LINK}#ih2001")
    assert failure.message.startswith("Invalid API key. Enter a valid API key in Settings")
    assert uplink.failure is failure
    states = [e.state for e in log.of(ConnectionChanged)]
    assert states == ["connecting", "auth_rejected"]
    assert log.of(SegmentSkipped)[0].reason == "not_sent"
    assert_key_absent(
        str(failure),
        repr(failure.args),
        *(event_json(e) for e in log.events),
        *(record.getMessage() for record in caplog.records),
        *(str(record.args) for record in caplog.records),
    )
    # The websockets client logger was enabled at DEBUG and still wrote no handshake line.
    assert not [r for r in caplog.records if r.name.startswith("websockets.client") and r.levelno <= 10]


async def test_403_asks_for_the_stream_scope(make_uplink) -> None:
    body = {"status": "error", "error_id": "ih2003", "message": "Missing scope", "link": LINK}
    async with ProtocolServer(Script(reject=(403, body))) as server:
        uplink, _ = make_uplink(server.url)
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
    assert isinstance(failure, AuthRejected) and failure.status == 403
    assert "interhumanai.stream scope" in failure.message


async def test_a_wrong_key_meets_the_servers_own_check(make_uplink) -> None:
    async with ProtocolServer(key=KEY) as server:
        uplink, _ = make_uplink(server.url, credential="ih_live_not-the-right-one")
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
    assert isinstance(failure, AuthRejected) and failure.error_id == "ih2001"
    assert server.connections == []


async def test_an_unreachable_server_spends_the_budget_then_gives_up(make_uplink) -> None:
    uplink, log = make_uplink(f"ws://127.0.0.1:{free_port()}/v0/stream/analyze", connect_attempts=3)
    failure = await asyncio.wait_for(uplink.wait_failed(), 10)
    assert isinstance(failure, ConnectFailed)
    assert "connection was refused" in failure.message and "Check the address" in failure.message
    states = [(e.state, e.retry_in_s is not None) for e in log.of(ConnectionChanged)]
    assert states == [
        ("connecting", False),
        ("reconnecting", True),
        ("reconnecting", True),
        ("failed", False),
    ]
    assert uplink.stats().reconnects == 1  # one reconnecting episode, however many attempts


async def test_a_busy_server_is_retried_more_slowly(make_uplink, segments) -> None:
    busy = {"status": "error", "error_id": "ih3002", "message": "Too many streams"}
    async with ProtocolServer(Script(reject=(429, busy)), Script()) as server:
        uplink, log = make_uplink(server.url, backoff_initial_s=0.05, backoff_max_s=1.0)
        uplink.submit(segments(1)[0])
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1)
        await uplink.stop()
    (retry,) = [e for e in log.of(ConnectionChanged) if e.state == "reconnecting"]
    # Slow backoff: at least half of four times the initial cap.
    assert 0.1 <= retry.retry_in_s <= 0.2
    assert server.attempts == 2


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ws://192.0.2.10/v0/stream/analyze", "only to this computer"),
        ("https://api.interhuman.ai/v0/stream/analyze", "must start with wss://"),
        ("wss://user:pw@api.interhuman.ai/v0/stream/analyze", "user name and password"),
        ("wss:///v0/stream/analyze", "no host"),
    ],
)
async def test_unsafe_or_wrong_addresses_are_refused_up_front(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Uplink(UplinkConfig(url=url), credential=KEY, session_id="s", clock=SessionClock(), on_event=print)


async def test_a_key_with_a_line_break_is_refused_without_quoting_it() -> None:
    with pytest.raises(ValueError) as caught:
        Uplink(
            UplinkConfig(url="ws://127.0.0.1:9/v0/stream/analyze"),
            credential=KEY + "\r\nX-Evil: 1",
            session_id="s",
            clock=SessionClock(),
            on_event=print,
        )
    assert_key_absent(str(caught.value))


async def test_probe_reports_the_correlation_id() -> None:
    async with ProtocolServer(key=KEY) as server:
        result = await probe(server.url, KEY, include=("conversation_quality_overall",))
        rejected = await probe(server.url, "ih_live_wrong-key-123")
    assert result.ok and result.correlation_id == server.connections[0].correlation_id
    assert server.connections[0].flags == ["conversation_quality_overall"]
    assert server.connections[0].close_code == 1000
    assert not rejected.ok and rejected.error_id == "ih2001" and rejected.status == 401
    unreachable = await probe(f"ws://127.0.0.1:{free_port()}/v0/stream/analyze", KEY, timeout_s=2)
    assert not unreachable.ok and unreachable.message.startswith("Cannot connect: the connection was refused")
    unsafe = await probe("ws://192.0.2.10/v0/stream/analyze", KEY)
    assert not unsafe.ok and "ws://" in unsafe.message
