"""One analyzer connection: numbers its segments, analyses them off the loop, answers in order.

Reading never waits for analysis: each binary frame gets its `processing` message at once and
its analysis is queued to the executor. A second task sends each segment's `result` and
`completed` (or `error`) strictly in segment order, and only there are results placed in
connection time: segment k starts at the summed media length of the segments before it that
were analysed. A segment answered with `error` adds nothing, since the server cannot know the
length of a file it could not read (PROTOCOL.md leaves this open; the uplink tries both readings).
Each segment's speech is heard in turn by the connection's `UtteranceFollower`, so an utterance
cut by a segment's end is transcribed whole with the next one's start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from app.analyzer.decode import SegmentRejected
from app.analyzer.rules import Interpretation, scores_from
from app.analyzer.utterance_follower import Turn, UtteranceFollower
from app.analyzer.voice import Hear
from app.model.delivery import LocalDelivery
from app.model.error_codes import CLOSE_POLICY_VIOLATION
from app.model.vocabulary import INCLUDE_FLAGS, QUALITY_DIMENSIONS
from app.model.wire_v0 import (
    CompletedMessage,
    ConversationQuality,
    EngagementWindow,
    ErrorMessage,
    ProcessingMessage,
    QualityScores,
    QualityWindow,
    ResultMessage,
    Signal,
    WireModel,
)

log = logging.getLogger(__name__)

ERROR_LINK = "https://docs.interhuman.ai/api-reference/error-handling#{error_id}"
MAX_IN_FLIGHT = 8
"""Segments accepted but not yet answered, per connection; beyond this the server stops reading
(TCP pushes back on the client) instead of holding more segments in memory."""
DEFAULT_IDLE_TIMEOUT_S = 30.0
"""A connection that sends nothing for this long is closed (ih6003), as the service does."""

OVERALL, TIMELINE = INCLUDE_FLAGS
Analyse = Callable[[bytes, Hear], Interpretation]
"""A segment's bytes and how to hear its speech (in turn, after the segments before it)."""
_Outcome = Interpretation | ErrorMessage


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """What the upgrade request settled for one connection."""

    correlation_id: str
    include: frozenset[str]
    client_request_id: str | None = None


def error_message(error_id: str, message: str, *, segment: int | None, correlation_id: str) -> ErrorMessage:
    return ErrorMessage(
        status="error",
        segment=segment,
        correlation_id=correlation_id,
        error_id=error_id,
        message=message,
        link=ERROR_LINK.format(error_id=error_id),
    )


class StreamSession:
    def __init__(
        self,
        websocket: ServerConnection,
        options: StreamOptions,
        executor: Executor,
        analyse: Analyse,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    ) -> None:
        self._websocket = websocket
        self._options = options
        self._executor = executor
        self._analyse = analyse
        self._idle_timeout_s = idle_timeout_s
        self._offset_s = 0.0
        self._quality_sums = dict.fromkeys(QUALITY_DIMENSIONS, 0.0)
        self._quality_weights = dict.fromkeys(QUALITY_DIMENSIONS, 0.0)
        self._received = 0
        self._analyses: set[asyncio.Task[_Outcome]] = set()
        self._speech = UtteranceFollower()

    async def run(self) -> None:
        pending: asyncio.Queue[tuple[int, asyncio.Task[_Outcome]]] = asyncio.Queue(MAX_IN_FLIGHT)
        reader = asyncio.create_task(self._read(pending), name="analyzer-reader")
        sender = asyncio.create_task(self._answer_in_order(pending), name="analyzer-answers")
        try:
            # The reader ends when the connection closes; the sender when it cannot send any more.
            # Either way nobody is left to answer, and a reader waiting for room in `pending`
            # must not wait for ever.
            await asyncio.wait({reader, sender}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, sender, *self._analyses):
                task.cancel()
            await asyncio.gather(reader, sender, *self._analyses, return_exceptions=True)
        for task in (reader, sender):
            failure = None if task.cancelled() else task.exception()
            if failure is not None and not isinstance(failure, ConnectionClosed):
                log.error("%s on %s failed", task.get_name(), self._cid, exc_info=failure)
                # Answers could now be missing or out of order: end the connection, the client retries.
                await self._websocket.close(1011, "internal error")
        log.info("connection %s closed after %d segments", self._cid, self._received)

    async def _read(self, pending: asyncio.Queue[tuple[int, asyncio.Task[_Outcome]]]) -> None:
        with contextlib.suppress(ConnectionClosed):
            while (frame := await self._receive()) is not None:
                if isinstance(frame, str):
                    await self._send(self._text_frame_error())
                    continue
                self._received += 1
                number = self._received
                await self._send(
                    ProcessingMessage(
                        status="processing", segment=number, correlation_id=self._cid, bytes=len(frame)
                    )
                )
                turn = self._speech.next_turn()  # in the order the segments came
                analysis = asyncio.create_task(self._outcome(number, frame, turn), name=f"analyse-{number}")
                self._analyses.add(analysis)
                analysis.add_done_callback(self._analyses.discard)
                await pending.put((number, analysis))

    async def _receive(self) -> str | bytes | None:
        """The next frame, or None once the client has been idle too long (then closed: ih6003)."""
        try:
            return await asyncio.wait_for(self._websocket.recv(), self._idle_timeout_s)
        except TimeoutError:
            log.info("connection %s idle for %.0f s: closed", self._cid, self._idle_timeout_s)
            idle = error_message(
                "ih6003",
                "Nothing was received for too long: the connection is closed. Reconnect to go on.",
                segment=None,
                correlation_id=self._cid,
            )
            await self._send(idle)
            await self._websocket.close(CLOSE_POLICY_VIOLATION, "idle timeout")
            return None

    async def _outcome(self, segment: int, data: bytes, turn: Turn) -> _Outcome:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._analyse, data, turn.hear)
        except SegmentRejected as rejection:
            log.info("segment %d of %s rejected (%s): %s", segment, self._cid, rejection.error_id, rejection)
            return self._error(rejection.error_id, str(rejection), segment)
        except Exception:
            log.exception("segment %d of %s failed", segment, self._cid)
            return self._error(
                "ih1001", "The local analyzer failed on this segment; it goes on with the next one.", segment
            )
        finally:
            turn.skip()  # a segment whose speech was never heard: the next one must not wait for it

    async def _answer_in_order(self, pending: asyncio.Queue[tuple[int, asyncio.Task[_Outcome]]]) -> None:
        while True:
            segment, analysis = await pending.get()
            answer = await analysis
            if isinstance(answer, ErrorMessage):
                await self._send(answer)
                continue
            await self._send(self._result(segment, answer))
            await self._send(CompletedMessage(status="completed", segment=segment, correlation_id=self._cid))

    def _result(self, segment: int, found: Interpretation) -> ResultMessage:
        offset = self._offset_s
        self._offset_s = round(offset + found.duration_s, 3)
        for name in QUALITY_DIMENSIONS:
            weight = found.duration_s * found.quality.evidence[name]
            self._quality_sums[name] += getattr(found.quality.scores, name) * weight
            self._quality_weights[name] += weight
        return ResultMessage(
            status="result",
            segment=segment,
            correlation_id=self._cid,
            signals=[_placed(s, offset) for s in found.signals],
            engagement_state=[_placed(w, offset) for w in found.engagement],
            conversation_quality=self._quality(found, offset),
            local_delivery=_placed(found.delivery, offset),
        )

    def _quality(self, found: Interpretation, offset: float) -> ConversationQuality | None:
        include = self._options.include
        if not include:
            return None
        overall: QualityScores | None = None
        if OVERALL in include:
            overall = scores_from(
                {
                    name: total / weight if (weight := self._quality_weights[name]) > 0 else 50.0
                    for name, total in self._quality_sums.items()
                }
            )
        timeline = []
        if TIMELINE in include:
            window = QualityWindow(start=0.0, end=found.duration_s, values=found.quality.scores)
            timeline.append(_placed(window, offset))
        return ConversationQuality(overall=overall, timeline=timeline)

    async def _send(self, message: WireModel) -> None:
        exclude = None
        if isinstance(message, ResultMessage) and TIMELINE not in self._options.include:
            # Only the sections whose include flag was sent go out.
            exclude = {"conversation_quality": {"timeline"}}
        await self._websocket.send(message.model_dump_json(exclude_none=True, exclude=exclude))

    def _text_frame_error(self) -> ErrorMessage:
        return error_message(
            "ih5004",
            "Text frames are not part of the v0 protocol: send each segment as one binary frame.",
            segment=None,
            correlation_id=self._cid,
        )

    def _error(self, error_id: str, message: str, segment: int) -> ErrorMessage:
        return error_message(error_id, message, segment=segment, correlation_id=self._cid)

    @property
    def _cid(self) -> str:
        return self._options.correlation_id


_Placed = TypeVar("_Placed", Signal, EngagementWindow, QualityWindow, LocalDelivery)


def _placed(window: _Placed, offset_s: float) -> _Placed:
    """`window` moved from segment time to connection time, to the millisecond."""
    return window.model_copy(
        update={"start": round(window.start + offset_s, 3), "end": round(window.end + offset_s, 3)}
    )
