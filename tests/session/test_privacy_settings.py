"""What a session keeps and where it may connect: recording off keeps the events and no picture
or sound; local-only refuses any server that is not this computer before capturing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.model.events import ResultReceived, SegmentClosed, parse_event
from app.model.server_url import CLOUD_URL
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.runtime.versions import library_versions
from app.session.config import LOCAL, SessionConfig
from app.session.controller import BackendUnavailable, SessionController

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]


def synthetic(folder: Path, **changes: object) -> SessionConfig:
    values: dict[str, object] = {
        "source": SourceSpec("synthetic"),
        "microphone": MicSpec(None, enabled=False),
        "capture": CaptureFormat(320, 240, 30.0),
        "segment_s": 3.0,
        "realtime": False,
        "duration_s": 6.5,
        "url": LOCAL,
        "record_dir": folder,
    }
    values.update(changes)
    return SessionConfig(**values)  # type: ignore[arg-type]


async def test_with_recording_off_only_the_events_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "session"
    session = SessionController(
        synthetic(folder, record_media=False), credential=None, versions=library_versions()
    )
    await session.start()
    await session.ended.wait()
    summary = await session.stop()
    assert summary.closed == 2 and summary.completed == 2
    assert list((folder / "segments").iterdir()) == [], "no picture or sound on disk"
    events = [parse_event(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert sum(isinstance(e, SegmentClosed) for e in events) == 2
    assert sum(isinstance(e, ResultReceived) for e in events) == 2


async def test_local_only_refuses_another_server_before_capturing_anything(tmp_path: Path) -> None:
    folder = tmp_path / "session"
    config = synthetic(folder, url=CLOUD_URL, local_only=True, record_dir=None, record_root=tmp_path / "all")
    session = SessionController(config, credential=None, versions=library_versions())
    with pytest.raises(BackendUnavailable) as refused:
        await session.start()
    assert str(refused.value) == (
        "Local-only mode is on, so the app connects to no other computer: api.interhuman.ai is not this "
        "computer. Use Local analysis, or turn local-only mode off."
    )
    assert session.recording_folder is None and not (tmp_path / "all").exists(), "nothing was recorded"
