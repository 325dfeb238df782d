"""The disk forecast: the rate it fills at, the warning minutes ahead, the reserve it keeps."""

from __future__ import annotations

from pathlib import Path

from app.session.disk_watch import RESERVE_MIN_BYTES, DiskWatch

MB = 1_000_000


class Disk:
    """A disk's free space over time, as `statvfs` would report it while segments are written."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.now = 0.0

    def write(self, watch: DiskWatch, size: int, seconds: float) -> None:
        self.now += seconds
        self.free -= size
        watch.wrote(size)


def test_it_warns_once_when_the_disk_fills_within_ten_minutes() -> None:
    warnings: list[str] = []
    disk = Disk(RESERVE_MIN_BYTES + 60 * MB)
    watch = DiskWatch(Path("/rec"), warnings.append, free=lambda _: disk.free, clock=lambda: disk.now)
    for _ in range(10):  # 125 kB/s: 60 MB last 8 minutes
        disk.write(watch, 500_000, 4.0)
    assert warnings == [
        "Disk full in about 8 min: recording stops before then and streaming goes on. "
        "Free some space on the disk that holds /rec."
    ]
    assert watch.rate_bps() == 125_000


def test_another_program_filling_the_disk_counts_and_freed_space_rearms_the_warning() -> None:
    warnings: list[str] = []
    disk = Disk(RESERVE_MIN_BYTES + 500 * MB)
    watch = DiskWatch(Path("/rec"), warnings.append, free=lambda _: disk.free, clock=lambda: disk.now)
    disk.write(watch, 500_000, 4.0)
    disk.free -= 100 * MB  # someone else copies a film onto the disk
    disk.write(watch, 500_000, 4.0)
    assert len(warnings) == 1, "the free space fell at 25 MB/s, not the recording's 125 kB/s"
    disk.free += 400 * MB
    for _ in range(20):
        disk.write(watch, 500_000, 4.0)
    disk.free = RESERVE_MIN_BYTES + 10 * MB
    disk.write(watch, 500_000, 4.0)
    assert len(warnings) == 2


def test_a_segment_that_would_eat_into_the_reserve_is_refused() -> None:
    disk = Disk(RESERVE_MIN_BYTES + 1_500_000)
    watch = DiskWatch(Path("/rec"), lambda _: None, free=lambda _: disk.free, clock=lambda: disk.now)
    assert watch.may_write(1_000_000)
    disk.write(watch, 1_000_000, 4.0)
    assert watch.reserve_bytes == RESERVE_MIN_BYTES
    assert not watch.may_write(600_000)
    big = DiskWatch(Path("/rec"), lambda _: None, free=lambda _: 10 * MB, clock=lambda: 0.0)
    assert not big.may_write(4 * MB), "the reserve grows to two of the largest segments"
