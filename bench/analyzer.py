"""How fast the local analyzer reads a segment, and which executor it should run in.

Content: 640x480@30 VP8 + Opus segments of 4 s with a real face (scikit-image's astronaut,
nodding) and a voice (espeak-ng speech, or a modulated harmonic tone without it), made with the
tests' own segment helpers. It prints:

- the analysis time of one segment (decode, then picture cues with the face landmarker beside voice
  cues on a second thread, then the rules) as a fraction of its 4 s, median and worst over several
  runs, with its CPU time beside it; with the speech extra's recogniser (filler words) when it is
  installed and, in a child process that cannot import it, without; budget: median at most 0.25
  either way (PASS/FAIL);
- the throughput of a thread pool and a process pool of 2 workers on the same batch, and the
  process pool's start-up, which is why the server uses threads;
- the end-to-end latency through the real server over 127.0.0.1 (send → `completed`).

Everything runs on a machine shared with other work: the load average is printed before and after,
with this process's CPU time beside its wall time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from app.analyzer.analysis import analyse_segment
from app.analyzer.decode import decode_segment
from app.analyzer.rules import interpret
from app.analyzer.server import AnalyzerServer
from app.analyzer.vision import measure_picture
from app.analyzer.voice import measure_voice
from bench import clips as seg

SEGMENT_S = 4.0
SEGMENTS = 4
RUNS = 3
WORKERS = 2
BUDGET_FRACTION = 0.25


SPEECH = (
    "Thanks for having me today. I would like to walk you through what we built over the last year, "
    "why it matters to the people who use it, and what we plan to do next. First, the problem. "
    "Teams spend hours in video calls, yet nobody tells them how they come across. "
    "Second, our approach: we listen and we look, and we give feedback while you speak."
)


def make_segments() -> list[bytes]:
    voice = seg.speech(SEGMENT_S * SEGMENTS, text=SPEECH)
    made = []
    for k in range(SEGMENTS):
        if voice is not None:
            start = round(k * SEGMENT_S * seg.AUDIO_RATE)
            sound = voice[start : start + round(SEGMENT_S * seg.AUDIO_RATE)]
        else:
            sound = seg.voice_like(SEGMENT_S, pitch_hz=120 + 20 * k)
        made.append(seg.encode_webm(SEGMENT_S, _nodding_from(k * SEGMENT_S, 1.0 + 0.25 * (k % 2)), sound))
    return made


def _nodding_from(offset_s: float, rate_hz: float) -> seg.Picture:
    return lambda t: seg.nodding(t + offset_s, rate_hz=rate_hz)


def describe(batch: list[bytes]) -> None:
    for k, data in enumerate(batch):
        delivery = analyse_segment(data).delivery
        fillers = "n/a" if delivery.fillers is None else delivery.fillers.total
        print(
            f"  segment {k + 1}: {len(data) // 1024} KB, face in {delivery.face_visible:.0%} of the samples "
            f"(eye contact {delivery.eye_contact:.0%} of that), voice {delivery.speaking:.0%} of the time, "
            f"pace {delivery.pace_wpm} wpm ({delivery.pace_source}), fillers {fillers}"
        )


def stage_times(data: bytes) -> dict[str, float]:
    marks = [time.perf_counter()]
    decoded = decode_segment(data)
    marks.append(time.perf_counter())
    picture = measure_picture(decoded.frames)
    marks.append(time.perf_counter())
    voice = measure_voice(decoded.audio)
    marks.append(time.perf_counter())
    interpret(picture, voice, decoded.duration_s)
    marks.append(time.perf_counter())
    names = ("decode", "picture", "voice", "rules")
    return {name: marks[i + 1] - marks[i] for i, name in enumerate(names)}


def single_segment(batch: list[bytes], label: str) -> float:
    analyse_segment(batch[0])  # warm-up: the landmarker (and the recogniser) load once
    totals: list[float] = []
    cpu: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(RUNS):
        for data in batch:
            cpu_began, began = time.process_time(), time.perf_counter()
            analyse_segment(data)
            totals.append(time.perf_counter() - began)
            cpu.append(time.process_time() - cpu_began)
            for name, seconds in stage_times(data).items():
                stages.setdefault(name, []).append(seconds)
    median = statistics.median(totals) / SEGMENT_S
    worst = max(totals) / SEGMENT_S
    runs = len(totals)
    print(f"one segment, {label} ({runs} runs): median {median:.3f}, worst {worst:.3f} of its duration")
    # CPU time (all of this process's threads) says what the analysis costs when others share the
    # cores; wall time is what the budget is about.
    print(f"  CPU time: median {statistics.median(cpu) / SEGMENT_S:.3f} of the duration")
    medians = ", ".join(f"{name} {statistics.median(seconds):.3f}" for name, seconds in stages.items())
    print(f"  stages one after another (median s): {medians}")
    verdict = "PASS" if median <= BUDGET_FRACTION else "FAIL"
    print(f"  budget: median at most {BUDGET_FRACTION} of the duration -> {verdict}")
    return median


def throughput(name: str, make: Callable[[], Executor], batch: list[bytes]) -> None:
    began = time.perf_counter()
    with make() as executor:
        list(executor.map(analyse_segment, batch[:WORKERS]))  # start-up and warm-up
        ready = time.perf_counter()
        work = batch * RUNS
        list(executor.map(analyse_segment, work))
        done = time.perf_counter()
    per_segment = (done - ready) / len(work)
    print(
        f"{name} of {WORKERS}: {per_segment:.3f} s per segment "
        f"({per_segment / SEGMENT_S:.3f} of its duration) over {len(work)} segments; "
        f"start-up and warm-up {ready - began:.2f} s"
    )


async def through_server(batch: list[bytes]) -> None:
    from websockets.asyncio.client import connect

    async with AnalyzerServer(workers=WORKERS) as server, connect(server.url) as ws:
        latencies = []
        for data in batch * 2:
            sent = time.perf_counter()
            await ws.send(data)
            while True:
                message = await ws.recv()
                if '"completed"' in message or '"error"' in message:
                    break
            latencies.append(time.perf_counter() - sent)
    print(
        "through the server, one segment at a time: send -> completed "
        f"median {statistics.median(latencies):.3f} s, worst {max(latencies):.3f} s"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


_WITHOUT_SPEECH = "--without-speech-extra"


def without_speech_extra() -> None:
    """The single-segment figures in a child process where the speech extra cannot be imported."""
    child = [sys.executable, "-m", "bench.analyzer", _WITHOUT_SPEECH]
    done = subprocess.run(child, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(("one segment", "  "))]
    print("\n".join(lines) if done.returncode == 0 else f"without the speech extra: failed\n{done.stderr}")


def main() -> None:
    from app.analyzer import fillers

    print(f"before: {load()}")
    cpu_began, wall_began = time.process_time(), time.perf_counter()
    batch = make_segments()
    print(f"{len(batch)} segments of {SEGMENT_S:g} s at {seg.WIDTH}x{seg.HEIGHT}@{seg.FPS}, VP8 + Opus:")
    describe(batch)
    if fillers.available():
        single_segment(batch, "with the speech extra (filler words)")
        without_speech_extra()
    else:
        single_segment(batch, "without the speech extra (not installed)")
    throughput("thread pool", lambda: ThreadPoolExecutor(WORKERS), batch)
    spawn = multiprocessing.get_context("spawn")
    throughput("process pool", lambda: ProcessPoolExecutor(WORKERS, mp_context=spawn), batch)
    asyncio.run(through_server(batch))
    wall = time.perf_counter() - wall_began
    print(f"this process: {time.process_time() - cpu_began:.1f} s CPU over {wall:.1f} s wall")
    print(f"after: {load()}")


if __name__ == "__main__":
    if _WITHOUT_SPEECH in sys.argv:
        sys.modules["moonshine_voice"] = None  # type: ignore[assignment]  # as if not installed
        single_segment(make_segments(), "without the speech extra")
    else:
        main()
