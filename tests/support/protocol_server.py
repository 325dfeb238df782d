"""A scriptable v0 stream server for the tests: a real websockets server on 127.0.0.1 that follows
PROTOCOL.md, with the service's variations and failures on demand.

It decodes nothing (the local analyzer does that): each binary frame counts as `Script.segment_s`
seconds of media, and the results it sends are made up from the segment's place in the
connection. The n-th upgrade request follows `scripts[n - 1]`; the last script repeats for later ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from app.model.error_codes import ERROR_MEANINGS
from app.model.wire_v0 import PATH_V0

log = logging.getLogger(__name__)
# websockets prints handshake headers (the key among them) at DEBUG: keep the server's copy quiet,
# so a test that looks for the key in every log record sees only what the client wrote.
_WIRE_LOG = logging.getLogger("protocol_server.wire")
_WIRE_LOG.setLevel(logging.INFO)

LINK = "https://docs.interhuman.ai/errors"
STATES = ("engaged", "neutral", "disengaged")


@dataclass
class Script:
    segment_s: float = 3.2
    """Media seconds each segment counts for in connection time."""
    time_base: Literal["connection", "segment"] = "connection"
    older_forms: bool = False
    """Capitalised signal types without probability/rationale, and errors as a single `error` text."""
    delay_s: float = 0.0
    """Processing time per segment; segments are processed one after the other."""
    in_pairs: bool = False
    """Answer segments two at a time, interleaved: result n+1, result n, completed n, completed n+1."""
    errors: dict[int, str] = field(default_factory=dict)
    """Segment number → the error id answered instead of a result."""
    extra_frames: list[str | bytes] = field(default_factory=list)
    """Sent right after the first `processing`."""
    abort_after: int | None = None
    """Drop the TCP connection (no close frame) when this many segments have arrived."""
    close_after: tuple[int, int] | None = None
    """(segments, code): close with `code` when this many segments have arrived."""
    reject: tuple[int, dict[str, Any] | None] | None = None
    """Refuse the upgrade with this HTTP status and JSON body."""
    withhold_completed: bool = False
    """Send each result but never its `completed`, as a server that hangs after analysing might."""


@dataclass
class ConnectionLog:
    number: int
    attempt: int
    """The upgrade request this connection answered: its script is `scripts[attempt - 1]`."""
    path: str
    flags: list[str]
    headers: Headers
    correlation_id: str
    subprotocol: str | None = None
    segment_sizes: list[int] = field(default_factory=list)
    arrived_at: list[float] = field(default_factory=list)
    """`time.monotonic()` when each binary frame had arrived whole."""
    max_unanswered: int = 0
    close_code: int | None = None


class ProtocolServer:
    def __init__(self, *scripts: Script, key: str | None = None, port: int = 0) -> None:
        self.scripts = list(scripts) or [Script()]
        self.key = key
        self._wanted_port = port
        """0: a port the system picks; else this one (a server that comes up where one was missing)."""
        self.attempts = 0
        """Upgrade requests, refused ones included."""
        self.connections: list[ConnectionLog] = []
        self._server: Server | None = None
        self._pending: dict[int, ConnectionLog] = {}

    async def __aenter__(self) -> ProtocolServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            self._wanted_port,
            process_request=self._process_request,
            process_response=self._process_response,
            select_subprotocol=self._select_subprotocol,
            max_size=32 * 1024 * 1024,
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
        return f"ws://127.0.0.1:{self.port}{PATH_V0}"

    def drop_connections(self) -> None:
        """Drop every open connection without a close frame, as a network failure does."""
        assert self._server is not None
        for connection in self._server.connections:
            assert connection.transport is not None
            connection.transport.abort()

    def script(self, attempt: int) -> Script:
        return self.scripts[min(attempt, len(self.scripts)) - 1]

    # -- handshake -----------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.attempts += 1
        parts = urlsplit(request.path)
        if parts.path != PATH_V0:
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found\n")
        script = self.script(self.attempts)
        if script.reject is not None:
            status, body = script.reject
            return _json_response(connection, status, body)
        if self.key is not None and not self._authorised(request):
            return _json_response(
                connection,
                401,
                {"status": "error", "error_id": "ih2001", "message": "Invalid API key", "link": LINK},
            )
        flags = parse_qs(parts.query).get("include[]", [])
        self._pending[id(connection)] = ConnectionLog(
            len(self.connections) + len(self._pending) + 1,
            self.attempts,
            parts.path,
            flags,
            Headers(request.headers),
            str(uuid.uuid4()),
        )
        return None

    def _authorised(self, request: Request) -> bool:
        if request.headers.get("Authorization") == f"Bearer {self.key}":
            return True
        return request.headers.get_all("Sec-WebSocket-Protocol") == [self.key]

    def _select_subprotocol(self, connection: ServerConnection, offered: list[str]) -> str | None:
        return self.key if self.key is not None and offered == [self.key] else None

    def _process_response(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        entry = self._pending.get(id(connection))
        if entry is not None and response.status_code == 101:
            response.headers["X-Correlation-ID"] = entry.correlation_id
        return None

    # -- one connection ------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        entry = self._pending.pop(id(ws))
        entry.subprotocol = ws.subprotocol
        self.connections.append(entry)
        session = _Session(ws, entry, self.script(entry.attempt))
        try:
            await session.run()
        finally:
            await session.cancel()
            entry.close_code = ws.close_code


class _Session:
    def __init__(self, ws: ServerConnection, entry: ConnectionLog, script: Script) -> None:
        self.ws = ws
        self.entry = entry
        self.script = script
        self.media_s = 0.0
        self.overall: list[float] = []
        self.unanswered = 0
        self.previous: asyncio.Task[None] | None = None
        self.waiting_partner: tuple[int, float] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        try:
            async for frame in self.ws:
                if isinstance(frame, str):
                    await self.send_error(None, "ih5004", "Text frames are not part of v0.")
                    continue
                await self.segment_arrived(len(frame))
        except ConnectionClosed:
            pass

    async def segment_arrived(self, size: int) -> None:
        entry, script = self.entry, self.script
        entry.segment_sizes.append(size)
        entry.arrived_at.append(time.monotonic())
        number = len(entry.segment_sizes)
        self.unanswered += 1
        entry.max_unanswered = max(entry.max_unanswered, self.unanswered)
        if script.abort_after == number:
            log.info("aborting connection %d after segment %d", entry.number, number)
            assert self.ws.transport is not None
            self.ws.transport.abort()
            return
        if script.close_after is not None and script.close_after[0] == number:
            await self.ws.close(script.close_after[1], "scripted close")
            return
        await self.send({"status": "processing", "segment": number, "bytes": size})
        if number == 1:
            for extra in script.extra_frames:
                await self.ws.send(extra)
        if script.errors.get(number) is None:
            start = 0.0 if script.time_base == "segment" else self.media_s
            self.media_s += script.segment_s
        else:
            start = 0.0
        previous = self.previous
        self.previous = asyncio.create_task(self.answer(number, start, previous))
        self.tasks.add(self.previous)

    async def answer(self, number: int, start: float, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.shield(previous)
        await asyncio.sleep(self.script.delay_s)
        error_id = self.script.errors.get(number)
        if error_id is not None:
            await self.send_error(number, error_id, ERROR_MEANINGS.get(error_id, "error"))
            self.unanswered -= 1
            return
        if not self.script.in_pairs:
            await self.send(self.result(number, start))
            if not self.script.withhold_completed:
                await self.send({"status": "completed", "segment": number})
                self.unanswered -= 1
            return
        if self.waiting_partner is None:
            self.waiting_partner = (number, start)
            # A lone last segment is answered on its own after a moment.
            lone = asyncio.create_task(self.answer_lone(number))
            self.tasks.add(lone)
            return
        first, first_start = self.waiting_partner
        self.waiting_partner = None
        await self.send(self.result(number, start))
        await self.send(self.result(first, first_start))
        await self.send({"status": "completed", "segment": first})
        await self.send({"status": "completed", "segment": number})
        self.unanswered -= 2

    async def answer_lone(self, number: int) -> None:
        await asyncio.sleep(0.3)
        if self.waiting_partner is not None and self.waiting_partner[0] == number:
            _, start = self.waiting_partner
            self.waiting_partner = None
            await self.send(self.result(number, start))
            await self.send({"status": "completed", "segment": number})
            self.unanswered -= 1

    def result(self, number: int, start: float) -> dict[str, Any]:
        script, flags = self.script, self.entry.flags
        end = start + script.segment_s
        middle = (start + end) / 2
        state = STATES[(number - 1) % len(STATES)]
        signal: dict[str, Any] = {"type": "interest", "start": start + 0.5, "end": end - 0.5}
        if script.older_forms:
            signal["type"] = "Interest"
        else:
            signal.update(probability="high", rationale=f"segment {number}")
        message: dict[str, Any] = {
            "status": "result",
            "segment": number,
            "signals": [signal],
            "engagement_state": [
                {"start": start, "end": middle, "state": state},
                {"start": middle, "end": end, "state": "neutral"},
            ],
        }
        value = 40.0 + 5.0 * number
        self.overall.append(value)
        scores = _scores(value)
        quality: dict[str, Any] = {}
        if "conversation_quality_overall" in flags:
            quality["overall"] = _scores(sum(self.overall) / len(self.overall))
        if "conversation_quality_timeline" in flags:
            quality["timeline"] = [{"start": start, "end": end, "values": scores}]
        if quality:
            message["conversation_quality"] = quality
        return message

    async def send_error(self, number: int | None, error_id: str, text: str) -> None:
        if self.script.older_forms:
            await self.send({"status": "error", "segment": number, "error": text})
        else:
            message = {"status": "error", "segment": number, "error_id": error_id, "message": text}
            await self.send({**message, "link": f"{LINK}#{error_id}"})

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps({**message, "correlation_id": self.entry.correlation_id}))

    async def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def _scores(value: float) -> dict[str, float]:
    dims = {
        "clarity": value,
        "authority": value + 2,
        "energy": value - 2,
        "rapport": value,
        "learning": value,
    }
    return {"quality_index": sum(dims.values()) / len(dims), **dims}


def _json_response(connection: ServerConnection, status: int, body: dict[str, Any] | None) -> Response:
    response = connection.respond(status, "" if body is None else json.dumps(body))
    if body is not None:
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
    return response
