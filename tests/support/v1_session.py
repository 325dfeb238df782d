"""A whole session on v1/v2, in-process: the real controller with the synthetic source in real time,
its encoder's continuous stream going to a server on 127.0.0.1; every event collected."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from app.model.events import SessionEvent, SessionSummary
from app.model.server_url import ApiVersion
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.model.versions import LibraryVersions
from app.session.config import SessionConfig
from app.session.controller import SessionController
from app.store.keystore import Credential

E = TypeVar("E")
SMALL = CaptureFormat(320, 240, 30.0)
VERSIONS = LibraryVersions(
    python="3.11", pyside6="-", qt="-", pyav="-", ffmpeg="-", opencv="-", websockets="-"
)


@dataclass
class V1Run:
    session: SessionController
    events: list[SessionEvent] = field(default_factory=list)
    summary: SessionSummary | None = None

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]


def v1_config(
    url: str,
    record_root: Path,
    *,
    duration_s: float = 5.0,
    api: ApiVersion | None = "v1",
    connect_attempts: int | None = 4,
    include: tuple[str, ...] = ("conversation_quality_overall", "conversation_quality_timeline"),
    goal_dimensions: tuple[str, ...] = (),
    capture: CaptureFormat = SMALL,
) -> SessionConfig:
    return SessionConfig(
        source=SourceSpec("synthetic"),
        microphone=MicSpec(None),
        capture=capture,
        duration_s=duration_s,
        url=url,
        api=api,
        include=include,
        goal_dimensions=goal_dimensions,
        record_root=record_root,
        connect_attempts=connect_attempts,
    )


async def until(predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout_s:g} s"
        await asyncio.sleep(0.02)


async def run_session(
    url: str,
    record_root: Path,
    *,
    duration_s: float = 5.0,
    api: ApiVersion | None = "v1",
    key: str | None = "ih_live_v1_session_test_key",
    connect_attempts: int | None = 4,
    include: tuple[str, ...] = ("conversation_quality_overall", "conversation_quality_timeline"),
    goal_dimensions: tuple[str, ...] = (),
    timeout_s: float = 60.0,
    capture: CaptureFormat = SMALL,
) -> V1Run:
    config = v1_config(
        url,
        record_root,
        duration_s=duration_s,
        api=api,
        connect_attempts=connect_attempts,
        include=include,
        goal_dimensions=goal_dimensions,
        capture=capture,
    )
    credential = None if key is None else Credential(key, "environment")
    session = SessionController(config, credential=credential, versions=VERSIONS)
    run = V1Run(session)
    session.add_listener(run.events.append)
    await session.start()
    await asyncio.wait_for(session.ended.wait(), timeout_s)
    run.summary = await session.stop()
    return run
