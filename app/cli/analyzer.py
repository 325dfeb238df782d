"""`interhuman-live analyzer`: run the local analyzer server in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import signal
import socket
import sys
from typing import TYPE_CHECKING

from app.model.local_only import host_refusal
from app.model.server_url import is_loopback

if TYPE_CHECKING:
    from app.analyzer.server import AnalyzerServer

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run the local analyzer: an offline server that speaks the Interhuman stream protocols "
        "(v0 segments, v1/v2 continuous streams) and reads cues from the picture and sound. It prints "
        "its URLs, v0 first, one a line, and runs until Ctrl-C. "
        "It speaks plain ws://, unlike the wss-only Interhuman service: listening on anything but "
        "this machine's loopback address is for trusted networks only, and needs a key."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}); another address needs --key",
    )
    parser.add_argument("--port", type=_port, default=0, help="TCP port (default: one the system picks)")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "examples:\n"
        "  interhuman-live analyzer --port 8765\n"
        "      serve ws://127.0.0.1:8765/v0/stream/analyze until Ctrl-C\n"
        "  interhuman-live stream --source synthetic --url ws://127.0.0.1:8765/v0/stream/analyze\n"
        "      (in another terminal) stream the test signal to it"
    )
    parser.add_argument(
        "--key",
        default=None,
        help="require this key from clients, as 'Authorization: Bearer KEY' or as the WebSocket subprotocol",
    )


def run(args: argparse.Namespace) -> int:
    host: str = args.host
    key: str | None = args.key or None
    local_only = bool(getattr(args, "local_only", False))
    refusal = host_refusal(host, how_to_leave="leave out --local-only") if local_only else None
    if refusal:
        print(f"analyzer: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(host) and key is None:
        print(
            f"analyzer: listening on {host} would let other machines use it without a key. "
            "Add --key KEY, or leave out --host to stay on this machine.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Imported here: building the CLI parser must not load av, cv2 or numpy.
    from app.analyzer.server import AnalyzerServer

    server = AnalyzerServer(host=host, port=args.port, key=key)
    try:
        return asyncio.run(_serve(server, host, args.port))
    except KeyboardInterrupt:
        return EXIT_OK


async def _serve(server: AnalyzerServer, host: str, port: int) -> int:
    try:
        url = await server.start()
    except OSError as error:
        print(f"analyzer: cannot listen: {_listen_problem(error, host, port)}", file=sys.stderr)
        return EXIT_FAILED
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no signal handlers on the loop; Ctrl-C still ends asyncio.run there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    print("\n".join([url, server.url_for("v1"), server.url_for("v2")]), flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()
    return EXIT_OK


def _listen_problem(error: OSError, host: str, port: int) -> str:
    """Why listening failed, with the option that fixes it."""
    if isinstance(error, socket.gaierror):
        return f"the host name {host!r} does not resolve. Give an address with --host, e.g. 127.0.0.1."
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this computer. Leave out --host, or give one of its addresses."
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use. Pick another --port, or leave it out for a free one."
    if error.errno == errno.EACCES:
        return f"port {port} needs administrator rights. Pick one above 1023, or leave out --port."
    return f"{(error.strerror or str(error)).rstrip('.')} on {host} port {port}."


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0–65535)")
    return value
