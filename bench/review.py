"""After the session: the library, the review window and the HTML report on a 30-minute session.

A real minute of the synthetic source is recorded through Local analysis (`stream --fast`, 640x480,
4 s segments); a 30-minute session folder is made from it by repeating its segments (hard links)
and its events, shifted a minute at a time, so every file is what a recording holds. Then:
- the library lists 200 such sessions (their folders hard-linked): budget < 1 s on the first, cold
  listing, where each session is listed from the figures its recorder wrote into `session.json`;
  printed beside it: the listing with its cache warm, and the cold listing of 200 folders recorded
  by an earlier version (no figures: every session's events replayed);
- the review window is ready to play (folder read, timeline drawn, media loaded in QMediaPlayer)
  < 2 s once the recording is joined; the first join is printed separately;
- the HTML report is written < 2 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SESSION_MINUTES = 30
RECORDED_S = 60.0
LISTED = 200
BUDGET_LIST_S = 1.0
BUDGET_REVIEW_S = 2.0
BUDGET_REPORT_S = 2.0
REPO = Path(__file__).resolve().parent.parent


def record_minute(folder: Path, home: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERHUMAN")}
    env.update(
        {f"XDG_{name.upper()}_HOME": str(home / name) for name in ("data", "cache", "config", "state")}
    )
    env.update(
        HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", QT_QPA_PLATFORM="offscreen"
    )
    command = [sys.executable, "-m", "app", "stream", "--source", "synthetic", "--local", "--fast"]
    command += ["--duration", str(RECORDED_S), "--include", "conversation_quality_overall"]
    command += ["--include", "conversation_quality_timeline", "--record-dir", str(folder), "-q"]
    subprocess.run(command, cwd=REPO, env=env, check=True, timeout=600)
    return folder


def _shift_windows(items: list[dict[str, Any]], offset: float) -> None:
    for item in items:
        item["start"] += offset
        item["end"] += offset


def _shifted(event: dict[str, Any], offset: float, index_offset: int) -> dict[str, Any]:
    event = json.loads(json.dumps(event))
    event["t"] += offset
    if "index" in event and isinstance(event["index"], int):
        event["index"] += index_offset
    if "t0" in event:
        event["t0"] += offset
        event["t1"] += offset
    if event["kind"] == "result":
        _shift_windows(event["engagement"], offset)
        _shift_windows(event["signals"], offset)
        if event.get("quality"):
            _shift_windows(event["quality"]["timeline"], offset)
    return event


def make_long_session(minute: Path, target: Path) -> Path:
    """`SESSION_MINUTES` of session from one recorded minute."""
    lines = [json.loads(line) for line in (minute / "events.jsonl").read_text().splitlines() if line.strip()]
    body = [e for e in lines if e["kind"] not in ("summary", "connection")]
    segments = sorted((minute / "segments").glob("*.webm"))
    per_block = len(segments)
    span = max(e["t1"] for e in lines if e["kind"] == "segment_closed")
    (target / "segments").mkdir(parents=True)
    out = [e for e in lines if e["kind"] == "connection" and e["state"] == "connected"]
    for block in range(round(SESSION_MINUTES * 60 / span)):
        out += [_shifted(e, block * span, block * per_block) for e in body]
        for number, segment in enumerate(segments):
            os.link(segment, target / "segments" / f"{block * per_block + number:06d}.webm")
    (target / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in out))
    manifest = json.loads((minute / "session.json").read_text())
    manifest["listing"] = _figures(target)
    (target / "session.json").write_text(json.dumps(manifest))
    return target


def _figures(folder: Path) -> dict[str, Any]:
    """What the recorder writes into `session.json` when a session of these events stops."""
    from app.model.library import listing_figures
    from app.model.session_review import review_session
    from app.session.recording_folder import read_events

    return listing_figures(review_session(read_events(folder).events)).model_dump(mode="json")


def _library(root: Path, long_session: Path, manifest: Path) -> Path:
    root.mkdir()
    for number in range(LISTED):
        copy = root / f"20261201-{number:06d}-bench{number:03d}"
        copy.mkdir()
        os.link(manifest, copy / "session.json")
        os.link(long_session / "events.jsonl", copy / "events.jsonl")
        (copy / "segments").symlink_to(long_session / "segments")
    return root


def _timed_listing(root: Path, cache: Path) -> float:
    from app.review.listing import ListingCache, list_sessions

    began = time.perf_counter()
    assert len(list_sessions(root, ListingCache.load(cache))) == LISTED
    return time.perf_counter() - began


def bench_listing(long_session: Path, work: Path) -> tuple[float, float, float]:
    """(cold, warm, cold for folders of an earlier version) in seconds."""
    root = _library(work / "library", long_session, long_session / "session.json")
    cold = _timed_listing(root, work / "library-cache.json")
    warm = _timed_listing(root, work / "library-cache.json")
    earlier = json.loads((long_session / "session.json").read_text())
    del earlier["listing"]
    (work / "earlier-session.json").write_text(json.dumps(earlier))
    old_root = _library(work / "earlier-library", long_session, work / "earlier-session.json")
    return cold, warm, _timed_listing(old_root, work / "earlier-cache.json")


def bench_review(long_session: Path) -> tuple[float, float]:
    from app.desktop.launch import application
    from app.desktop.review_controller import ReviewController
    from app.review.joined_recording import joined_recording
    from app.review.session_folder import open_session
    from app.runtime.event_loop import qt_event_loop

    began = time.perf_counter()
    joined = joined_recording(open_session(long_session))
    first_join = time.perf_counter() - began
    assert joined.built

    async def open_review() -> float:
        began = time.perf_counter()
        review = ReviewController(long_session)
        review.open()
        await asyncio.wait_for(review.ready.wait(), 60)
        ready = time.perf_counter() - began
        assert review.joined is not None and not review.joined.built and review.player.duration() > 0
        review.close()
        await asyncio.sleep(0.2)
        return ready

    app = application()
    with qt_event_loop(app) as loop:
        ready = loop.run_until_complete(open_review())
    return first_join, ready


def bench_report(long_session: Path, out: Path) -> float:
    from app.review.html_report import render_html
    from app.review.report_files import session_report, write_text
    from app.review.session_folder import open_session

    began = time.perf_counter()
    write_text(out, render_html(session_report(open_session(long_session))))
    return time.perf_counter() - began


def verdict(seconds: float, budget: float) -> str:
    return f"{seconds:.2f} s (budget < {budget:g} s: {'ok' if seconds < budget else 'OVER'})"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="interhuman-bench-review-") as folder:
        work = Path(folder)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        minute = record_minute(work / "minute", work / "home")
        long_session = make_long_session(minute, work / "20261201-100000-long")
        segments = len(list((long_session / "segments").glob("*.webm")))
        events_mb = (long_session / "events.jsonl").stat().st_size / 1e6
        print(f"session: {SESSION_MINUTES} min, {segments} segments, events.jsonl {events_mb:.1f} MB")
        cold, warm, earlier = bench_listing(long_session, work)
        print(
            f"library, {LISTED} sessions, first listing: {verdict(cold, BUDGET_LIST_S)}; "
            f"cache warm {warm:.2f} s; {LISTED} folders of an earlier version {earlier:.2f} s"
        )
        first_join, ready = bench_review(long_session)
        print(
            f"review window ready to play: {verdict(ready, BUDGET_REVIEW_S)}; first join {first_join:.2f} s"
        )
        report = bench_report(long_session, work / "report.html")
        size_kb = (work / "report.html").stat().st_size / 1e3
        print(f"HTML report: {verdict(report, BUDGET_REPORT_S)} ({size_kb:.0f} kB)")


if __name__ == "__main__":
    main()
