"""One playable file of a whole session, `recording.webm`, re-muxed from its segments (no re-encoding).

Every segment is a standalone WebM whose time starts at 0; the joined file puts each one's packets
at the segment's start in session time (from `segment_closed`), so a second of the joined file is
that second of the session and the review's timeline needs no mapping. A segment that is missing or
cannot be read leaves a hole in time, and is named. The file is cached in the session folder with
a fingerprint of the segment files (name, size, modification time) in its own metadata, and made
again when they change. Each segment's Opus stream starts with its encoder's few milliseconds of
priming; joined without re-encoding they play at each boundary (inaudible at 4 s segments).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

from app.model.coverage_gaps import Gap
from app.review.session_folder import SegmentFile, SessionFolder

log = logging.getLogger(__name__)

JOINED_FILE = "recording.webm"
FINGERPRINT_TAG = "INTERHUMAN_SEGMENTS"
UNREADABLE_TAG = "INTERHUMAN_UNREADABLE"
MEDIA = ("video", "audio")


class NoRecording(ValueError):
    """The session has no segment that could be played."""


@dataclass(frozen=True, slots=True)
class JoinedRecording:
    path: Path
    unreadable: tuple[int, ...]
    """Segments that could not be read (wholly or in part) and are missing from the file."""
    built: bool
    """Made just now; False when the cached file was still current."""
    seconds: float
    """How long it took to make (or to check) it."""

    def gaps(self, folder: SessionFolder) -> list[Gap]:
        spans = {closed.index: (closed.t0, closed.t1) for closed in folder.closed_segments()}
        return [
            Gap(*spans[index], "missing_media", "segment file unreadable", index)
            for index in self.unreadable
            if index in spans
        ]


def fingerprint(segments: Sequence[SegmentFile]) -> str:
    digest = hashlib.sha256()
    for segment in segments:
        try:
            mtime = segment.path.stat().st_mtime_ns
        except OSError:
            mtime = -1
        digest.update(f"{segment.path.name}:{segment.size}:{mtime};".encode())
    return digest.hexdigest()


def joined_recording(folder: SessionFolder) -> JoinedRecording:
    """The session's joined file, made now unless the one in the folder is still current.

    Blocks for up to a few seconds on a long session: call it off the Qt main thread."""
    began = time.perf_counter()
    if not folder.segments:
        raise NoRecording("This session has no recorded video to play.")
    target = folder.path / JOINED_FILE
    wanted = fingerprint(folder.segments)
    cached = _cached(target, wanted)
    if cached is not None:
        return JoinedRecording(target, cached, False, time.perf_counter() - began)
    unreadable = _join(folder, target, wanted)
    seconds = time.perf_counter() - began
    log.info("joined %d segments of %s in %.2f s", len(folder.segments), folder.path, seconds)
    return JoinedRecording(target, unreadable, True, seconds)


def export_video(folder: SessionFolder, out: Path) -> JoinedRecording:
    """Write the session's joined recording to `out` (made or refreshed in the folder on the way)."""
    joined = joined_recording(folder)
    if out.resolve() != joined.path.resolve():
        part = out.with_name(out.name + ".part")
        shutil.copyfile(joined.path, part)
        part.replace(out)
    return joined


def _cached(target: Path, wanted: str) -> tuple[int, ...] | None:
    if not target.is_file():
        return None
    try:
        with av.open(str(target)) as container:
            tags = {key.upper(): value for key, value in container.metadata.items()}
    except (av.error.FFmpegError, OSError):
        return None
    if tags.get(FINGERPRINT_TAG) != wanted:
        return None
    listed = tags.get(UNREADABLE_TAG, "")
    return tuple(int(index) for index in listed.split(",") if index.strip().isdigit())


def _join(folder: SessionFolder, target: Path, wanted: str) -> tuple[int, ...]:
    # The container's tags go out with its header, before the first packet, so the segments are
    # checked first: what cannot be read is named in the file, and the cached file says it too.
    readable = [segment for segment in folder.segments if _readable(segment.path, folder.path)]
    unreadable = tuple(s.index for s in folder.segments if s not in readable)
    if not readable:
        raise NoRecording("None of this session's segment files can be read.")
    starts = {closed.index: closed.t0 for closed in folder.closed_segments()}
    part = target.with_name(target.name + ".part")
    try:
        with av.open(str(part), "w", format="webm") as out:
            out.metadata[FINGERPRINT_TAG] = wanted
            out.metadata[UNREADABLE_TAG] = ",".join(str(index) for index in unreadable)
            writer = _Writer(out)
            next_start = 0.0
            for segment in readable:
                end = writer.copy(segment.path, starts.get(segment.index, next_start))
                next_start = max(next_start, end)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return unreadable


def _readable(path: Path, folder: Path) -> bool:
    """Whether the segment opens and demuxes to its end with some video in it (a file cut short
    keeps what it has; one cut inside its header has no frame left)."""
    try:
        with av.open(str(path)) as segment:
            if not segment.streams.video:
                raise ValueError("no video in the file")
            frames = sum(1 for packet in segment.demux(video=0) if packet.size)
            if frames == 0:
                raise ValueError("no video frame in the file")
    except (av.error.FFmpegError, OSError, ValueError) as error:
        log.warning("%s: segment %s cannot be read: %s", folder, path.name, error)
        return False
    return True


class _Writer:
    """Copies segments' packets into one container, on one time line in milliseconds."""

    def __init__(self, out: av.container.OutputContainer) -> None:
        self._out = out
        self._streams: dict[str, av.stream.Stream] = {}
        self._last_dts: dict[str, int] = {}

    def copy(self, path: Path, start_s: float) -> float:
        """Copy one segment's packets placed at `start_s`; returns where its media ends."""
        end_s = start_s
        with av.open(str(path)) as segment:
            inputs = [s for s in segment.streams if s.type in MEDIA]
            for stream in inputs:
                if stream.type not in self._streams:
                    self._streams[stream.type] = self._out.add_stream_from_template(stream)
            for packet in segment.demux(inputs):
                if packet.dts is None or packet.pts is None or packet.time_base is None:
                    continue
                kind = packet.stream.type
                offset = round(start_s / packet.time_base)
                pts, dts = packet.pts + offset, packet.dts + offset
                # Each segment's Opus starts a few ms before 0: nudge it past the previous one's end.
                last = self._last_dts.get(kind)
                if last is not None and dts <= last:
                    pts, dts = pts + last + 1 - dts, last + 1
                packet.pts, packet.dts = pts, dts
                self._last_dts[kind] = dts
                end_s = max(end_s, float((pts + (packet.duration or 0)) * packet.time_base))
                packet.stream = self._streams[kind]
                self._out.mux(packet)
        return end_s
