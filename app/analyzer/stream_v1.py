"""One v1/v2 analyzer connection (PROTOCOL-V1.md §5, §7(b)): ready → streaming → closing → ended.

`session.ready` goes out first (or, for a model the endpoint does not serve, `ih4005` and close
1008 instead). Text frames are the session config (answered by `session.updated`, or by a
non-fatal `ih6001`) and the close request; binary frames are the continuous stream, written
into the `ChunkPipe` that one demux thread reads. Analysis runs in the executor, one window
at a time: when it falls behind, only the newest waiting window is analysed and the others
are reported as `coverage.dropped`. The close request drains: `session.closing`, the stream's
end, the last windows, `signal.ended` for what is still active, `session.ended`, close 1000.

Fatal errors close the socket: a stream that does not start with a header (`ih5004`) or cannot
be read on (`ih5002`) with 1008, an idle connection (`ih6003`) with 1008, the maximum session
length (`ih6004`) with 1000. A frame over the chunk limit is `ih6002` (numbered from 1) and
skipped; the stream goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from app.analyzer.envelopes import EnvelopeSynthesizer, Outgoing, Wants
from app.analyzer.rules import Interpretation
from app.analyzer.stream_demux import (
    ChunkPipe,
    DemuxEvent,
    MediaSkipped,
    NoVideo,
    StreamDemuxer,
    StreamEnded,
    StreamFailed,
    WindowReady,
)
from app.analyzer.stream_window import MediaTimeline, MediaWindow
from app.model.error_codes import CLOSE_NORMAL, CLOSE_POLICY_VIOLATION
from app.model.vocabulary import INCLUDE_FLAGS
from app.model.wire_v0 import UnparsedMessage
from app.model.wire_v1 import (
    GOAL_DIMENSIONS,
    MODELS,
    CloseRequest,
    ConfigFrame,
    ConfigOptions,
    EnvelopeData,
    EnvelopeType,
    ErrorData,
    SessionClosing,
    SessionEnded,
    SessionReady,
    SessionUpdated,
    envelope_json,
    parse_client_frame,
)

log = logging.getLogger(__name__)

ERROR_LINK = "https://docs.interhuman.ai/api-reference/error-handling#{code}"
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
WindowAnalyse = Callable[[MediaWindow], Interpretation]


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """What `session.ready` promises, and the server holds to."""

    idle_timeout_s: float = 30.0
    max_session_s: float = 4 * 3600.0
    max_chunk_bytes: int = 32 * 1024 * 1024
    max_drain_s: float = 30.0
    max_analysis_wait_s: float = 2.0
    """A window that waited this long for analysis is given up for a newer one (coverage.dropped):
    results that far behind the live moment would only mislead."""


@dataclass(frozen=True, slots=True)
class StreamV1Options:
    correlation_id: str
    version: str
    """'v1' or 'v2'."""
    model: str | None = None
    model_error: str | None = None
    """Why the handshake's `model` cannot be served, when it cannot."""
    client_request_id: str | None = None


class StreamSessionV1:
    def __init__(
        self,
        websocket: ServerConnection,
        options: StreamV1Options,
        executor: Executor,
        analyse: WindowAnalyse,
        limits: StreamLimits,
    ) -> None:
        self._websocket = websocket
        self._options = options
        self._executor = executor
        self._analyse = analyse
        self._limits = limits
        self._wants = Wants(version=options.version, model=options.model)
        self._synthesizer = EnvelopeSynthesizer()
        self._pipe = ChunkPipe()
        self._events: asyncio.Queue[DemuxEvent] = asyncio.Queue()
        self._demuxer: StreamDemuxer | None = None
        self._frames = 0
        self._closing = False
        self._ended = False
        self._started = time.monotonic()

    async def run(self) -> None:
        if self._options.model_error is not None:
            await self._fail("ih4005", self._options.model_error, CLOSE_POLICY_VIOLATION)
            return
        await self._send("session.ready", self._ready())
        reader = asyncio.create_task(self._read(), name="analyzer-v1-reader")
        worker = asyncio.create_task(self._work(), name="analyzer-v1-worker")
        try:
            await asyncio.wait({reader, worker}, return_when=asyncio.FIRST_COMPLETED)
            if reader.done() and not worker.done() and self._closing and not self._ended:
                # The client asked to close and is waiting for the drain: let it finish.
                await asyncio.wait({worker}, timeout=self._limits.max_drain_s + 1.0)
        finally:
            self._pipe.abort()
            for task in (reader, worker):
                task.cancel()
            await asyncio.gather(reader, worker, return_exceptions=True)
            if self._demuxer is not None and not await asyncio.to_thread(self._demuxer.join, 10.0):
                log.error("the demux thread of %s did not end", self._cid)
        for task in (reader, worker):
            failure = None if task.cancelled() else task.exception()
            if failure is not None and not isinstance(failure, ConnectionClosed):
                log.error("%s on %s failed", task.get_name(), self._cid, exc_info=failure)
                await self._websocket.close(1011, "internal error")
        log.info("v1 connection %s closed after %d frames", self._cid, self._frames)

    # --- the socket ---

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while not self._ended:
                frame = await self._receive()
                if frame is None:
                    return
                if isinstance(frame, str):
                    await self._text(frame)
                else:
                    await self._binary(frame)

    async def _receive(self) -> str | bytes | None:
        left = self._limits.max_session_s - (time.monotonic() - self._started)
        timeout = min(self._limits.idle_timeout_s, max(0.0, left))
        try:
            return await asyncio.wait_for(self._websocket.recv(), timeout)
        except TimeoutError:
            if self._closing:
                return None
            if time.monotonic() - self._started >= self._limits.max_session_s:
                await self._fail(
                    "ih6004", "The session reached its maximum length: open a new one.", CLOSE_NORMAL
                )
            else:
                await self._fail(
                    "ih6003",
                    "Nothing was received for too long: the session is closed.",
                    CLOSE_POLICY_VIOLATION,
                )
            return None

    async def _text(self, frame: str) -> None:
        parsed = parse_client_frame(frame)
        if isinstance(parsed, CloseRequest):
            if not self._closing:
                self._closing = True
                await self._send(
                    "session.closing", SessionClosing(max_drain_seconds=round(self._limits.max_drain_s))
                )
                self._pipe.end()
                if self._demuxer is None:
                    await self._events.put(StreamEnded(0.0))
            return
        if isinstance(parsed, UnparsedMessage):
            await self._error("ih6001", f"The session config could not be read: {parsed.reason}.")
            return
        problem = self._config_problem(parsed)
        if problem is not None:
            await self._error("ih6001", problem)
            return
        model = parsed.model if parsed.model is not None else self._wants.model
        self._wants = Wants(
            include=frozenset(parsed.include or ()),
            goal_dimensions=tuple(parsed.goal_dimensions or ()),
            version=self._options.version,
            model=model,
            delivery=bool(parsed.local_delivery),
        )
        updated = SessionUpdated(
            include=sorted(self._wants.include),
            goal_dimensions=list(self._wants.goal_dimensions) or None,
            model=self._wants.model if self._options.version == "v2" else None,
        )
        await self._send("session.updated", updated)

    def _config_problem(self, config: ConfigFrame) -> str | None:
        unknown = [f for f in config.include or () if f not in INCLUDE_FLAGS]
        if unknown:
            return f"Unknown include flags {unknown}: use {', '.join(INCLUDE_FLAGS)}."
        odd = [d for d in config.goal_dimensions or () if d not in GOAL_DIMENSIONS]
        if odd:
            return f"Unknown goal dimensions {odd}: use {', '.join(GOAL_DIMENSIONS)}."
        if config.model is not None:
            if self._options.version != "v2":
                return "/v1/stream/analyze offers no model choice; use /v2/stream/analyze."
            if config.model not in MODELS:
                return f"Unknown model {config.model!r}: use {', '.join(MODELS)}."
            if self._frames and config.model != self._wants.model:
                return "The model can only be chosen before the first media frame."
        if config.audio_format is not None:
            return "Local analysis reads WebM streams only; raw PCM audio is not supported."
        return None

    async def _binary(self, frame: bytes) -> None:
        self._frames += 1
        if self._closing:
            return
        if len(frame) > self._limits.max_chunk_bytes:
            limit = self._limits.max_chunk_bytes // (1024 * 1024)
            await self._error(
                "ih6002",
                f"Frame {self._frames} is {len(frame) / 2**20:.1f} MiB; the limit is {limit} MiB. "
                "Send smaller chunks.",
                segment=self._frames,
            )
            return
        if self._demuxer is None:
            if not frame.startswith(EBML_MAGIC):
                await self._fail(
                    "ih5004",
                    "The first media frame must carry the WebM header (EBML and Tracks).",
                    CLOSE_POLICY_VIOLATION,
                    segment=self._frames,
                )
                return
            loop = asyncio.get_running_loop()

            def on_event(event: DemuxEvent) -> None:
                loop.call_soon_threadsafe(self._events.put_nowait, event)

            self._demuxer = StreamDemuxer(self._pipe, on_event, MediaTimeline())
            self._demuxer.start()
        if not self._pipe.offer(frame):
            await asyncio.to_thread(self._pipe.put, frame)

    # --- analysis ---

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            event = await self._events.get()
            if isinstance(event, WindowReady):
                window, overtaken = self._newest(event)
                if overtaken:
                    await self._send_outgoing(self._synthesizer.dropped(overtaken))
                try:
                    found = await loop.run_in_executor(self._executor, self._analyse, window)
                except Exception:
                    log.exception("a window of %s failed", self._cid)
                    await self._error("ih1001", "The local analyzer failed on a stretch of the stream.")
                    continue
                for kind, data in self._synthesizer.window(window, found, self._wants):
                    await self._send(kind, data)
            elif isinstance(event, MediaSkipped):
                await self._send_outgoing(self._synthesizer.dropped([(event.start, event.end)]))
            elif isinstance(event, NoVideo):
                if self._wants.model != "inter-2-audio":
                    await self._error("ih5001", "The stream has no video track: only its audio is analysed.")
            elif isinstance(event, StreamFailed):
                await self._fail(event.code, event.message, CLOSE_POLICY_VIOLATION)
                return
            elif isinstance(event, StreamEnded):
                if self._closing:
                    for kind, data in self._synthesizer.finish(event.media_end_s):
                        await self._send(kind, data)
                    await self._send("session.ended", SessionEnded(reason="client_shutdown"))
                    self._ended = True
                    await self._websocket.close(CLOSE_NORMAL)
                return

    def _newest(self, first: WindowReady) -> tuple[MediaWindow, list[tuple[float, float]]]:
        """The next window to analyse: the oldest that has not waited too long, or else the
        newest; the new parts of those given up (never analysed)."""
        waiting = [first]
        held: list[DemuxEvent] = []
        while not self._events.empty():
            event = self._events.get_nowait()
            (waiting if isinstance(event, WindowReady) else held).append(event)  # type: ignore[arg-type]
        now = time.monotonic()
        given_up: list[tuple[float, float]] = []
        while len(waiting) > 1 and now - waiting[0].ready_at > self._limits.max_analysis_wait_s:
            stale = waiting.pop(0).window
            given_up.append((stale.new_from, stale.end))
        for event in [*waiting[1:], *held]:
            self._events.put_nowait(event)
        if given_up:
            log.info("analysis of %s is behind: %d windows given up", self._cid, len(given_up))
        return waiting[0].window, given_up

    # --- sending ---

    def _ready(self) -> SessionReady:
        v2 = self._options.version == "v2"
        return SessionReady(
            session_idle_timeout_seconds=round(self._limits.idle_timeout_s),
            session_max_duration_seconds=round(self._limits.max_session_s),
            max_segment_duration_seconds=None,
            min_segment_size_bytes=1,
            max_segment_size_bytes=self._limits.max_chunk_bytes,
            supported_session_config_options=ConfigOptions(
                include=list(INCLUDE_FLAGS),
                goal_dimensions=list(GOAL_DIMENSIONS),
                model=list(MODELS) if v2 else None,
            ),
        )

    async def _send_outgoing(self, outgoing: Outgoing) -> None:
        await self._send(*outgoing)

    async def _send(self, kind: EnvelopeType, data: EnvelopeData) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._websocket.send(envelope_json(kind, data, self._cid))

    async def _error(self, code: str, message: str, *, segment: int | None = None) -> None:
        log.info("%s on %s: %s", code, self._cid, message)
        await self._send(
            "error", ErrorData(code=code, message=message, link=ERROR_LINK.format(code=code), segment=segment)
        )

    async def _fail(self, code: str, message: str, close_code: int, *, segment: int | None = None) -> None:
        await self._error(code, message, segment=segment)
        self._ended = True
        with contextlib.suppress(ConnectionClosed):
            await self._websocket.close(close_code, message[:120])

    @property
    def _cid(self) -> str:
        return self._options.correlation_id
