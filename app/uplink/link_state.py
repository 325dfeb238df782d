"""The bookkeeping every uplink strategy shares: its stats, its connection state as events, the
reconnection budget, and giving up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from app.model.events import ConnectionChanged, ConnectionState, SessionEvent
from app.uplink.backoff import Backoff, ReconnectPolicy
from app.uplink.config import UplinkConfig
from app.uplink.failures import AuthRejected, UplinkFailure, gave_up
from app.uplink.replies import Retry, UplinkStats
from capture.media import SessionClock

log = logging.getLogger(__name__)


class LinkState:
    def __init__(
        self,
        config: UplinkConfig,
        clock: SessionClock,
        on_event: Callable[[SessionEvent], None],
        on_state: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_state` is called on every change of state (a drain watches the state too)."""
        self.stats = UplinkStats()
        self.reconnect = ReconnectPolicy(
            Backoff(config.backoff_initial_s, config.backoff_max_s), config.connect_attempts
        )
        self.failure: UplinkFailure | None = None
        self.failed = asyncio.Event()
        self.last_retry: Retry | None = None
        """Why the latest attempt failed."""
        self._clock = clock
        self._on_event = on_event
        self._on_state = on_state

    def reconnecting(self, retry: Retry) -> float:
        """Announce the next attempt; returns how long to wait before it."""
        delay = 0.0 if retry.at_once else self.reconnect.backoff.next_delay(slow=retry.slow)
        if self.stats.state != "reconnecting":
            self.stats.reconnects += 1
        log.info("reconnecting in %.1f s: %s", delay, retry.reason)
        self.set_state("reconnecting", detail=retry.reason, retry_in_s=delay)
        return delay

    def attempt_failed(self, retry: Retry) -> bool:
        """Count a failed attempt; True when the budget is spent and the uplink has given up."""
        self.last_retry = retry
        if not self.reconnect.failed():
            return False
        self.fail(gave_up(retry.reason, busy=retry.slow, attempts=self.reconnect.failed_in_row))
        return True

    def fail(self, failure: UplinkFailure) -> None:
        if self.failure is not None:
            return
        # The front-end tells the user; the log keeps it for a bug report.
        log.warning("uplink gave up: %s", failure.message)
        self.failure = failure
        state: ConnectionState = "auth_rejected" if isinstance(failure, AuthRejected) else "failed"
        self.set_state(state, detail=failure.message)
        self.failed.set()

    def set_state(self, state: ConnectionState, *, detail: str = "", retry_in_s: float | None = None) -> None:
        # Events of an attempt carry the number the connection would get, also when it ends the
        # attempt (refused, given up, closed): "connection 0" would name none.
        opening = self.stats.state in ("connecting", "reconnecting")
        upcoming = state in ("connecting", "reconnecting") or (
            opening and state in ("auth_rejected", "failed", "closed")
        )
        self.stats.state = state
        self._on_state()
        self.emit(
            ConnectionChanged(
                t=self._clock.now(),
                connection=self.stats.connection + (1 if upcoming else 0),
                state=state,
                correlation_id=None if upcoming else self.stats.correlation_id,
                detail=detail,
                retry_in_s=retry_in_s,
            )
        )

    def emit(self, event: SessionEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a faulty listener must not take the stream down with it
            log.exception("session event listener failed on %s", event.kind)
