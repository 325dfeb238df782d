"""A server that cannot be reached, in the live app: the reason is shown where the user looks (the
preview and the compact window) with Retry now, Use Local analysis and Stop now; Stop and Quit
while reconnecting are immediate; closing the window never leaves a process behind unseen.

The app streams to Interhuman's protocol on 127.0.0.1: a port nothing listens on (refused at
once), and real servers from `support.protocol_server` where one must come up or answer slowly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.desktop_helpers import LiveApp
from support.protocol_server import Script
from support.stream_helpers import ServerThread, free_port

from app.model.events import SegmentUnanswered, SessionSummary
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.model.wire_v0 import PATH_V0
from app.store.settings import Settings
from widgets.freshness import freshness

pytestmark = pytest.mark.timeout(120)

KEY = "ih_live_DeadServerTestKey42"


@pytest.fixture
def dead_port() -> int:
    return free_port()


@pytest.fixture
def settings(recordings: Path, dead_port: int, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Interhuman's protocol, at an address where nothing listens, with a key in the environment."""
    monkeypatch.setenv("INTERHUMAN_API_KEY", KEY)
    return Settings(
        backend="cloud",
        server_url=f"ws://127.0.0.1:{dead_port}{PATH_V0}",
        camera=SYNTHETIC_CAMERA_ID,
        segment_length_s=3.0,
        recording_folder=recordings,
        retention_days=0,
    )


@pytest.fixture
def servers() -> Iterator[list[ServerThread]]:
    started: list[ServerThread] = []
    yield started
    for server in started:
        server.stop()


@contextmanager
def quit_on_close(live: LiveApp) -> Iterator[None]:
    """What `app.desktop.launch` wires: closing the window asks the controller to wind up (for the
    scenario only: the fixture's own close at the end must not start another)."""

    closing: list[asyncio.Future[None]] = []

    def wind_up() -> None:
        closing.append(asyncio.ensure_future(live.controller.close()))

    live.window.window_closed.connect(wind_up)
    try:
        yield
    finally:
        live.window.window_closed.disconnect(wind_up)


async def until_card(live: LiveApp) -> None:
    card = live.window.preview.connection_card
    await live.until(lambda: card.isVisible(), 20, "the connection card over the preview")


def test_the_reason_is_shown_in_the_preview_and_the_compact_window_and_stop_is_immediate(
    live: LiveApp,
) -> None:
    window, controller = live.window, live.controller
    card = window.preview.connection_card

    async def scenario() -> None:
        session = await live.start_session()
        await until_card(live)
        assert card.title_label.text() == "Interhuman cannot be reached"
        assert card.reason_label.text() == "The connection was refused.", "the reason the log knows"
        assert card.retry_label.text().startswith("Trying again")
        assert card.retry_button.isVisible() and card.local_button.isVisible()
        assert card.stop_button.isVisible()
        cue = freshness(live.snapshots.latest, controller.status())
        assert cue.text.startswith("Not connected"), "not 'Waiting for first result'"

        window.set_compact(True)
        compact_card = window.compact.connection_card
        await live.until(lambda: compact_card.isVisible(), 5, "the card in the compact window")
        assert compact_card.reason_label.text() == "The connection was refused."
        assert window.compact.rect().contains(compact_card.geometry())
        window.set_compact(False)

        # A segment waits to be delivered: with the server down there is still nothing to drain.
        await live.until(lambda: session.timeline.counts.closed >= 1, 20, "a segment to close")
        pressed = time.monotonic()
        window.start_stop_action.trigger()
        await live.until(lambda: controller.state == "idle", 5, "the stop")
        assert time.monotonic() - pressed < 3.0, "Stop while reconnecting waits for nothing"

    live.run(scenario, timeout_s=90)
    assert not card.isVisible()
    problem = window.problem_banner.problem
    assert problem is not None
    assert problem.message == (
        "Cannot stream to the analysis server (the connection was refused). "
        "Check the address and your network, then start again."
    )
    assert not window.problem_banner.isHidden()
    assert "(the connection was refused)" in window.problem_banner.label.text()


def test_retry_now_connects_at_once_when_the_server_is_back(
    live: LiveApp, qtbot: QtBot, dead_port: int, servers: list[ServerThread]
) -> None:
    card = live.window.preview.connection_card

    async def scenario() -> None:
        session = await live.start_session()
        await until_card(live)
        # Wait for a pause long enough that its end could not be mistaken for the retry.
        await live.until(
            lambda: card.trouble is not None and (card.trouble.retry_in_s or 0.0) >= 2.0,
            40,
            "a reconnection pause of 2 s or more",
        )
        servers.append(ServerThread(Script(segment_s=3.0), port=dead_port).start())
        pressed = time.monotonic()
        qtbot.mouseClick(card.retry_button, Qt.MouseButton.LeftButton)
        await live.until(
            lambda: (c := live.snapshots.latest) is not None and c.connection is not None
            and c.connection.state == "connected",
            5,
            "the connection",
        )  # fmt: skip
        assert time.monotonic() - pressed < 1.5, "connected before the pause would have ended"
        await live.until(lambda: not card.isVisible(), 2, "the card to go")
        await live.until(lambda: session.timeline.counts.completed >= 1, 30, "a result")
        await live.stop_session()

    live.run(scenario, timeout_s=100)


def test_use_local_analysis_starts_again_on_this_computer(live: LiveApp, qtbot: QtBot) -> None:
    controller = live.controller
    card = live.window.preview.connection_card

    async def scenario() -> None:
        first = await live.start_session()
        await until_card(live)
        qtbot.mouseClick(card.local_button, Qt.MouseButton.LeftButton)
        await live.until(
            lambda: controller.state == "running" and controller.session is not first,
            20,
            "the session to start again",
        )
        assert controller.session is not None and controller.session.config.backend == "local"
        assert live.window.status_bar.backend_label.text() == "Local analysis"
        await live.until_completed(1)
        assert not card.isVisible()
        await live.stop_session()

    live.run(scenario, timeout_s=100)


def test_quit_while_reconnecting_is_immediate(live: LiveApp) -> None:
    window, controller = live.window, live.controller

    async def scenario() -> None:
        await live.start_session()
        await until_card(live)
        closed_at = time.monotonic()
        window.close()
        assert window.isVisible(), "the window stays until its session has stopped"
        await live.until(controller.closed.is_set, 5, "the app to be ready to quit")
        assert time.monotonic() - closed_at < 3.0

    with quit_on_close(live):
        live.run(scenario, timeout_s=60)
    assert controller.state == "idle"


def test_closing_twice_while_finishing_stops_at_once(live: LiveApp, servers: list[ServerThread]) -> None:
    """Answers that take 30 s: the first close waits for them with the window in sight, saying so;
    the second does not wait."""
    window, controller = live.window, live.controller
    server = ServerThread(Script(segment_s=3.0, delay_s=30.0)).start()
    servers.append(server)
    controller.settings = controller.settings.model_copy(update={"server_url": server.url})

    async def scenario() -> None:
        session = await live.start_session()
        await live.until(lambda: session.timeline.counts.sent >= 1, 20, "a segment sent")
        window.close()
        await live.until(lambda: controller.state == "stopping", 5, "the stop to begin")
        await asyncio.sleep(1.0)
        assert controller.state == "stopping", "waiting for the answers, as it should"
        assert window.isVisible() and window.start_stop_action.text() == "Stop now"
        window.close()
        again = time.monotonic()
        await live.until(controller.closed.is_set, 5, "the stop at once")
        assert time.monotonic() - again < 3.0
        events = live.events(SegmentUnanswered)
        assert events, "what was sent and not answered says so"
        (summary,) = live.events(SessionSummary)
        assert summary.unanswered >= 1 and summary.errored == 0

    with quit_on_close(live):
        live.run(scenario, timeout_s=90)
