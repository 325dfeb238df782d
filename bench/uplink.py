"""How quickly the uplink puts a segment on the wire, and what it costs the loop's thread.

A real 4 s 640x480 VP8+Opus segment of about 600 KB (made by our own `SegmentEncoder` from the
synthetic test card) is submitted again and again to an `Uplink` streaming over loopback to the
local analyzer, which runs in a thread with its own event loop as it does in the app. One segment at a time,
as in a session (a segment every 4 s): each waits for the previous one's `completed`.

Printed: time from `submit` to the last byte handed to the kernel (`SegmentSent`, which the
uplink emits once `send` returns with an empty write buffer), p50/p95/max, and the CPU time the
loop's thread spends per segment (sending, reading the answers, making the events). Budget: p95
under 50 ms. The load average before and after shows how busy the shared machine was.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field, replace

from app.analyzer.embedded import EmbeddedAnalyzer
from app.model.events import SegmentCompleted, SegmentSent, ServerMessageReceived, SessionEvent
from app.uplink import Uplink, UplinkConfig
from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, SessionClock, VideoFrame
from capture.synthetic import CHUNK_SAMPLES, CardPainter, tone_samples

SEGMENTS = 40
WARM_UP = 3
TARGET_BYTES = 600_000
VIDEO_BITRATE_BPS = 1_220_000
"""With 64 kbps Opus this makes 4 s segments of about 600 KB of the card."""
BUDGET_P95_S = 0.050


def make_segment() -> Segment:
    """One real segment of the synthetic card, encoded by the app's own encoder."""
    made: list[Segment] = []
    config = EncoderConfig(video_bitrate_bps=VIDEO_BITRATE_BPS, block_when_full=True)
    encoder = SegmentEncoder(config, on_segment=made.append)
    encoder.start()
    painter = CardPainter(config.width, config.height, config.fps)
    seconds = config.segment_s + 0.2
    for n in range(round(seconds * config.fps)):
        encoder.video_frame(VideoFrame(painter.frame(n), n / config.fps))
    for first in range(0, round(seconds * AUDIO_RATE_HZ), CHUNK_SAMPLES):
        encoder.audio_chunk(AudioChunk(tone_samples(first, CHUNK_SAMPLES), first / AUDIO_RATE_HZ))
    encoder.stop()
    return made[0]


@dataclass
class Timings:
    written: list[float] = field(default_factory=list)
    """Seconds from submit to the last byte handed to the kernel (`SegmentSent`)."""
    received: list[float] = field(default_factory=list)
    """Seconds from submit to the server's `processing`: it had every byte and answered."""
    cpu_per_segment_s: float = 0.0


async def measure(url: str, key: str, template: Segment) -> Timings:
    clock = SessionClock()
    timings = Timings()
    submitted = 0.0
    completed = asyncio.Event()

    def on_event(event: SessionEvent) -> None:
        if isinstance(event, SegmentSent):
            timings.written.append(time.perf_counter() - submitted)
        elif isinstance(event, ServerMessageReceived) and _status(event.message) == "processing":
            timings.received.append(time.perf_counter() - submitted)
        elif isinstance(event, SegmentCompleted):
            completed.set()

    config = UplinkConfig(url=url)
    uplink = Uplink(config, credential=key, session_id="bench", clock=clock, on_event=on_event)
    uplink.start()
    cpu = 0.0
    for index in range(WARM_UP + SEGMENTS):
        if index == WARM_UP:
            cpu = time.thread_time()
            timings.written.clear()
            timings.received.clear()
        now = clock.now()
        segment = replace(template, index=index, t0=now - template.duration_s, t1=now)
        completed.clear()
        submitted = time.perf_counter()
        uplink.submit(segment)
        await asyncio.wait_for(completed.wait(), 30)
    timings.cpu_per_segment_s = (time.thread_time() - cpu) / SEGMENTS
    await uplink.stop()
    return timings


def _status(message: object) -> object:
    return message.get("status") if isinstance(message, dict) else None


def on_qasync(url: str, key: str, template: Segment) -> Timings:
    """`measure` on the app's own kind of loop: qasync's, inside a Qt application."""
    from PySide6.QtCore import QCoreApplication

    from app.runtime.event_loop import qt_event_loop

    app = QCoreApplication.instance() or QCoreApplication([])
    with qt_event_loop(app) as loop:
        return loop.run_until_complete(measure(url, key, template))


def report(what: str, seconds: list[float]) -> float:
    """Print p50, p95 and the maximum of `seconds` in milliseconds; returns the p95."""
    ordered = sorted(ms * 1000 for ms in seconds)
    p50, p95 = statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"  {what + ':':33s} p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, max {ordered[-1]:5.1f} ms")
    return p95


def main() -> None:
    load_before = os.getloadavg()
    segment = make_segment()
    print(
        f"segment: {segment.size_bytes / 1000:.0f} KB, {segment.duration_s:.2f} s, "
        f"{segment.video_frames} frames (target about {TARGET_BYTES / 1000:.0f} KB)"
    )
    key = "bench-key"
    analyzer = EmbeddedAnalyzer(key=key)
    url = analyzer.start()
    try:
        loops = {"asyncio": asyncio.run(measure(url, key, segment))}
        loops["qasync"] = on_qasync(url, key, segment)
    finally:
        analyzer.stop()
    worst_p95 = 0.0
    for name, timings in loops.items():
        print(f"{SEGMENTS} segments over loopback, one at a time, on the {name} loop:")
        p95 = report("submit → last byte written", timings.written)
        report("submit → server's `processing`", timings.received)
        print(f"  uplink CPU on the loop's thread: {timings.cpu_per_segment_s * 1000:.1f} ms per segment")
        worst_p95 = max(worst_p95, p95)
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (2 cores, shared)")
    verdict = "PASS" if worst_p95 < BUDGET_P95_S * 1000 else "FAIL"
    print(
        f"{verdict}: p95 submit → last byte written {worst_p95:.1f} ms, budget {BUDGET_P95_S * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
