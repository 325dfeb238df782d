"""Listing cameras and microphones: what this camera-less, microphone-less machine offers (nothing),
and what a PulseAudio virtual microphone looks like in the list."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import support.pulse_mic as pulse
from support.mic_recorder import list_devices
from support.pulse_mic import MIC_NAME, PulseServer, no_server_env

from capture.devices import camera_index, list_cameras

pulse_server = pulse.pulse_server
pulse_mic = pulse.pulse_mic


def has_video_devices() -> bool:
    return bool(list(Path("/dev").glob("video*")))


@pytest.mark.timeout(30)
def test_no_cameras_here(qapp: object) -> None:
    if has_video_devices():
        pytest.skip("this machine has video devices")
    started = time.monotonic()
    assert list_cameras() == []  # Qt lists none, and probing indices 0–3 with OpenCV finds none
    assert time.monotonic() - started < 3.0


@pytest.mark.timeout(60)
def test_no_sound_server_no_microphones_and_no_cameras(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("hiding the machine's microphones needs PulseAudio (Linux)")
    listing = list_devices(no_server_env(tmp_path))
    assert listing["microphones"] == []
    if not has_video_devices():
        assert listing["cameras"] == []


@pytest.mark.pulse
@pytest.mark.timeout(60)
def test_the_virtual_microphone_is_listed_as_the_default(pulse_mic: PulseServer) -> None:
    pulse_mic.pactl("load-module", "module-null-source", "source_name=quiet", "rate=48000", "channels=1")
    listing = list_devices(pulse_mic.env)
    microphones = sorted(listing["microphones"], key=lambda m: str(m["id"]))
    assert microphones == [
        {"id": "quiet", "name": "Null Input", "is_default": False},
        {"id": "virtmic", "name": MIC_NAME, "is_default": True},
    ]


@pytest.mark.parametrize(
    ("device_id", "position", "platform", "index"),
    [
        ("/dev/video0", 0, "linux", 0),
        ("/dev/video2", 1, "linux", 2),  # the metadata node /dev/video1 is not a camera
        ("pipewire:57", 0, "linux", None),
        ("0x14100000046d0825", 1, "darwin", 1),
        (r"\\?\usb#vid_046d&pid_0825", 0, "win32", 0),
    ],
)
def test_camera_index_from_qt_id(device_id: str, position: int, platform: str, index: int | None) -> None:
    assert camera_index(device_id, position, platform) == index
