"""The local analyzer's WebSocket server: handshake, routing and the executor (PROTOCOL.md §2, §8,
PROTOCOL-V1.md §1–§2).

It checks the upgrade as the real service does: only the v0, v1 and v2 stream paths (anything
else is 404), and, when started with a key, the key as `Authorization: Bearer <key>` or as the
single `Sec-WebSocket-Protocol` value (then selected as the subprotocol); otherwise 401 with a
JSON error. Every upgrade response carries an `X-Correlation-ID`, logged next to the client's
`X-Client-Request-Id`. The key itself is never logged. Query parameters other than v0's
`include[]` and v2's `model` (such as the SDK's `ih_sdk` pair) are ignored.

Analysis runs in a thread pool: PyAV decoding, OpenCV's cascade and numpy's FFTs release the
GIL, and a thread pool needs no process start-up or copying of segments (bench/analyzer.py
measures both pools).
"""

from __future__ import annotations

import hmac
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from app import __version__
from app.analyzer.analysis import analyse_segment
from app.analyzer.connection import (
    DEFAULT_IDLE_TIMEOUT_S,
    Analyse,
    StreamOptions,
    StreamSession,
    error_message,
)
from app.analyzer.stream_v1 import StreamLimits, StreamSessionV1, StreamV1Options, WindowAnalyse
from app.analyzer.window_analysis import WindowAnalyser
from app.model.vocabulary import INCLUDE_FLAGS
from app.model.wire_v0 import PATH_V0
from app.model.wire_v1 import DEFAULT_MODEL, MODELS, PATH_V1, PATH_V2

if TYPE_CHECKING:
    from websockets.server import ServerProtocol

log = logging.getLogger(__name__)
# websockets logs every handshake header (a key among them) and frame at DEBUG: its logger for this
# server stops at INFO, whatever the application's level.
_wire_log = logging.getLogger(f"{__name__}.websockets")
_wire_log.setLevel(logging.INFO)

LOOPBACK = "127.0.0.1"
MAX_FRAME_BYTES = 128 * 1024 * 1024
"""Frames up to this size are read, so that one over the protocols' caps (20 MiB for a v0
segment, 32 MiB for a v1/v2 chunk) is answered with ih6002 instead of the connection being
closed; beyond it (four times the larger cap) the library closes with 1009."""
CLOSE_TIMEOUT_S = 2.0
"""How long closing waits for a client's goodbye: a client on a blocked thread (the app's own
uplink while its thread stops the embedded analyzer) must not hold the shutdown for long."""
SERVER_HEADER = f"interhuman-live-local-analysis/{__version__}"
_INCLUDE_KEYS = ("include[]", "include")


VERSION_PATHS = {"v0": PATH_V0, "v1": PATH_V1, "v2": PATH_V2}


class AnalyzerConnection(ServerConnection):
    """A server connection that carries what its upgrade request settled."""

    def __init__(self, protocol: ServerProtocol, server: Server, **settings: Any) -> None:
        super().__init__(protocol, server, **settings)
        self.options = StreamOptions(correlation_id=str(uuid.uuid4()), include=frozenset())
        self.v1_options: StreamV1Options | None = None
        """Set for a v1/v2 connection."""


class AnalyzerServer:
    """The server on an event loop of the caller's choosing (see `embedded` for its own thread)."""

    def __init__(
        self,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        key: str | None = None,
        workers: int | None = None,
        analyse: Analyse = analyse_segment,
        window_analyser: Callable[[], WindowAnalyse] = WindowAnalyser,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
        limits: StreamLimits | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._key = key or None
        self._workers = workers or min(2, os.cpu_count() or 1)
        self._analyse = analyse
        self._window_analyser = window_analyser
        """Makes each v1/v2 connection's analyser (it keeps what it measured for the next window)."""
        self._idle_timeout_s = idle_timeout_s
        self._limits = limits or StreamLimits(idle_timeout_s=idle_timeout_s)
        self._server: Server | None = None
        self._executor: Executor | None = None
        self.url = ""
        """The v0 stream URL once listening (`url_for` gives each version's)."""
        self.base_url = ""
        """`http://HOST:PORT`, the form Interhuman's SDK takes as its `base_url`."""

    async def start(self) -> str:
        """Listen, and return the stream URL (`ws://HOST:PORT/v0/stream/analyze`)."""
        self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="analyzer")
        try:
            self._server = await serve(
                self._handle,
                self._host,
                self._port,
                process_request=self._check_request,
                process_response=self._stamp_response,
                select_subprotocol=_select_subprotocol,
                create_connection=AnalyzerConnection,
                compression=None,  # segments are compressed video: deflate would only cost time
                max_size=MAX_FRAME_BYTES,
                close_timeout=CLOSE_TIMEOUT_S,
                server_header=SERVER_HEADER,
                logger=_wire_log,
            )
        except OSError:
            self._executor.shutdown(wait=False)
            raise
        host, port = self._server.sockets[0].getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"ws://{shown}:{port}{PATH_V0}"
        self.base_url = f"http://{shown}:{port}"
        log.info(
            "local analyzer listening on ws://%s:%d for v0, v1 and v2 (%s)",
            shown,
            port,
            "key required" if self._key else "no key",
        )
        return self.url

    def url_for(self, version: str) -> str:
        """The stream URL of protocol `version` ('v0', 'v1' or 'v2') once listening."""
        return self.url.removesuffix(PATH_V0) + VERSION_PATHS[version]

    async def close(self) -> None:
        """Close every connection (1001), wait for their handlers, and stop the analysis threads."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._executor is not None:
            executor, self._executor = self._executor, None
            # A segment mid-analysis finishes (its answer is dropped); queued ones are cancelled.
            executor.shutdown(wait=True, cancel_futures=True)
        log.info("local analyzer stopped")

    async def __aenter__(self) -> AnalyzerServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _handle(self, connection: ServerConnection) -> None:
        assert isinstance(connection, AnalyzerConnection) and self._executor is not None
        if connection.v1_options is not None:
            await StreamSessionV1(
                connection, connection.v1_options, self._executor, self._window_analyser(), self._limits
            ).run()
            return
        await StreamSession(
            connection, connection.options, self._executor, self._analyse, self._idle_timeout_s
        ).run()

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        assert isinstance(connection, AnalyzerConnection)
        url = urlsplit(request.path)
        cid = connection.options.correlation_id
        version = next((v for v, path in VERSION_PATHS.items() if path == url.path), None)
        if version is None:
            log.info("upgrade %s for unknown path %r: 404", cid, url.path)
            served = ", ".join(VERSION_PATHS.values())
            return connection.respond(HTTPStatus.NOT_FOUND, f"Not found: the analyzer serves {served}\n")
        query = parse_qsl(url.query)
        include = frozenset(value for key, value in query if key in _INCLUDE_KEYS and value in INCLUDE_FLAGS)
        client_id = _single(request.headers, "X-Client-Request-Id")
        connection.options = StreamOptions(correlation_id=cid, include=include, client_request_id=client_id)
        if version != "v0":
            model, problem = _model_of(version, [value for key, value in query if key == "model"])
            connection.v1_options = StreamV1Options(cid, version, model, problem, client_id)
        if self._key is not None:
            credential = _credential(request.headers)
            if credential is None or not hmac.compare_digest(credential.encode(), self._key.encode()):
                log.info("upgrade %s (client request %s) refused: %s", cid, client_id, _why(credential))
                return _unauthorized(connection, cid, missing=credential is None)
        log.info("%s connection %s opened (client request %s)", version, cid, client_id)
        return None

    def _stamp_response(self, connection: ServerConnection, request: Request, response: Response) -> None:
        assert isinstance(connection, AnalyzerConnection)
        response.headers["X-Correlation-ID"] = connection.options.correlation_id


def _model_of(version: str, asked: list[str]) -> tuple[str | None, str | None]:
    """The model a v1/v2 connection is analysed with, and why the one asked for cannot be."""
    if version == "v1":
        if asked:
            return None, "/v1/stream/analyze offers no model choice: use /v2/stream/analyze for a model."
        return None, None
    model = asked[-1] if asked else DEFAULT_MODEL
    if model not in MODELS:
        return None, f"This endpoint serves the models {', '.join(MODELS)}, not {model!r}."
    return model, None


def _credential(headers: Headers) -> str | None:
    authorization = _single(headers, "Authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    offered = _subprotocols(headers)
    return offered[0] if len(offered) == 1 else None


def _select_subprotocol(connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    # A client that sends its credential as the protocol expects it back, or it drops the connection.
    return offered[0] if len(offered) == 1 else None


def _subprotocols(headers: Headers) -> list[str]:
    values = ",".join(headers.get_all("Sec-WebSocket-Protocol"))
    return [part.strip() for part in values.split(",") if part.strip()]


def _single(headers: Headers, name: str) -> str | None:
    values = headers.get_all(name)
    return values[0] if values else None


def _why(credential: str | None) -> str:
    return "no credential" if credential is None else "wrong credential"


def _unauthorized(connection: ServerConnection, cid: str, *, missing: bool) -> Response:
    message = (
        "No API key was sent: send it as 'Authorization: Bearer <key>'."
        if missing
        else "The API key was not accepted: check the key this analyzer was started with."
    )
    error = error_message("ih2002" if missing else "ih2001", message, segment=None, correlation_id=cid)
    response = connection.respond(HTTPStatus.UNAUTHORIZED, error.model_dump_json(exclude_none=True))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response
