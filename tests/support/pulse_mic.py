"""A PulseAudio virtual microphone for tests, and a recorder that runs in a fresh process.

`pulse_mic` starts a private PulseAudio daemon (its own runtime folder in /tmp, so no user
session is touched), adds a null sink `spk` and a remapped source on its monitor as the default
input (monitors are not listed by QMediaDevices), and plays a 1 kHz tone into the sink with
`pacat`. What is played comes back through QAudioSource like a real microphone.

Qt connects to the sound server once per process and does not retry if that first connection
fails, so whichever test touches QtMultimedia first would decide for all the others. The
recordings therefore run in a child process (`python tests/support/mic_recorder.py …`) that
connects to the server the test chose — or to none, for the no-microphone case.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

RATE = 48_000
MIC_NAME = "Interhuman Test Mic"
TONE_HZ = 1000.0
TONE_PEAK = 0.5
REPO = Path(__file__).resolve().parents[2]


def missing_tools() -> list[str]:
    return [tool for tool in ("pulseaudio", "pactl", "pacat") if shutil.which(tool) is None]


@dataclass
class PulseServer:
    """A private PulseAudio daemon. `env` is what a client needs to reach it."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    _players: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.folder / "native"

    def __post_init__(self) -> None:
        config = self.folder / "client.conf"
        config.write_text("autospawn = no\n")
        self.env = {
            **os.environ,
            "PULSE_RUNTIME_PATH": str(self.folder),
            "PULSE_STATE_PATH": str(self.folder / "state"),
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_CLIENTCONFIG": str(config),
            "HOME": str(self.folder / "home"),
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.folder / 'no-bus'}",
        }

    def start(self) -> None:
        (self.folder / "home").mkdir(exist_ok=True)
        subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=yes",
                "-n",  # no default.pa: only what is loaded here, nothing from the machine
                f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
                f"--log-target=file:{self.folder / 'pulseaudio.log'}",
            ],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=20,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"pulseaudio did not answer: {self.log()}")
            time.sleep(0.05)

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def add_microphone(self) -> None:
        self.pactl("load-module", "module-null-sink", "sink_name=spk", f"rate={RATE}", "channels=1")
        self.pactl(
            "load-module",
            "module-remap-source",
            "master=spk.monitor",
            "source_name=virtmic",
            f"source_properties=\"device.description='{MIC_NAME}'\"",
        )
        self.pactl("set-default-source", "virtmic")

    def unplug_microphone(self) -> None:
        """Take the microphone away with nothing left to move its streams to, as when a USB
        microphone is pulled out of a machine that has no other input."""
        self._stop_players()
        self.pactl("unload-module", "module-remap-source")
        self.pactl("unload-module", "module-null-sink")

    def play_tone(self, seconds: float = 60.0) -> None:
        """`pacat` plays a 1 kHz tone into the sink for `seconds` (it dies with the server)."""
        tone = self.folder / "tone.raw"
        if not tone.exists():
            t = np.arange(int(seconds * RATE)) / RATE
            tone.write_bytes((TONE_PEAK * 32767 * np.sin(2 * np.pi * TONE_HZ * t)).astype("<i2").tobytes())
        self._players.append(
            subprocess.Popen(
                [
                    "pacat",
                    "--playback",
                    "--raw",
                    "-d",
                    "spk",
                    f"--rate={RATE}",
                    "--channels=1",
                    "--format=s16le",
                    "--latency-msec=20",
                    str(tone),
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def pid(self) -> int | None:
        try:
            return int((self.folder / "pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """Stop the daemon (by the pid it wrote) and the players this server started."""
        self._stop_players()
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while _alive(pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        (self.folder / "pid").unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)

    def _stop_players(self) -> None:
        for player in self._players:
            if player.poll() is None:
                player.terminate()
            player.wait(timeout=5)
        self._players.clear()

    def log(self) -> str:
        path = self.folder / "pulseaudio.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def pulse_server() -> Iterator[PulseServer]:
    """A running private daemon without devices; the test adds what it needs."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the virtual microphone needs PulseAudio (Linux)")
    missing = missing_tools()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install pulseaudio pulseaudio-utils)")
    # A short path: unix socket paths are limited to 108 bytes, pytest's tmp_path may be longer.
    folder = Path(tempfile.mkdtemp(prefix="ih-pulse-"))
    server = PulseServer(folder)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pulse_mic(pulse_server: PulseServer) -> PulseServer:
    """The daemon with the virtual microphone as default input, a 1 kHz tone playing into it."""
    pulse_server.add_microphone()
    pulse_server.play_tone()
    return pulse_server


def no_server_env(folder: Path) -> dict[str, str]:
    """An environment in which Qt finds no sound server (and so no microphone) at all."""
    config = folder / "client.conf"
    config.write_text("autospawn = no\n")
    return {
        **os.environ,
        "PULSE_SERVER": f"unix:{folder / 'no-server-here'}",
        "PULSE_CLIENTCONFIG": str(config),
        "PULSE_RUNTIME_PATH": str(folder),
    }
