"""How fast the segment encoder is, against FFmpeg's own libvpx encoder on the same frames.

For 640x480@30 and 1280x720@30 synthetic test-card content it prints, for our `SegmentEncoder`
(one VP8/Opus encode, its packets muxed into standalone 4 s segments) and for the `ffmpeg` CLI fed
the same raw frames with the same realtime settings (one continuous file): the real-time factor
(encoding wall time over media time), CPU seconds per media second and bytes per segment, and the
ratio ours/reference. Then the same run with the live v1/v2 stream muxed a second time from the
same packets: what the second mux costs, in wall time per media second. Budget at 720p30:
real-time factor at most 0.25, and within 1.3x of the CLI.

The machine's other work skews every figure: the load average is printed before and after.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from capture.codec_settings import CodecSettings, video_options
from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, VideoFrame
from capture.stream_outbox import StreamOutbox
from capture.synthetic import CHUNK_SAMPLES, CardPainter, tone_samples

FPS = 30.0
SEGMENT_S = 4.0
SEGMENTS = 3
RUNS = 2
SIZES = ((640, 480), (1280, 720))
BUDGET_RTF_720P = 0.25
BUDGET_RATIO = 1.3


@dataclass(frozen=True, slots=True)
class Figures:
    rtf: float
    """Wall time spent encoding over media time (for the CLI: its whole run)."""
    end_to_end_rtf: float
    """From the first frame handed over to the last segment out, over media time."""
    cpu_per_media_s: float
    bytes_per_segment: float
    segment_mux_ms_per_s: float = 0.0
    stream_mux_ms_per_s: float = 0.0
    """The second mux (the live stream's Clusters), per media second."""


@dataclass(frozen=True, slots=True)
class Media:
    frames: list[np.ndarray]
    """One segment's worth of card frames, reused for every segment."""
    audio: np.ndarray
    seconds: float


def card_media(width: int, height: int) -> Media:
    painter = CardPainter(width, height, FPS)
    frames = [painter.frame(n) for n in range(round(SEGMENT_S * FPS))]
    seconds = SEGMENT_S * SEGMENTS
    return Media(frames, tone_samples(0, round(seconds * AUDIO_RATE_HZ)), seconds)


def run_ours(media: Media, width: int, height: int, *, stream: bool = False) -> Figures:
    segments: list[Segment] = []
    config = EncoderConfig(segment_s=SEGMENT_S, width=width, height=height, fps=FPS, block_when_full=True)
    encoder = SegmentEncoder(config, segments.append)
    outbox = StreamOutbox(max_queued_s=2 * media.seconds)
    cpu_before = time.process_time()
    began = time.perf_counter()
    encoder.start()
    if stream:
        encoder.start_stream(outbox, 32 * 1024 * 1024)
    sample = 0
    total_frames = round(media.seconds * FPS) + 1  # one frame past the end closes the last window
    for n in range(total_frames):
        t = n / FPS
        while sample < len(media.audio) and sample / AUDIO_RATE_HZ <= t:
            chunk = media.audio[sample : sample + CHUNK_SAMPLES]
            encoder.audio_chunk(AudioChunk(chunk, sample / AUDIO_RATE_HZ))
            sample += len(chunk)
        encoder.video_frame(VideoFrame(media.frames[n % len(media.frames)], t))
    stats = encoder.stop()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    if stats.segments_emitted != SEGMENTS or stats.video_frames_dropped:
        raise RuntimeError(f"the benchmark run went wrong: {stats}")
    return Figures(
        rtf=stats.encode_wall_s / stats.media_s,
        end_to_end_rtf=wall / media.seconds,
        cpu_per_media_s=cpu / stats.media_s,
        bytes_per_segment=sum(s.size_bytes for s in segments) / len(segments),
        segment_mux_ms_per_s=1000 * stats.segment_mux_wall_s / stats.media_s,
        stream_mux_ms_per_s=1000 * stats.stream_mux_wall_s / stats.media_s,
    )


def writer_settings(width: int, height: int) -> CodecSettings:
    """What our encoder uses at this size, so the reference encodes with the same settings."""
    config = EncoderConfig(width=width, height=height, fps=FPS)
    return CodecSettings(
        "vp8",
        width,
        height,
        FPS,
        config.resolved_video_bitrate_bps,
        config.audio_bitrate_bps,
        config.resolved_threads,
    )


def ffmpeg_command(binary: str, width: int, height: int, audio: Path, out: Path) -> list[str]:
    settings = writer_settings(width, height)
    command = [binary, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}"]
    command += [
        "-r",
        str(FPS),
        "-i",
        "pipe:0",
        "-f",
        "s16le",
        "-ar",
        str(AUDIO_RATE_HZ),
        "-ac",
        "1",
        "-i",
        str(audio),
    ]
    command += ["-c:v", "libvpx", "-pix_fmt", "yuv420p", "-b:v", str(settings.video_bitrate_bps)]
    for name, value in video_options(settings).items():
        command += [f"-{name}", value]
    command += [
        "-c:a",
        "libopus",
        "-b:a",
        str(settings.audio_bitrate_bps),
        "-vbr",
        "off",
        "-f",
        "webm",
        str(out),
    ]
    return command


def run_ffmpeg(binary: str, media: Media, width: int, height: int) -> Figures:
    with tempfile.TemporaryDirectory() as folder:
        audio, out = Path(folder) / "audio.raw", Path(folder) / "out.webm"
        audio.write_bytes(media.audio.tobytes())
        command = ffmpeg_command(binary, width, height, audio, out)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        with (Path(folder) / "stderr.txt").open("w+b") as stderr:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=stderr)
            assert process.stdin is not None
            for n in range(round(media.seconds * FPS)):
                process.stdin.write(media.frames[n % len(media.frames)].tobytes())
            process.stdin.close()
            code = process.wait()
            wall = time.perf_counter() - began
            stderr.seek(0)
            if code != 0:
                raise RuntimeError(f"ffmpeg failed ({code}): {stderr.read().decode(errors='replace')}")
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        size = out.stat().st_size
    cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    return Figures(wall / media.seconds, wall / media.seconds, cpu / media.seconds, size / SEGMENTS)


def best(runs: list[Figures]) -> Figures:
    return min(runs, key=lambda figures: figures.rtf)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def row(size: str, name: str, *cells: str) -> None:
    print(f"{size:<10}{name:<18}" + "".join(f"{cell:>17}" for cell in cells))


def figures_row(size: str, name: str, figures: Figures) -> None:
    numbers = (figures.rtf, figures.end_to_end_rtf, figures.cpu_per_media_s)
    row(size, name, *(f"{number:.3f}" for number in numbers), f"{figures.bytes_per_segment:,.0f}")


def verdict(text: str, passed: bool) -> str:
    return f"{text}: {'PASS' if passed else 'FAIL'}"


def main() -> None:
    ffmpeg = shutil.which("ffmpeg")
    print(
        f"encoder benchmark: test card at {FPS:g} fps, {SEGMENTS} x {SEGMENT_S:g} s segments, best of {RUNS}"
    )
    print(f"machine: {os.cpu_count()} cores, load average {load()} (before)")
    print(f"ours: PyAV {av.__version__}, libavcodec {'.'.join(map(str, av.library_versions['libavcodec']))}")
    if ffmpeg:
        version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.splitlines()[0]
        print(f"reference: {version}")
    else:
        print("reference: skipped (ffmpeg is not installed)")
    print("real-time factor: wall time encoding / media time; end to end: first frame in to last segment out")
    row("size", "encoder", "real-time factor", "end to end", "CPU s/media s", "bytes/segment")
    verdicts: list[str] = []
    for width, height in SIZES:
        media = card_media(width, height)
        size = f"{width}x{height}"
        ours = best([run_ours(media, width, height) for _ in range(RUNS)])
        figures_row(size, "ours (PyAV)", ours)
        reference = None
        if ffmpeg:
            reference = best([run_ffmpeg(ffmpeg, media, width, height) for _ in range(RUNS)])
            figures_row("", "ffmpeg CLI", reference)
            ratios = [
                ours.rtf / reference.rtf,
                ours.end_to_end_rtf / reference.end_to_end_rtf,
                ours.cpu_per_media_s / reference.cpu_per_media_s,
                ours.bytes_per_segment / reference.bytes_per_segment,
            ]
            row("", "ours / reference", *(f"{ratio:.2f}" for ratio in ratios))
        both = best([run_ours(media, width, height, stream=True) for _ in range(RUNS)])
        figures_row("", "ours + live stream", both)
        print(
            f"{'':<10}muxing per media second: segments {ours.segment_mux_ms_per_s:.2f} ms; "
            f"the second mux (live stream) {both.stream_mux_ms_per_s:.2f} ms; "
            f"encode with both outputs at {both.rtf / ours.rtf:.2f}x the segments alone"
        )
        if (width, height) == (1280, 720):
            verdicts.append(
                verdict(
                    f"720p30 real-time factor {ours.rtf:.3f} <= {BUDGET_RTF_720P}",
                    ours.rtf <= BUDGET_RTF_720P,
                )
            )
            if reference is not None:
                # Both sides timed the same way: from the first frame handed over to the file done.
                ratio = ours.end_to_end_rtf / reference.end_to_end_rtf
                verdicts.append(
                    verdict(
                        f"720p30 at {ratio:.2f}x the FFmpeg CLI <= {BUDGET_RATIO}x", ratio <= BUDGET_RATIO
                    )
                )
    print(f"machine: load average {load()} (after)")
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
