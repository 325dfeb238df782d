"""A scriptable v1/v2 stream server for the tests: a real websockets server on 127.0.0.1 that follows
PROTOCOL-V1.md, with the service's failures on demand (the v0 one is `protocol_server`).

It decodes no media: it reads each Cluster's timestamp from the chunk's first bytes, and the
envelopes it sends are made up from there (an engagement state per chunk, alternating; a signal
opened on the first chunk and closed at the drain; a quality window per chunk). The n-th
upgrade request follows `scripts[n - 1]`; the last script repeats for later ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from app.model.wire_v1 import PATH_V1, PATH_V2
from capture.webm import read_vint

log = logging.getLogger(__name__)
_WIRE_LOG = logging.getLogger("stream_server.wire")
_WIRE_LOG.setLevel(logging.INFO)

CLUSTER_ID = b"\x1f\x43\xb6\x75"
STATES = ("engaged", "neutral")
_SCORES = {
    "quality_index": 60.0,
    "clarity": 60.0,
    "authority": 62.0,
    "energy": 58.0,
    "rapport": 60.0,
    "learning": 60.0,
}


@dataclass
class StreamScript:
    max_chunk_bytes: int = 32 * 1024 * 1024
    """What session.ready promises."""
    enforced_max_bytes: int | None = None
    """What the server really takes (default: what it promised); a chunk over it gets ih6002."""
    close_before_ready: int | None = None
    """Close with this code right after the upgrade, before session.ready."""
    error_before_ready: tuple[str, int] | None = None
    """(code, close code): an error envelope, then the close, instead of session.ready."""
    ready_delay_s: float = 0.0
    extra_frames: list[str | bytes] = field(default_factory=list)
    """Sent right after session.ready."""
    abort_after: int | None = None
    """Drop the TCP connection (no close frame) when this many media chunks have arrived."""
    read_delay_s: float = 0.0
    """A slow server: it waits this long before reading each of its first `slow_frames` frames
    (and holds little in its buffers meanwhile), then reads at full speed."""
    slow_frames: int = 0
    drain: bool = True
    """Answer the close request with session.closing … session.ended (else ignore it)."""
    reject: tuple[int, dict[str, Any] | None] | None = None


@dataclass
class StreamLog:
    number: int
    attempt: int
    path: str
    query: dict[str, list[str]]
    headers: Headers
    correlation_id: str
    configs: list[dict[str, Any]] = field(default_factory=list)
    chunk_sizes: list[int] = field(default_factory=list)
    cluster_ms: list[int | None] = field(default_factory=list)
    """Each media chunk's first Cluster timestamp (stream time, ms); None for the header."""
    headers_seen: int = 0
    close_requested: bool = False
    close_code: int | None = None


class StreamServer:
    def __init__(self, *scripts: StreamScript, key: str | None = None) -> None:
        self.scripts = list(scripts) or [StreamScript()]
        self.key = key
        self.attempts = 0
        self.connections: list[StreamLog] = []
        self._server: Server | None = None
        self._pending: dict[int, StreamLog] = {}

    async def __aenter__(self) -> StreamServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            process_response=self._process_response,
            max_size=64 * 1024 * 1024,
            max_queue=1,  # what it has not read stays in the network, as with a busy service
            compression=None,
            logger=_WIRE_LOG,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH_V1}"

    @property
    def url_v2(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH_V2}"

    def script(self, attempt: int) -> StreamScript:
        return self.scripts[min(attempt, len(self.scripts)) - 1]

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.attempts += 1
        parts = urlsplit(request.path)
        if parts.path not in (PATH_V1, PATH_V2):
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found\n")
        script = self.script(self.attempts)
        if script.reject is not None:
            return _json_response(connection, *script.reject)
        if self.key is not None and request.headers.get("Authorization") != f"Bearer {self.key}":
            body = {"status": "error", "error_id": "ih2001", "message": "Invalid API key"}
            return _json_response(connection, 401, body)
        self._pending[id(connection)] = StreamLog(
            len(self.connections) + len(self._pending) + 1,
            self.attempts,
            parts.path,
            parse_qs(parts.query),
            Headers(request.headers),
            str(uuid.uuid4()),
        )
        return None

    def _process_response(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        entry = self._pending.get(id(connection))
        if entry is not None and response.status_code == 101:
            response.headers["X-Correlation-ID"] = entry.correlation_id
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        entry = self._pending.pop(id(ws))
        self.connections.append(entry)
        if self.script(entry.attempt).read_delay_s:
            sock = ws.transport.get_extra_info("socket") if ws.transport is not None else None
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        try:
            await _StreamSession(ws, entry, self.script(entry.attempt)).run()
        except ConnectionClosed:
            pass
        finally:
            entry.close_code = ws.close_code


class _StreamSession:
    def __init__(self, ws: ServerConnection, entry: StreamLog, script: StreamScript) -> None:
        self.ws, self.entry, self.script = ws, entry, script
        self.chunks = 0
        self.signal_open = False
        self.last_s = 0.0

    async def run(self) -> None:
        script = self.script
        if script.close_before_ready is not None:
            await self.ws.close(script.close_before_ready, "scripted close before ready")
            return
        if script.error_before_ready is not None:
            code, close_code = script.error_before_ready
            await self.send("error", {"code": code, "message": f"scripted {code}", "link": None})
            await self.ws.close(close_code, f"scripted {code}")
            return
        await asyncio.sleep(script.ready_delay_s)
        await self.send("session.ready", _ready(script.max_chunk_bytes, self.entry.path == PATH_V2))
        for extra in script.extra_frames:
            await self.ws.send(extra)
        frames = 0
        while True:
            if frames < script.slow_frames:
                await asyncio.sleep(script.read_delay_s)
            frame = await self.ws.recv()
            frames += 1
            if isinstance(frame, str):
                if await self.text(json.loads(frame)):
                    return
            else:
                await self.media(frame)

    async def text(self, message: dict[str, Any]) -> bool:
        if message.get("type") == "session.close":
            self.entry.close_requested = True
            if not self.script.drain:
                return False
            await self.send("session.closing", {"max_drain_seconds": 5})
            if self.signal_open:
                await self.send("signal.ended", {"signal_type": "interest", "end": self.last_s})
            await self.send("session.ended", {"reason": "client_shutdown"})
            await self.ws.close(1000)
            return True
        self.entry.configs.append(message)
        updated = {"include": message.get("include", []), "goal_dimensions": message.get("goal_dimensions")}
        await self.send("session.updated", {**updated, "model": None})
        return False

    async def media(self, frame: bytes) -> None:
        entry = self.entry
        entry.chunk_sizes.append(len(frame))
        if len(frame) > (self.script.enforced_max_bytes or self.script.max_chunk_bytes):
            message = f"chunk {len(entry.chunk_sizes)} is too large"
            await self.send(
                "error", {"code": "ih6002", "message": message, "segment": len(entry.chunk_sizes)}
            )
            entry.cluster_ms.append(None)
            return
        if frame.startswith(b"\x1a\x45\xdf\xa3"):
            entry.headers_seen += 1
            entry.cluster_ms.append(None)
            return
        start_ms = _cluster_ms(frame)
        entry.cluster_ms.append(start_ms)
        self.chunks += 1
        if self.script.abort_after == self.chunks:
            assert self.ws.transport is not None
            self.ws.transport.abort()
            return
        if start_ms is None:
            return
        start = start_ms / 1000
        end = float(int(start) + 1)
        self.last_s = end
        await self.send("engagement.updated", {"state": STATES[self.chunks % 2], "start": start})
        if not self.signal_open:
            self.signal_open = True
            signal = {
                "signal_type": "interest",
                "start": start,
                "probability": "high",
                "rationale": "scripted",
            }
            await self.send("signal.detected", signal)
        timeline = [{"start": start, "end": end, "values": _SCORES}]
        await self.send("conversation_quality.updated", {"overall": _SCORES, "timeline": timeline})

    async def send(self, kind: str, data: dict[str, Any]) -> None:
        stamp = datetime.now(UTC).isoformat()
        body = {"type": kind, "timestamp": stamp, "correlation_id": self.entry.correlation_id, "data": data}
        await self.ws.send(json.dumps(body))


def _ready(max_chunk_bytes: int, v2: bool) -> dict[str, Any]:
    return {
        "session_idle_timeout_seconds": 30,
        "session_max_duration_seconds": 3600,
        "max_segment_duration_seconds": None,
        "min_segment_size_bytes": 1,
        "max_segment_size_bytes": max_chunk_bytes,
        "supported_session_config_options": {
            "include": ["conversation_quality_overall", "conversation_quality_timeline"],
            "goal_dimensions": ["clarity", "authority", "energy", "rapport", "learning"],
            "model": ["inter-2", "inter-2-audio"] if v2 else None,
        },
    }


def _cluster_ms(chunk: bytes) -> int | None:
    """The first Cluster's Timestamp (an unsigned integer element, ID E7, right after its head)."""
    if not chunk.startswith(CLUSTER_ID):
        return None
    _, width = read_vint(chunk, len(CLUSTER_ID))
    at = len(CLUSTER_ID) + width
    if chunk[at : at + 1] != b"\xe7":
        return None
    size, size_width = read_vint(chunk, at + 1)
    start = at + 1 + size_width
    return int.from_bytes(chunk[start : start + size], "big")


def _json_response(connection: ServerConnection, status: int, body: dict[str, Any] | None) -> Response:
    response = connection.respond(status, "" if body is None else json.dumps(body))
    if body is not None:
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
    return response
