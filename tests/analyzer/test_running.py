"""The three ways to run the analyzer outside a test's own loop: embedded in its own thread, and
the `analyzer` sub-command (its usage errors, and a real run ended with Ctrl-C)."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.analyzer_helpers import Clips, exchange
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.analyzer.embedded import AnalyzerStartError, EmbeddedAnalyzer
from app.cli import analyzer as command
from app.cli.exit_codes import EXIT_USAGE
from app.model.server_url import is_loopback

pytestmark = pytest.mark.timeout(120)

URL = re.compile(r"^ws://127\.0\.0\.1:(\d+)/v0/stream/analyze$")
ROOT = Path(__file__).resolve().parents[2]


def _analyzer_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "analyzer" in t.name]


async def _analyse_once(url: str, data: bytes, **options: object) -> list[str]:
    async with connect(url, **options) as ws:  # type: ignore[arg-type]
        answers = await exchange(ws, data)
    return answers.statuses(1)


def test_embedded_analyzer_serves_from_its_own_thread_and_stops_cleanly(clips: Clips) -> None:
    analyzer = EmbeddedAnalyzer()
    url = analyzer.start()
    try:
        assert URL.match(url) and analyzer.url == url and analyzer.running
        assert "local-analyzer" in _analyzer_threads()
        statuses = asyncio.run(_analyse_once(url, clips.get("face_voice_3s")))
        assert statuses == ["processing", "result", "completed"]
        with pytest.raises(RuntimeError):
            analyzer.start()
    finally:
        analyzer.stop()
    assert not analyzer.running
    assert _analyzer_threads() == []
    analyzer.stop()  # a second stop is harmless
    with socket.socket() as probe:
        port = int(URL.match(url).group(1))  # type: ignore[union-attr]
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nobody listens any more


def test_embedded_analyzer_stops_while_a_client_is_connected_and_segments_are_in_flight(clips: Clips) -> None:
    with EmbeddedAnalyzer() as analyzer:

        async def stop_midway() -> None:
            async with connect(analyzer.url) as ws:
                for _ in range(3):
                    await ws.send(clips.get("face_voice_4s"))
                await ws.recv()  # the first `processing`
                await asyncio.to_thread(analyzer.stop)
                await ws.wait_closed()
                assert ws.close_code == 1001  # going away

        asyncio.run(stop_midway())
    assert _analyzer_threads() == []


def test_embedded_analyzer_with_a_key_refuses_clients_without_it(clips: Clips) -> None:
    key = "ih_live_embedded_key_abcdef"
    with EmbeddedAnalyzer(key=key) as analyzer:
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(_analyse_once(analyzer.url, clips.get("face_voice_3s")))
        assert refused.value.response.status_code == 401
        authorised = {"additional_headers": {"Authorization": f"Bearer {key}"}}
        statuses = asyncio.run(_analyse_once(analyzer.url, clips.get("face_voice_3s"), **authorised))
        assert statuses == ["processing", "result", "completed"]


def test_embedded_analyzer_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        analyzer = EmbeddedAnalyzer(port=taken.getsockname()[1])
        with pytest.raises(AnalyzerStartError, match="could not listen"):
            analyzer.start()
    assert not analyzer.running and _analyzer_threads() == []


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="interhuman-live analyzer")
    command.configure(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "analyzer.example"])
def test_listening_beyond_loopback_without_a_key_is_a_usage_error(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.run(_parse("--host", host)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert host in err and "--key" in err


def test_bad_ports_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for port in ("70000", "-1", "http"):
        with pytest.raises(SystemExit) as exited:
            _parse("--port", port)
        assert exited.value.code == 2
        assert "port" in capsys.readouterr().err


def test_loopback_hosts_need_no_key() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert is_loopback(host), host
    assert not is_loopback("0.0.0.0")


def test_the_help_warns_that_other_hosts_are_for_trusted_networks() -> None:
    parser = argparse.ArgumentParser(prog="interhuman-live analyzer")
    command.configure(parser)
    assert "trusted networks" in " ".join(parser.format_help().split())


def test_importing_the_command_loads_no_media_libraries() -> None:
    code = (
        "import sys; import app.cli.analyzer; "
        "print(sorted(m for m in ('av', 'cv2', 'numpy', 'websockets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_command_prints_its_url_serves_and_ends_on_ctrl_c_without_logging_the_key(clips: Clips) -> None:
    key = "ih_live_cli_key_123456"
    code = (
        "import argparse, logging, sys; from app.cli import analyzer as command; "
        "logging.basicConfig(level=logging.DEBUG); "
        "p = argparse.ArgumentParser(); command.configure(p); "
        "sys.exit(command.run(p.parse_args(sys.argv[1:])))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--key", key],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert URL.match(url), url
        for options in ({"subprotocols": [key]}, {"additional_headers": {"Authorization": f"Bearer {key}"}}):
            statuses = asyncio.run(_analyse_once(url, clips.get("face_voice_3s"), **options))
            assert statuses == ["processing", "result", "completed"]
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == 0, err
    assert "connection" in err and "opened" in err  # it did log at DEBUG...
    assert key not in err  # ...but never the key
