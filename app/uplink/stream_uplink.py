"""`StreamUplink`, the v1/v2 strategy behind `Uplink` (PROTOCOL-V1.md §2–§5)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.model.api_key import Redactor
from app.model.error_codes import classify_close, classify_error
from app.model.events import SessionEvent
from app.model.server_url import ApiVersion, server_url_problem, url_for_api
from app.model.vocabulary import INCLUDE_FLAGS
from app.model.wire_v1 import session_config
from app.uplink.config import UplinkConfig
from app.uplink.envelope_replies import EnvelopeHandler
from app.uplink.failures import (
    AuthRejected,
    QuotaExhausted,
    UplinkFailure,
    auth_rejected,
    quota_exhausted,
    undelivered,
)
from app.uplink.handshake import (
    CLOSE_TIMEOUT_S,
    ConnectError,
    correlation_id,
    credential_problem,
    open_stream,
)
from app.uplink.link_state import LinkState
from app.uplink.replies import Retry, UplinkStats
from app.uplink.stream_sender import StreamSender, bound_send_buffer
from capture.media import Segment, SessionClock
from capture.stream_outbox import StreamOutbox

log = logging.getLogger(__name__)

_TIMELINE = INCLUDE_FLAGS[1]


class LiveStream(Protocol):
    """What streams the media (the encoder): a fresh stream into an outbox on demand."""

    def start_stream(self, outbox: StreamOutbox, max_chunk_bytes: int) -> None: ...

    def stop_stream(self) -> None: ...


class StreamUplink:
    """Each connection is a server session of its own: the upgrade (`?model=` on v2, no include flags),
    `session.ready` within `ready_timeout_s`, the session config (include flags, goal dimensions),
    then the encoder's continuous stream from a fresh header, one chunk per frame, never resent.
    Envelopes become session events (`envelope_replies`). A lost connection (or ih6003/ih6004,
    1006/1011/1013) is a new session: a new stream, its times mapped onto session time, the outage
    a coverage gap, backoff and countdown as on v0; 401/403 and close 4003 are permanent. Stop
    sends the last chunk, `session.close`, waits for `session.ended` (up to `max_drain_seconds`
    and `drain_timeout_s`), and closes with 1000; signals still open end at the last media time.
    """

    def __init__(
        self,
        config: UplinkConfig,
        *,
        api: ApiVersion,
        credential: str | None,
        session_id: str,
        clock: SessionClock,
        on_event: Callable[[SessionEvent], None],
        live_stream: LiveStream,
    ) -> None:
        url = url_for_api(config.url, api)
        problem = server_url_problem(url) or credential_problem(
            credential, in_subprotocol=config.credential_in_subprotocol
        )
        if problem:
            raise ValueError(problem)
        if api == "v1" and config.model is not None:
            raise ValueError("v1 offers no model choice; the model is for v2")
        self._config = config
        self._url = url
        self._query = [("model", config.model)] if api == "v2" and config.model else []
        self._credential = credential
        self._redact = Redactor(credential)
        self._session_id = session_id
        self._clock = clock
        self._live = live_stream
        self._link = LinkState(config, clock, on_event)
        self._stats = self._link.stats
        self._emit = self._link.emit
        self._set_state = self._link.set_state
        self._fail = self._link.fail
        self._stop_asked = asyncio.Event()
        self._drain_cut = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sender = StreamSender(self._link, clock)
        self._stopped = False

    # -- the controller's side -------------------------------------------------------------

    @property
    def failure(self) -> UplinkFailure | None:
        return self._link.failure

    @property
    def paused(self) -> bool:
        return self._sender.paused

    @paused.setter
    def paused(self, value: bool) -> None:
        if value != self._sender.paused:
            log.info("uplink %s", "paused: nothing leaves until resumed" if value else "resumed")
        self._sender.paused = value

    def start(self) -> None:
        if self._task is not None or self._stopped:
            raise RuntimeError("an uplink starts once")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="uplink")

    def submit(self, segment: Segment) -> None:
        """Segments are the recording; the server gets the continuous stream instead."""
        self._stats.submitted += 1

    async def wait_failed(self) -> UplinkFailure:
        await self._link.failed.wait()
        assert self.failure is not None
        return self.failure

    def retry_now(self) -> bool:
        woke = self._link.reconnect.retry_now()
        if woke:
            log.info("reconnecting now, as asked")
        return woke

    def cut_drain(self) -> None:
        self._drain_cut.set()

    async def stop(self, *, wait_for_reconnect: bool = False) -> None:
        """Call once the encoder has stopped: its last chunk is out, so the stream can end. Media
        is never held for a later connection (a new one starts a new stream), so an uplink that
        is not connected stops at once, whatever `wait_for_reconnect` says."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_asked.set()
        # Normally the encoder has stopped and closed the stream already; if not, it ends here.
        self._live.stop_stream()
        self._sender.wake()
        if self._task is not None:
            # Connected, the drain is bounded by the server's grant; away, there is nothing to wait for.
            budget = self._config.drain_timeout_s + self._config.open_timeout_s + CLOSE_TIMEOUT_S
            cut = asyncio.ensure_future(self._drain_cut.wait())
            done, _ = await asyncio.wait(
                {self._task, cut}, timeout=budget, return_when=asyncio.FIRST_COMPLETED
            )
            cut.cancel()
            if self._task not in done:
                log.warning("the stream did not end as asked: closing it")
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.failure is None and self._sender.media_end is None and self._stats.state != "connected":
            # Never through while the session ran: nothing was analysed, and the caller must not
            # take that for a finished session.
            self._fail(undelivered(self._link.last_retry, attempts=self._link.reconnect.failed_in_row))
        if self.failure is None:
            self._set_state("closed")

    def stats(self) -> UplinkStats:
        return replace(self._stats, skipped=dict(self._stats.skipped))

    # -- connections ---------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._connect_loop()
        except Exception:  # a bug here must end the session visibly, not leave it stuck
            log.exception("the uplink failed")
            unexpected = "Streaming stopped unexpectedly. Start again; send the log if it recurs."
            self._fail(UplinkFailure(unexpected))

    async def _connect_loop(self) -> None:
        retry: Retry | None = None
        self._set_state("connecting")
        while not self._stopped:
            if retry is not None:
                pause = asyncio.ensure_future(self._link.reconnect.pause(self._link.reconnecting(retry)))
                stop = asyncio.ensure_future(self._stop_asked.wait())
                await asyncio.wait({pause, stop}, return_when=asyncio.FIRST_COMPLETED)
                for waiter in (pause, stop):
                    waiter.cancel()
                if self._stopped:
                    return  # stopped while away: nothing is in flight to drain
            try:
                socket = await open_stream(
                    self._url,
                    self._credential,
                    session_id=self._session_id,
                    query=self._query,
                    credential_in_subprotocol=self._config.credential_in_subprotocol,
                    open_timeout_s=self._config.open_timeout_s,
                )
            except (AuthRejected, QuotaExhausted) as refusal:
                self._fail(refusal)
                return
            except ConnectError as error:
                retry = Retry(error.reason, slow=error.slow)
                if self._link.attempt_failed(retry):
                    return
                continue
            bound_send_buffer(socket)
            handler = self._handler()
            retry = await self._session(socket, handler)
            if handler.analysed:
                self._link.reconnect.healthy()
            if retry is None:
                return
            if retry.at_once and not handler.analysed:
                # A server that ends every fresh session at once must not get a tight reconnect loop.
                retry = replace(retry, at_once=False)
            if not retry.at_once and self._link.attempt_failed(retry):
                return

    def _handler(self) -> EnvelopeHandler:
        self._stats.connection += 1
        return EnvelopeHandler(
            connection=self._stats.connection,
            clock=self._clock,
            stats=self._stats,
            redact=self._redact,
            emit=self._emit,
            shown_sections=self._config.include,
        )

    async def _session(self, socket: ClientConnection, handler: EnvelopeHandler) -> Retry | None:
        """Serve one connection, a server session, until it ends; returns how to come back."""
        self._stats.correlation_id = correlation_id(socket)
        receiver = asyncio.create_task(self._receive_loop(socket, handler), name="uplink-receiver")
        sender: asyncio.Task[None] | None = None
        try:
            not_ready = await self._await_ready(handler, receiver)
            if not_ready is not None or handler.ready is None:
                return not_ready
            self._set_state("connected")
            await self._configure(socket)
            outbox = StreamOutbox(self._config.max_queued_s, on_ready=self._sender.wake_from_thread())
            self._live.start_stream(outbox, handler.ready.max_segment_size_bytes)
            sender = asyncio.create_task(self._sender.send(socket, outbox, handler), name="uplink-sender")
            await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            if sender.done() and not receiver.done() and sender.exception() is None:
                # The stream is complete and `session.close` sent: the server drains, then ends.
                grant = handler.drain_s if handler.drain_s is not None else self._config.drain_timeout_s
                await asyncio.wait({receiver}, timeout=min(grant, self._config.drain_timeout_s) + 1.0)
                if not receiver.done():
                    log.warning("no session.ended within the drain: closing")
            error = sender.exception() if sender.done() else None
            if error is not None and not isinstance(error, ConnectionClosed):
                raise error
            return await receiver if receiver.done() else None
        finally:
            self._live.stop_stream()
            media_end = self._sender.media_end
            handler.finish(media_end if media_end is not None else handler.origin)
            if not self._stopped:
                self._sender.outage_from = handler.reached if handler.reached is not None else media_end
            for task in (sender, receiver):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                        await task
            await socket.close(1000, "session ended")

    async def _await_ready(
        self, handler: EnvelopeHandler, receiver: asyncio.Task[Retry | None]
    ) -> Retry | None:
        """None once `session.ready` came; else how to come back (giving up is done here)."""
        timeout = self._config.ready_timeout_s
        ready = asyncio.ensure_future(handler.became_ready.wait())
        try:
            await asyncio.wait({receiver, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if handler.ready is not None:
            return None
        if not receiver.done():
            log.warning("no session.ready within %g s", timeout)
            return Retry(f"the server sent no session.ready within {timeout:g} s")
        verdict = await receiver
        refusal = handler.pre_ready_error
        if refusal is None or self.failure is not None:
            return verdict
        kind = classify_error(refusal.code)
        text = refusal.message or refusal.code
        if kind == "auth":
            self._fail(auth_rejected(text, error_id=refusal.code, link=refusal.link, status=None))
        elif kind == "quota":
            self._fail(quota_exhausted(text, link=refusal.link))
        elif refusal.code == "ih4005":
            self._fail(UplinkFailure(f"The server refused the session ({text}). Choose another model."))
        else:
            slow = kind != "session_limit"
            return Retry(f"the server refused the session ({refusal.code}: {text})", slow=slow)
        return None

    async def _configure(self, socket: ClientConnection) -> None:
        # The quality timeline also says how far the analysis has got: asked for even when not shown.
        include = tuple(dict.fromkeys((*self._config.include, _TIMELINE)))
        goals = self._config.goal_dimensions or None
        delivery = self._config.local_delivery
        await socket.send(session_config(include=include, goal_dimensions=goals, local_delivery=delivery))

    async def _receive_loop(self, socket: ClientConnection, handler: EnvelopeHandler) -> Retry | None:
        try:
            async for frame in socket:
                verdict = handler.handle(frame)
                if isinstance(verdict, UplinkFailure):
                    self._fail(verdict)
                    return None
                if verdict == "ended":
                    # After our close request this is the end of it all, even when the encoder's
                    # stream ended before the controller called stop(); unasked (the server's own
                    # limits), a new session follows.
                    asked = self._stopped or handler.close_sent
                    return None if asked else Retry("the server ended the session", at_once=True)
                if isinstance(verdict, Retry):
                    return verdict
        except ConnectionClosed:
            pass
        code, reason = socket.close_code, self._redact(socket.close_reason or "")
        if classify_close(code) == "auth":
            self._fail(auth_rejected(reason, error_id=None, link=None, status=code))
            return None
        if (self._stopped or handler.close_sent) and handler.ready is not None:
            return None
        self._set_state("lost", detail=f"The connection closed ({code}{': ' + reason if reason else ''}).")
        return Retry(f"the connection closed ({code})", slow=classify_close(code) == "retry_slowly")
