"""The app's default: Local analysis on v1. The window shows v1 results, how far behind live they
are, the feedback on the chosen goals, and the stream's counts; closing it drains the stream."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.desktop_helpers import LiveApp

from app.desktop.controller import DesktopController
from app.model.consent import notice_key
from app.model.events import (
    ChunkSent,
    DeliveryMeasured,
    EngagementChanged,
    MessageUnparsed,
    ServerMessageReceived,
    SessionEvent,
    parse_event,
    wall_now,
)
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.session.config import LOCAL
from app.store.keystore import KeyStore
from app.store.settings import Settings, save_settings
from widgets.freshness import cue_lag_text

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def settings(recordings: Path) -> Settings:
    """The defaults but for the synthetic source and where recordings go: v1 to Local analysis."""
    return Settings(
        backend="local",
        camera=SYNTHETIC_CAMERA_ID,
        recording_folder=recordings,
        retention_days=0,
        goal_dimensions=("energy", "rapport"),
    )


def test_the_default_session_is_v1_and_the_window_shows_its_results_lag_and_feedback(live: LiveApp) -> None:
    window = live.window

    async def scenario() -> None:
        session = await live.start_session()
        assert session.config.api == "v1" and session.config.goal_dimensions == ("energy", "rapport")
        await live.until(
            lambda: (s := live.snapshots.latest) is not None and s.engagement is not None,
            20,
            "an engagement state from the v1 stream",
        )
        await live.until(lambda: window.feedback_panel.isVisible(), 30, "feedback on the goals")
        snapshot = live.snapshots.latest
        assert snapshot is not None and snapshot.cue_lag_s is not None
        assert snapshot.cue_lag_s < 5.0
        lag = cue_lag_text(snapshot, live.controller.status())
        assert lag is not None and lag.startswith("feedback covers up to ")
        assert window.status_bar.segments_label.text().startswith("Stream ")
        assert window.status_bar.latency_label.text().startswith("Behind live ")
        assert any(word in window.feedback_panel.text.text() for word in ("Energy", "Rapport"))
        await live.stop_session()

    live.run(scenario, timeout_s=90)
    assert live.events(EngagementChanged) and live.events(ChunkSent)


def test_local_analysis_on_v1_fills_the_delivery_panel_and_the_recording_keeps_the_figures(
    live: LiveApp,
) -> None:
    window = live.window

    async def scenario() -> None:
        session = await live.start_session()
        assert session.config.api == "v1" and session.config.backend == "local"
        await live.until(
            lambda: (s := live.snapshots.latest) is not None and s.delivery is not None,
            30,
            "delivery figures from the v1 stream",
        )
        assert not window.delivery_panel.empty_label.isVisible()
        # The synthetic source's cartoon face is found, and its tone is no speech.
        assert window.delivery_panel.value_text("Eye contact").endswith("%")
        assert window.delivery_panel.value_text("Pace").startswith("too little speech · speaking ")
        await live.stop_session()

    live.run(scenario, timeout_s=90)
    recorded = live.events(DeliveryMeasured)
    assert recorded and all(0.0 <= e.delivery.start < e.delivery.end for e in recorded)
    assert not [e for e in live.events(MessageUnparsed)], "our client knows the extension"


def test_the_version_options_of_the_app_reach_the_session(live: LiveApp) -> None:
    controller: DesktopController = live.controller
    controller.api_choice = "v0"
    assert controller.session_config().api == "v0"
    assert controller.session_config().goal_dimensions == (), "v0 gives no feedback text"
    controller.api_choice, controller.model_choice = "v2", "inter-2-audio"
    config = controller.session_config()
    assert (config.api, config.model) == ("v2", "inter-2-audio")
    assert KeyStore().credential() is None and config.backend == "local"


def test_closing_the_window_drains_the_v1_stream_before_the_app_quits(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    save_settings(
        Settings(
            backend="local",
            camera=SYNTHETIC_CAMERA_ID,
            recording_folder=recordings,
            retention_days=0,
            consents={notice_key("local", LOCAL, screen=False): wall_now()},  # agreed to before
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "app", "--source", "synthetic", "--local", "--start", "--quit-after", "6"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (folder,) = recordings.iterdir()
    events: list[SessionEvent] = [
        parse_event(line) for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    kinds = [e.message["type"] for e in events if isinstance(e, ServerMessageReceived)]
    assert kinds[0] == "session.ready" and kinds[-1] == "session.ended"
    assert kinds.index("session.closing") < len(kinds) - 1, "the close request was answered, then the drain"
    chunks = [e for e in events if isinstance(e, ChunkSent)]
    assert chunks and chunks[-1].t1 > 5.0, "the last stretch went out before the app quit"
    assert events[-1].kind == "summary"
