"""`interhuman-live --self-test`: proves an installation works, end to end, without a screen.

The synthetic source goes through the real encoder to the embedded local analyzer and back;
a result must arrive and a recorded segment must decode. It prints the versions of what the
app is built on, one line of verdict, and exits 0 only if everything held.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from app.cli.exit_codes import EXIT_FAILED, EXIT_OK

SELF_TEST_MEDIA_S = 7.0
"""Two 3-second segments and a short tail: enough to exercise segment boundaries."""


def versions_line() -> str:
    import cv2  # noqa: F401  (loaded first, so the line names the OpenCV that actually loads)

    from app import __version__
    from app.runtime.versions import library_versions

    versions = {"interhuman-live": __version__, **library_versions().labelled()}
    return "  ".join(f"{name} {version}" for name, version in versions.items())


def run(_args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from app.runtime.event_loop import qt_event_loop

    print(versions_line())
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    started = time.monotonic()
    with qt_event_loop(app) as loop, tempfile.TemporaryDirectory(prefix="interhuman-self-test-") as folder:
        problem, facts = loop.run_until_complete(_exercise(Path(folder)))
    elapsed = time.monotonic() - started
    if problem:
        print(f"self-test FAILED after {elapsed:.1f} s: {problem}")
        return EXIT_FAILED
    print(f"self-test OK in {elapsed:.1f} s: {facts}")
    return EXIT_OK


async def _exercise(folder: Path) -> tuple[str | None, str]:
    from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
    from app.runtime.versions import library_versions
    from app.session.config import LOCAL, SessionConfig
    from app.session.controller import SessionController

    config = SessionConfig(
        source=SourceSpec("synthetic"),
        microphone=MicSpec(None, enabled=False),
        capture=CaptureFormat(320, 240, 30.0),
        segment_s=3.0,
        realtime=False,
        duration_s=SELF_TEST_MEDIA_S,
        url=LOCAL,
        record_dir=folder,
        local_only=True,  # the self-test never needs another computer, --local-only or not
    )
    session = SessionController(config, credential=None, versions=library_versions())
    try:
        await session.start()
        await asyncio.wait_for(session.ended.wait(), timeout=60)
    except Exception as error:  # the verdict must name any failure rather than die with a traceback
        await session.stop()
        return f"{type(error).__name__}: {error}", ""
    summary = await session.stop()
    if summary.completed < 1 or not session.timeline.results:
        return f"no result came back ({summary.model_dump(exclude={'wall', 't'})})", ""
    segment = folder / "segments" / "000000.webm"
    try:
        frames = _decode(segment)
    except Exception as error:
        return f"the recorded segment does not decode: {type(error).__name__}: {error}", ""
    state = session.timeline.snapshot(session.clock.now()).engagement
    return None, (
        f"{summary.closed} segments encoded, {summary.completed} analysed "
        f"(engagement {state.state if state else 'unknown'}), segment 0 decodes to {frames} frames"
    )


def _decode(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))
