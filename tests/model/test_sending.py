"""The one sentence every window and the tray show about what is being sent."""

from __future__ import annotations

import pytest

from app.model.sending import LOCAL_TEXT, PAUSED_TEXT, SENDING_TEXT, sending_state
from app.model.timeline_snapshot import ConnectionNow
from app.model.view_state import PipelineStatus

RUNNING_CLOUD = PipelineStatus(backend="cloud", session_state="running")


def connection(state: str, retry_in_s: float | None = None) -> ConnectionNow:
    return ConnectionNow(state, 1, "corr", retry_in_s)  # type: ignore[arg-type]


def test_connected_to_the_cloud_is_sending() -> None:
    state = sending_state(RUNNING_CLOUD, connection("connected"))
    assert (state.kind, state.text) == ("sending", SENDING_TEXT)


def test_local_analysis_never_claims_to_send_whatever_the_connection_does() -> None:
    for conn in (None, connection("connected"), connection("reconnecting", 4.0)):
        state = sending_state(PipelineStatus(backend="local", session_state="running"), conn)
        assert (state.kind, state.text) == ("local", LOCAL_TEXT)


def test_paused_wins_over_everything_also_between_sessions() -> None:
    for status in (
        PipelineStatus(backend="cloud", session_state="running", paused=True),
        PipelineStatus(backend="local", session_state="idle", paused=True),
    ):
        state = sending_state(status, connection("connected"))
        assert (state.kind, state.text) == ("paused", PAUSED_TEXT)


@pytest.mark.parametrize(
    ("conn", "text"),
    [
        (connection("reconnecting", 4.2), "Not connected: reconnecting in 5 s"),
        (connection("reconnecting", 0.2), "Not connected: reconnecting in 1 s"),
        (connection("lost"), "Not connected: reconnecting…"),
        (connection("connecting"), "Not connected: connecting…"),
        (None, "Not connected: connecting…"),
        (connection("failed"), "Not connected: nothing is sent"),
        (connection("auth_rejected"), "Not connected: nothing is sent"),
    ],
)
def test_a_cloud_session_without_a_connection_says_so_with_the_countdown(
    conn: ConnectionNow | None, text: str
) -> None:
    state = sending_state(RUNNING_CLOUD, conn)
    assert (state.kind, state.text) == ("not_connected", text)
    short = text.removeprefix("Not connected: ")
    assert state.short == short[0].upper() + short[1:]


def test_no_session_with_the_cloud_chosen_sends_nothing() -> None:
    state = sending_state(PipelineStatus(backend="cloud", session_state="idle"), None)
    assert state.kind == "idle" and state.text == "Not sending (no session)"
