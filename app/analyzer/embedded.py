"""The local analyzer inside the app: its own thread, its own event loop, never the Qt thread's.

analyzer = EmbeddedAnalyzer()
url = analyzer.start()   # returns once the server listens
...
analyzer.stop()          # closes connections, stops the analysis threads, joins
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from app.analyzer.analysis import analyse_segment
from app.analyzer.connection import Analyse
from app.analyzer.server import LOOPBACK, AnalyzerServer

log = logging.getLogger(__name__)


class AnalyzerStartError(RuntimeError):
    """The server could not listen (the port is taken, or the address is not this machine's)."""


class EmbeddedAnalyzer:
    def __init__(
        self,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        key: str | None = None,
        workers: int | None = None,
        analyse: Analyse = analyse_segment,
    ) -> None:
        self._server = AnalyzerServer(host=host, port=port, key=key, workers=workers, analyse=analyse)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """`ws://127.0.0.1:PORT/v0/stream/analyze` once started, else ''."""
        return self._server.url

    def url_for(self, version: str) -> str:
        """The stream URL of protocol `version` ('v0', 'v1' or 'v2') once started, else ''."""
        return self._server.url_for(version) if self._server.url else ""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout_s: float = 10.0) -> str:
        if self._thread is not None:
            raise RuntimeError("the local analyzer is already started")
        self._ready.clear()
        self._failure = None
        self._thread = threading.Thread(target=self._run, name="local-analyzer", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            self.stop()
            raise AnalyzerStartError(f"the local analyzer did not start within {timeout_s:g} s")
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise AnalyzerStartError(
                f"the local analyzer could not listen: {self._failure}"
            ) from self._failure
        return self.url

    def stop(self, timeout_s: float = 10.0) -> None:
        """Idempotent; returns once the thread has ended (or `timeout_s` passed, which is logged).

        It blocks for the time an analysis in progress needs to finish, plus up to
        `CLOSE_TIMEOUT_S` for each client that does not answer the closing handshake, so stop
        the uplink first, or call it through `asyncio.to_thread` from the Qt thread.
        """
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            # The loop may close between the check and the call: the thread is ending anyway then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout_s)
        if thread.is_alive():
            log.error("the local analyzer thread did not end within %g s", timeout_s)

    def __enter__(self) -> EmbeddedAnalyzer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as error:
            if self._ready.is_set():
                log.exception("the local analyzer stopped on an error")
            else:
                self._failure = error  # start() raises it in the caller's thread
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        await self._server.start()
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self._server.close()
