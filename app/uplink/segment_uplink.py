"""`SegmentUplink`, the v0 strategy behind `Uplink`: streams closed segments to the analysis service
over one WebSocket and reports back.

It runs on the asyncio loop (qasync's, on the Qt main thread, in the app) and never touches Qt;
every method is called on the loop's thread. Everything it does is published as `app.model.events`
models through `on_event`, stamped with the session clock. PROTOCOL.md is the contract:
`handshake` opens connections, `segment_tracker` keeps each segment's state, `replies` reads the
server's frames, and this module sends, reconnects, drains and gives up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.model.api_key import Redactor
from app.model.error_codes import classify_close
from app.model.events import (
    DrainStarted,
    SegmentSent,
    SegmentSkipped,
    SessionEvent,
    SkipReason,
)
from app.model.server_url import server_url_problem
from app.uplink.config import UplinkConfig
from app.uplink.failures import (
    AuthRejected,
    QuotaExhausted,
    UplinkFailure,
    auth_rejected,
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
from app.uplink.replies import ReplyHandler, Retry, UplinkStats
from app.uplink.segment_tracker import SegmentTracker, limits_problem
from capture.media import Segment, SessionClock

log = logging.getLogger(__name__)


class SegmentUplink:
    def __init__(
        self,
        config: UplinkConfig,
        *,
        credential: str | None,
        session_id: str,
        clock: SessionClock,
        on_event: Callable[[SessionEvent], None],
    ) -> None:
        problem = server_url_problem(config.url) or credential_problem(
            credential, in_subprotocol=config.credential_in_subprotocol
        )
        if problem:
            raise ValueError(problem)
        if config.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._config = config
        self._credential = credential
        self._redact = Redactor(credential)
        self._session_id = session_id
        self._clock = clock
        self._on_event = on_event
        self._tracker = SegmentTracker()
        self._link = LinkState(config, clock, on_event, on_state=self._tracker.notify)
        self._stats = self._link.stats
        self._emit = self._link.emit
        self._set_state = self._link.set_state
        self._replies = ReplyHandler(
            tracker=self._tracker, stats=self._stats, clock=clock, redact=self._redact, emit=self._emit
        )
        self._drain_cut = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._socket: ClientConnection | None = None
        self._paused = False
        self._stopping = False
        self._stopped = False

    # -- the controller's side -------------------------------------------------------------

    @property
    def failure(self) -> UplinkFailure | None:
        return self._link.failure

    @property
    def paused(self) -> bool:
        """While paused nothing is sent: segments submitted, and those still waiting their turn,
        are skipped ("paused"). Answers to segments already sent still arrive."""
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        if value == self._paused:
            return
        log.info("uplink %s", "paused: nothing leaves until resumed" if value else "resumed")
        self._paused = value
        if value:
            self._skip_waiting_for_pause()
        self._tracker.notify()

    def start(self) -> None:
        """Start connecting; call while the loop runs."""
        if self._task is not None or self._stopped:
            raise RuntimeError("an uplink starts once")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="uplink")

    def submit(self, segment: Segment) -> None:
        """Queue `segment` for sending, or skip it and say why. Never blocks."""
        self._stats.submitted += 1
        if self.failure is not None or self._stopped:
            self._skip(segment.index, "not_sent", "the uplink has stopped")
            return
        if self._paused:
            self._skip(segment.index, "paused", "streaming is paused")
            return
        problem = limits_problem(segment)
        if problem:
            log.warning("segment %d not sent: %s", segment.index, problem)
            self._skip(segment.index, "out_of_limits", problem)
            return
        self._tracker.enqueue(segment)
        self._skip_stale()

    async def wait_failed(self) -> UplinkFailure:
        """Resolves when the uplink gives up (auth, quota, retry budget)."""
        await self._link.failed.wait()
        assert self.failure is not None
        return self.failure

    def retry_now(self) -> bool:
        """Reconnect at once instead of after the backoff pause; False when no pause is under way."""
        woke = self._link.reconnect.retry_now()
        if woke:
            log.info("reconnecting now, as asked")
        return woke

    def cut_drain(self) -> None:
        """End a drain in progress at once (Stop pressed again, a second Ctrl-C): what is unanswered
        stays unanswered."""
        self._drain_cut.set()
        self._tracker.notify()

    async def stop(self, *, wait_for_reconnect: bool = False) -> None:
        """Drain (every segment sent and answered, up to `drain_timeout_s`), close with 1000. Idempotent.

        After a lost connection or a failed attempt there is nothing to drain through: unless
        `wait_for_reconnect` (a session that ended by itself, whose last segments are worth a
        reconnection), the stop is immediate and what was not delivered says so.
        """
        if self._stopped:
            return
        self._stopped = True
        if self._task is not None and self.failure is None and not self._tracker.idle:
            if self._stats.state not in ("lost", "reconnecting") or wait_for_reconnect:
                await self._drain(wait_for_reconnect)
            if self.failure is None and self._stats.state != "connected" and not self._tracker.idle:
                # Never through when the session ended: nothing could be delivered, and the caller
                # must not take that for a finished session.
                self._fail(undelivered(self._link.last_retry, attempts=self._link.reconnect.failed_in_row))
        self._stopping = True
        if self._task is not None:
            if self._socket is not None:
                await self._socket.close(1000, "session ended")
                await asyncio.wait({self._task}, timeout=CLOSE_TIMEOUT_S)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        in_flight, queued = self._tracker.drop_all()
        for tracked in in_flight:
            self._replies.unanswered(tracked)
        for tracked in queued:
            self._skip(tracked.index, "not_sent", "the session ended before it could be sent")
        if self.failure is None:
            self._set_state("closed")

    async def _drain(self, wait_for_reconnect: bool) -> None:
        timeout_s = self._config.drain_timeout_s
        self._emit(
            DrainStarted(
                t=self._clock.now(),
                in_flight=self._tracker.in_flight,
                queued=self._tracker.queued,
                timeout_s=timeout_s,
            )
        )
        try:
            await asyncio.wait_for(self._drained(wait_for_reconnect), timeout_s)
        except TimeoutError:
            log.warning(
                "drain timed out after %g s: %d in flight, %d queued",
                timeout_s,
                self._tracker.in_flight,
                self._tracker.queued,
            )

    def stats(self) -> UplinkStats:
        return replace(
            self._stats,
            queued=self._tracker.queued,
            in_flight=self._tracker.in_flight,
            skipped=dict(self._stats.skipped),
        )

    async def _drained(self, wait_for_reconnect: bool) -> None:
        while not self._tracker.idle and self.failure is None and not self._drain_cut.is_set():
            if not wait_for_reconnect and self._stats.state in ("lost", "reconnecting"):
                return  # the connection went down under the drain: nothing more can come
            await self._tracker.wait_changed()

    # -- connections ---------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._connect_loop()
        except Exception:  # a bug here must end the session visibly, not leave it stuck
            log.exception("the uplink failed")
            self._fail(
                UplinkFailure("Streaming stopped unexpectedly. Start again; send the log if it recurs.")
            )

    async def _connect_loop(self) -> None:
        retry: Retry | None = None
        self._set_state("connecting")
        while not self._stopping:
            if retry is not None:
                await self._link.reconnect.pause(self._reconnecting(retry))
            try:
                socket = await open_stream(
                    self._config.url,
                    self._credential,
                    session_id=self._session_id,
                    include=self._config.include,
                    credential_in_subprotocol=self._config.credential_in_subprotocol,
                    open_timeout_s=self._config.open_timeout_s,
                )
            except (AuthRejected, QuotaExhausted) as refusal:
                self._fail(refusal)
                return
            except ConnectError as error:
                retry = Retry(error.reason, slow=error.slow)
                if self._attempt_failed(retry):
                    return
                continue
            completed_before = self._stats.completed
            retry = await self._stream(socket)
            healthy = self._stats.completed > completed_before
            if healthy:
                self._link.reconnect.healthy()
            if retry is None:
                return
            if retry.at_once and not healthy:
                # A server that ends every fresh stream at once must not get a tight reconnect loop.
                retry = replace(retry, at_once=False)
            if not retry.at_once and self._attempt_failed(retry):
                return

    async def _stream(self, socket: ClientConnection) -> Retry | None:
        """Serve one connection until it ends; returns how to come back, or None to stop."""
        self._socket = socket
        self._stats.connection += 1
        self._stats.correlation_id = correlation_id(socket)
        resent = self._tracker.new_connection(self._stats.connection)
        self._skip_stale()
        log.info(
            "connected to %s (connection %d%s)%s",
            self._redact(self._config.url),
            self._stats.connection,
            f", correlation id {self._stats.correlation_id}" if self._stats.correlation_id else "",
            f", re-sending {len(resent)} unanswered segment(s)" if resent else "",
        )
        self._set_state("connected")
        receiver = asyncio.create_task(self._receive_loop(socket), name="uplink-receiver")
        sender = asyncio.create_task(self._send_loop(socket), name="uplink-sender")
        try:
            await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            error = sender.exception() if sender.done() else None
            if error is not None and not isinstance(error, ConnectionClosed):
                raise error
            # The sender ends only when the socket closed under it; the receiver says why.
            return await receiver
        finally:
            self._socket = None
            for task in (sender, receiver):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
            await socket.close()

    def _reconnecting(self, retry: Retry) -> float:
        return self._link.reconnecting(retry)

    def _attempt_failed(self, retry: Retry) -> bool:
        """Count a failed attempt; True when the budget is spent and the uplink has given up."""
        return self._link.attempt_failed(retry)

    def _fail(self, failure: UplinkFailure) -> None:
        self._link.fail(failure)
        self._tracker.notify()  # ends a drain in progress

    # -- sending and receiving -------------------------------------------------------------

    async def _send_loop(self, socket: ClientConnection) -> None:
        while True:
            self._skip_stale()
            if self._paused:
                # A reconnection may have put unanswered segments back in the queue meanwhile.
                self._skip_waiting_for_pause()
                await self._tracker.wait_changed()
                continue
            tracked = self._tracker.next_to_send(self._config.max_in_flight)
            if tracked is None:
                await self._tracker.wait_changed()
                continue
            number = self._tracker.mark_sending(tracked)
            size = tracked.segment.size_bytes  # an answer may land during send() and free the bytes
            await socket.send(tracked.segment.data)
            tracked.sent_at = time.monotonic()
            self._stats.sent += 1
            self._stats.bytes_sent += size
            self._emit(
                SegmentSent(
                    t=self._clock.now(),
                    index=tracked.index,
                    connection=tracked.connection,
                    server_segment=number,
                    bytes=size,
                )
            )

    async def _receive_loop(self, socket: ClientConnection) -> Retry | None:
        try:
            async for frame in socket:
                verdict = self._replies.handle(frame)
                if isinstance(verdict, UplinkFailure):
                    self._fail(verdict)
                    return None
                if verdict is not None:
                    return verdict
        except ConnectionClosed:
            pass
        if self._stopping:
            return None
        code, reason = socket.close_code, self._redact(socket.close_reason or "")
        kind = classify_close(code)
        if kind == "auth":
            self._fail(auth_rejected(reason, error_id=None, link=None, status=code))
            return None
        self._set_state("lost", detail=f"The connection closed ({code}{': ' + reason if reason else ''}).")
        return Retry(f"the connection closed ({code})", slow=kind == "retry_slowly")

    def _skip_stale(self) -> None:
        now = self._clock.now()
        stale = self._tracker.pop_stale(now, self._config.stale_after_s)
        for tracked in stale:
            age = now - tracked.segment.t1
            log.info("segment %d skipped: %.1f s old, the link is behind", tracked.index, age)
            self._skip(tracked.index, "stale", f"{age:.1f} s old when its turn came")

    def _skip_waiting_for_pause(self) -> None:
        for tracked in self._tracker.pop_queued():
            self._skip(tracked.index, "paused", "sending was paused before its turn came")

    def _skip(self, index: int, reason: SkipReason, detail: str) -> None:
        self._stats.skipped[reason] = self._stats.skipped.get(reason, 0) + 1
        self._emit(SegmentSkipped(t=self._clock.now(), index=index, reason=reason, detail=detail))
