"""`app.store.settings`: defaults, validation, the JSON round trip, and damaged files losing nothing."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import platformdirs
import pytest
from pydantic import ValidationError

from app.model.server_url import CLOUD_URL, server_url_problem
from app.store.settings import (
    DAMAGED_COPY,
    Settings,
    read_settings,
    save_settings,
    settings_path,
)


def test_defaults_when_there_is_no_file() -> None:
    settings, note = read_settings()
    assert note is None
    assert settings == Settings()
    assert settings.server_url == CLOUD_URL
    assert settings.backend == "cloud"
    assert settings.segment_length_s == 4.0
    assert settings.credential_in_subprotocol is False
    assert settings.include_flags == ("conversation_quality_overall", "conversation_quality_timeline")
    data_dir = Path(platformdirs.user_data_dir("interhuman-live", appauthor=False))
    assert settings.recording_folder == data_dir / "sessions"
    assert str(settings.recording_folder).startswith(os.environ["XDG_DATA_HOME"]), (
        "tests never touch the real home"
    )


def test_round_trip_through_the_platform_config_folder(tmp_path: Path) -> None:
    settings = Settings(
        backend="local",
        server_url="ws://127.0.0.1:8765/v0/stream/analyze",
        include_quality_overall=False,
        segment_length_s=3.0,
        resolution="1280x720",
        fps=15,
        codec="vp9",
        camera="2",
        microphone="USB Headset",
        recording_folder=tmp_path / "rec",
        retention_days=7,
        credential_in_subprotocol=True,
    )
    path = save_settings(settings)
    assert path == settings_path()
    assert path.parent == Path(os.environ["XDG_CONFIG_HOME"]) / "interhuman-live"
    assert read_settings()[0] == settings
    assert settings.frame_size == (1280, 720)
    assert settings.include_flags == ("conversation_quality_timeline",)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"], "no temporary file is left behind"


def test_a_corrupt_file_gives_defaults_a_warning_and_keeps_a_copy(caplog: pytest.LogCaptureFixture) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"backend": "local", "fps": 2', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.store.settings"):
        settings, note = read_settings()
    assert settings == Settings()
    assert note is not None and "damaged" in note and DAMAGED_COPY in note
    assert "not valid JSON" in caplog.text
    assert (path.parent / DAMAGED_COPY).read_text(encoding="utf-8") == '{"backend": "local", "fps": 2'


def test_invalid_values_fall_back_one_by_one_and_valid_ones_stay(caplog: pytest.LogCaptureFixture) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"backend": "local", "fps": 240, "segment_length_s": 2.0, "codec": "vp9", "future": 1}),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="app.store.settings"):
        settings, note = read_settings()
    assert settings.backend == "local" and settings.codec == "vp9"
    assert settings.fps == Settings().fps and settings.segment_length_s == Settings().segment_length_s
    assert note is not None and "fps" in note and "segment length s" in note
    assert "fps, segment_length_s" in caplog.text
    assert (path.parent / DAMAGED_COPY).is_file()


def test_a_file_that_is_not_an_object_gives_defaults() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("[1, 2, 3]", encoding="utf-8")
    assert read_settings()[0] == Settings()


def test_a_key_put_in_the_file_by_hand_is_ignored_and_never_written_back() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"api_key": "ih_live_secret_value_1", "backend": "local"}), encoding="utf-8")
    settings = read_settings()[0]
    assert not hasattr(settings, "api_key")
    save_settings(settings)
    assert "ih_live_secret_value_1" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("wss://api.interhuman.ai/v0/stream/analyze", None),
        ("ws://127.0.0.1:8765/v0/stream/analyze", None),
        ("ws://127.0.0.2:8765/v0/stream/analyze", None),
        ("ws://[::1]:8765/v0/stream/analyze", None),
        ("ws://localhost:8765/v0/stream/analyze", None),
        ("ws://api.interhuman.ai/v0/stream/analyze", "only to this computer"),
        ("ws://10.0.0.5/v0/stream/analyze", "only to this computer"),
        ("https://api.interhuman.ai/v0/stream/analyze", "must start with wss://"),
        ("api.interhuman.ai", "must start with wss://"),
        ("wss:///v0/stream/analyze", "no host name"),
        ("wss://api.interhuman.ai:99999/v0", "not a valid URL"),
    ],
)
def test_server_url_rules(url: str, problem: str | None) -> None:
    found = server_url_problem(url)
    if problem is None:
        assert found is None
        assert Settings(server_url=url).server_url == url
    else:
        assert found is not None and problem in found
        with pytest.raises(ValidationError, match=problem):
            Settings(server_url=url)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("segment_length_s", 2.9, "3 to 5 s"),
        ("segment_length_s", 5.5, "3 to 5 s"),
        ("fps", 14, "15 to 30"),
        ("fps", 31, "15 to 30"),
        ("camera", "front", "Choose a source from the list"),
        ("microphone", " ", "No microphone"),
        ("retention_days", -1, "forever"),
        ("recording_folder", "relative/folder", "full folder path"),
        ("recording_folder", "", "Choose a folder"),
    ],
)
def test_each_refused_value_says_why(field: str, value: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings.model_validate({field: value})


def test_accepted_edges_and_choices(tmp_path: Path) -> None:
    assert Settings(segment_length_s=3.0).segment_length_s == 3.0
    assert Settings(segment_length_s=5.0).segment_length_s == 5.0
    assert Settings(camera="synthetic").camera == "synthetic"
    assert Settings(camera=" 1 ").camera == "1"
    for source in ("file:/videos/talk.mp4", "screen:1", "window:Zoom Meeting", "region:0:640x360+10+20"):
        assert Settings(camera=source).camera == source, "every source the pickers offer is kept"
    assert Settings(recording_folder=str(tmp_path)).recording_folder == tmp_path
    assert Settings(retention_days=0).retention_days == 0
