"""`Uplink`: the session's one link to the analysis server, whatever protocol version it speaks.

The version is a strategy behind one interface: `SegmentUplink` sends v0's standalone segments,
`StreamUplink` v1/v2's continuous stream (from the encoder's `LiveStream`). The session, the
timeline and the recorder see the same calls and the same kinds of events either way. Every
method is called on the asyncio loop's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.model.events import SessionEvent
from app.model.server_url import ApiVersion, api_of_url
from app.uplink.config import UplinkConfig
from app.uplink.failures import UplinkFailure
from app.uplink.replies import UplinkStats
from app.uplink.segment_uplink import SegmentUplink
from app.uplink.stream_uplink import LiveStream, StreamUplink
from capture.media import Segment, SessionClock

__all__ = ["LiveStream", "Uplink", "UplinkConfig", "resolved_api"]


class _Strategy(Protocol):
    @property
    def failure(self) -> UplinkFailure | None: ...

    @property
    def paused(self) -> bool: ...

    @paused.setter
    def paused(self, value: bool) -> None: ...

    def start(self) -> None: ...

    def submit(self, segment: Segment) -> None: ...

    async def wait_failed(self) -> UplinkFailure: ...

    def retry_now(self) -> bool: ...

    def cut_drain(self) -> None: ...

    async def stop(self, *, wait_for_reconnect: bool = False) -> None: ...

    def stats(self) -> UplinkStats: ...


def resolved_api(config: UplinkConfig) -> ApiVersion:
    """The version asked for, else the one the URL names, else v0 (the service's default URL)."""
    return config.api or api_of_url(config.url) or "v0"


class Uplink:
    def __init__(
        self,
        config: UplinkConfig,
        *,
        credential: str | None,
        session_id: str,
        clock: SessionClock,
        on_event: Callable[[SessionEvent], None],
        live_stream: LiveStream | None = None,
    ) -> None:
        """`live_stream` (the encoder) is what a v1/v2 uplink streams; v0 sends what `submit` gets."""
        self.api = resolved_api(config)
        self._strategy: _Strategy
        if self.api == "v0":
            self._strategy = SegmentUplink(
                config, credential=credential, session_id=session_id, clock=clock, on_event=on_event
            )
            return
        if live_stream is None:
            raise ValueError(f"a {self.api} uplink streams from an encoder: pass live_stream")
        self._strategy = StreamUplink(
            config,
            api=self.api,
            credential=credential,
            session_id=session_id,
            clock=clock,
            on_event=on_event,
            live_stream=live_stream,
        )

    @property
    def failure(self) -> UplinkFailure | None:
        return self._strategy.failure

    @property
    def paused(self) -> bool:
        """While paused nothing captured leaves the machine; what was closed before still goes."""
        return self._strategy.paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self._strategy.paused = value

    def start(self) -> None:
        """Start connecting; call while the loop runs."""
        self._strategy.start()

    def submit(self, segment: Segment) -> None:
        """A closed segment: v0 queues it for sending (or skips it, saying why). Never blocks."""
        self._strategy.submit(segment)

    async def wait_failed(self) -> UplinkFailure:
        """Resolves when the uplink gives up (auth, quota, retry budget)."""
        return await self._strategy.wait_failed()

    def retry_now(self) -> bool:
        """Reconnect at once instead of after the backoff pause; False when no pause is under way."""
        return self._strategy.retry_now()

    def cut_drain(self) -> None:
        """End a drain in progress at once (Stop pressed again, a second Ctrl-C)."""
        self._strategy.cut_drain()

    async def stop(self, *, wait_for_reconnect: bool = False) -> None:
        """Send what is left, let the server finish (up to `drain_timeout_s`), close with 1000.
        Without a connection there is nothing to drain through: the stop is immediate unless
        `wait_for_reconnect` (a session that ended by itself, whose last media is worth it)."""
        await self._strategy.stop(wait_for_reconnect=wait_for_reconnect)

    def stats(self) -> UplinkStats:
        return self._strategy.stats()
