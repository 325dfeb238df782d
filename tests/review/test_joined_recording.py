"""The joined recording: one WebM re-muxed from the segments on session time, cached, rebuilt on change."""

from __future__ import annotations

import os
from pathlib import Path

import av
import pytest
from support.session_folders import OLD_SESSION, copy_session, remove_segment, snapshot, truncate_segment

from app.review.joined_recording import JOINED_FILE, NoRecording, export_video, joined_recording
from app.review.session_folder import open_session


def packets(path: Path) -> dict[str, list[float]]:
    """Presentation times (s) of every packet, by stream type."""
    times: dict[str, list[float]] = {"video": [], "audio": []}
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.pts is not None and packet.size:
                times[packet.stream.type].append(float(packet.pts * packet.time_base))
    return times


def test_segments_join_without_re_encoding_on_session_time(session: Path) -> None:
    folder = open_session(session)
    before = snapshot(session)
    joined = joined_recording(folder)
    assert joined.built and joined.unreadable == () and joined.path == session / JOINED_FILE
    assert set(snapshot(session)) - set(before) == {JOINED_FILE}, "only the joined file is written"
    times = packets(joined.path)
    # 16 s at 15 fps, every frame of every segment, in order, on the segments' own times
    assert len(times["video"]) == sum(
        1 for s in range(4) for _ in packets(session / "segments" / f"{s:06d}.webm")["video"]
    )
    assert times["video"] == sorted(times["video"])
    assert times["video"][0] == 0.0 and 15.9 < times["video"][-1] < 16.0
    assert min(times["audio"]) < 0.01 and max(times["audio"]) > 15.9
    with av.open(str(joined.path)) as container:
        assert container.streams.video[0].codec_context.name == "vp8"
        assert sum(1 for _ in container.decode(video=0)) == len(times["video"])


def test_the_joined_file_is_cached_and_rebuilt_when_segments_change(session: Path) -> None:
    first = joined_recording(open_session(session))
    again = joined_recording(open_session(session))
    assert first.built and not again.built
    remove_segment(session, 3)
    shorter = joined_recording(open_session(session))
    assert shorter.built
    assert max(packets(shorter.path)["video"]) < 12.0


def test_a_missing_segment_leaves_a_hole_in_time(session: Path) -> None:
    remove_segment(session, 1)
    times = packets(joined_recording(open_session(session)).path)["video"]
    assert not any(4.0 <= t < 8.0 for t in times)
    assert any(8.0 <= t < 9.0 for t in times), "the next segment keeps its own place in time"


def test_an_undecodable_segment_is_named_and_left_out(session: Path) -> None:
    truncate_segment(session, 2)
    folder = open_session(session)
    joined = joined_recording(folder)
    assert joined.unreadable == (2,)
    assert [(g.index, g.reason) for g in joined.gaps(folder)] == [(2, "segment file unreadable")]
    assert joined_recording(open_session(session)).unreadable == (2,), "the cached file says it too"
    assert not any(8.0 <= t < 12.0 for t in packets(joined.path)["video"])


def test_no_segments_no_recording(session: Path) -> None:
    for index in range(4):
        remove_segment(session, index)
    with pytest.raises(NoRecording, match="no recorded video"):
        joined_recording(open_session(session))
    assert not (session / JOINED_FILE).exists()


def test_export_writes_the_joined_file_where_asked(tmp_path: Path) -> None:
    old = copy_session(OLD_SESSION, tmp_path / "old")
    out = tmp_path / "shared" / "talk.webm"
    out.parent.mkdir()
    export_video(open_session(old), out)
    assert out.read_bytes() == (old / JOINED_FILE).read_bytes()
    assert 5.9 < max(packets(out)["video"]) < 6.0
    assert not [name for name in os.listdir(out.parent) if name.endswith(".part")]
