"""Local-only mode, proven: `interhuman-live stream --local-only` under `strace -f -e trace=connect`
opens no connection to another computer, even with a key and a proxy in its environment; and
every command takes `--local-only` and refuses what would leave this computer."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.stream_helpers import FAKE_KEY, REPO, UserHome

from app.cli.main import COMMANDS, build_parser
from app.model.events import ResultReceived, parse_event

pytestmark = pytest.mark.timeout(180)

ENTRY_POINT = Path(sys.executable).with_name("interhuman-live")
_CONNECT = re.compile(r"connect\(\d+, \{sa_family=(?P<family>AF_\w+)(?P<rest>[^}]*)\}")
_INET = re.compile(r'sin_addr=inet_addr\("(?P<address>[^"]+)"\)')
_INET6 = re.compile(r'inet_pton\(AF_INET6, "(?P<address>[^"]+)"')


def connects(trace: str) -> list[tuple[str, str]]:
    """(address family, address) of every connect() in an strace log; "" where none applies."""
    found = []
    for line in trace.splitlines():
        match = _CONNECT.search(line)
        if match is None:
            continue
        family, rest = match["family"], match["rest"]
        address = _INET.search(rest) if family == "AF_INET" else _INET6.search(rest)
        found.append((family, address["address"] if address else ""))
    return found


def leaves_this_computer(family: str, address: str) -> bool:
    if family == "AF_INET":
        return not address.startswith("127.")
    if family == "AF_INET6":
        return address not in ("::1", "") and not address.startswith("::ffff:127.")
    # AF_UNIX: a socket file on this computer; AF_UNSPEC: dissolving a socket's association;
    # AF_NETLINK: the kernel. Anything else is unexpected and counts as leaving.
    return family not in ("AF_UNIX", "AF_UNSPEC", "AF_NETLINK")


def test_the_connect_classifier_reads_strace_lines() -> None:
    trace = "\n".join(
        [
            '812 connect(7, {sa_family=AF_INET, sin_port=htons(41523), sin_addr=inet_addr("127.0.0.1")}, 16)'
            " = -1 EINPROGRESS (Operation now in progress)",
            '812 connect(9, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("34.120.1.2")}, 16)'
            " <unfinished ...>",
            "813 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton("
            'AF_INET6, "2a00:1450::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
            '813 connect(3, {sa_family=AF_UNIX, sun_path="/run/user/0/bus"}, 110) = 0',
        ]
    )
    found = connects(trace)
    assert found == [
        ("AF_INET", "127.0.0.1"),
        ("AF_INET", "34.120.1.2"),
        ("AF_INET6", "2a00:1450::1"),
        ("AF_UNIX", ""),
    ]
    assert [leaves_this_computer(*c) for c in found] == [False, True, True, False]


def test_stream_in_local_only_mode_connects_to_nothing_but_this_computer(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (apt-get install strace; .ci/run installs it)")
    home = UserHome(tmp_path / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    # A key and proxies in the environment: either would lead a careless client off this computer.
    env = home.env(key=FAKE_KEY)
    env.update(HTTPS_PROXY="http://10.255.255.1:3128", ALL_PROXY="socks5://10.255.255.1:1080")
    trace_file, recording = tmp_path / "connects.txt", tmp_path / "recording"
    command = [str(ENTRY_POINT), "stream", "--local-only", "--source", "synthetic"]
    command += ["--resolution", "320x240", "--duration", "7", "--fast", "--record-dir", str(recording)]
    done = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace_file), *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    events = [parse_event(line) for line in (recording / "events.jsonl").read_text().splitlines()]
    assert any(isinstance(e, ResultReceived) for e in events), "the session was analysed"
    found = connects(trace_file.read_text(errors="replace"))
    assert ("AF_INET", "127.0.0.1") in found, f"the uplink's own connection must show: {found}"
    leaving = [c for c in found if leaves_this_computer(*c)]
    assert not leaving, f"connections to other computers: {leaving}"


def test_every_command_takes_local_only_before_or_after_its_name() -> None:
    parser = build_parser()
    assert parser.parse_args(["--local-only"]).local_only
    assert not parser.parse_args([]).local_only
    for name in COMMANDS:
        # Positional arguments where a command wants them (a session folder, an output file).
        command = [name, *(["session", "out.webm"] if name == "export-video" else [])]
        command += ["session"] if name in ("review", "report") else []
        assert parser.parse_args([*command, "--local-only"]).local_only, name
        assert parser.parse_args(["--local-only", *command]).local_only, name
        assert not getattr(parser.parse_args(command), "local_only", False), name
    assert parser.parse_args(["--self-test", "--local-only"]).local_only


def run_app(*args: str, home: UserHome) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=home.env(key=FAKE_KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stream_refuses_another_server_in_local_only_mode(tmp_path: Path) -> None:
    home = UserHome(tmp_path / "home")
    done = run_app(
        "stream", "--local-only", "--source", "synthetic", "--url", "wss://api.interhuman.ai/v0/stream/analyze",
        home=home,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "interhuman-live stream: Local-only mode is on, so the app connects to no other computer: "
        "api.interhuman.ai is not this computer. Use Local analysis, or leave out --local-only."
    )


def test_the_analyzer_refuses_to_listen_beyond_this_computer_in_local_only_mode(tmp_path: Path) -> None:
    done = run_app("analyzer", "--local-only", "--host", "0.0.0.0", "--key", "k", home=UserHome(tmp_path))
    assert done.returncode == 2
    assert (
        "Local-only mode is on" in done.stderr and "Use 127.0.0.1, or leave out --local-only" in done.stderr
    )
