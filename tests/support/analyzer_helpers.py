"""Helpers for the local analyzer's tests: crafted segments made once per session, and a client
side that collects the server's answers, typed by `app.model.wire_v0`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection

import bench.clips as seg
from app.model.wire_v0 import (
    ErrorMessage,
    ResultMessage,
    ServerMessage,
    UnparsedMessage,
    parse_server_message,
)


@dataclass
class Clips:
    """Segments made once per test session (encoding costs a fraction of a second each)."""

    _made: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> bytes:
        if name not in self._made:
            self._made[name] = _RECIPES[name]()
        return self._made[name]


_RECIPES = {
    "face_voice_4s": lambda: seg.encode_webm(4.0, seg.nodding, seg.voice_like(4.0)),
    "face_voice_3s": lambda: seg.encode_webm(3.0, seg.panning, seg.voice_like(3.0, pitch_hz=180)),
    "face_quiet_5s": lambda: seg.encode_webm(5.0, seg.lfw_face(), seg.room_noise(5.0)),
    "card_silent_4s": lambda: seg.encode_webm(4.0, seg.card, seg.silence(4.0)),
    "short_2s": lambda: seg.encode_webm(2.0, seg.card, seg.silence(2.0)),
    "audio_only_4s": lambda: seg.encode_webm(4.0, None, seg.voice_like(4.0)),
    "still_face_voice_4s": lambda: seg.encode_webm(4.0, seg.with_noise(seg.still_face), seg.voice_like(4.0)),
    "still_face_silent_4s": lambda: seg.encode_webm(4.0, seg.with_noise(seg.still_face), seg.silence(4.0)),
    "still_face_hum_4s": lambda: seg.encode_webm(
        4.0, seg.with_noise(seg.still_face), seg.room_noise(4.0, level=0.02)
    ),
    "still_face_halting_5s": lambda: seg.encode_webm(
        5.0, seg.with_noise(seg.still_face), seg.voice_like(5.0, pauses_s=(0.9, 1.2))
    ),
    "still_face_fluent_5s": lambda: seg.encode_webm(5.0, seg.with_noise(seg.still_face), seg.voice_like(5.0)),
    "nod_silent_4s": lambda: seg.encode_webm(4.0, seg.nodding, seg.silence(4.0)),
    "pan_silent_4s": lambda: seg.encode_webm(4.0, seg.panning, seg.silence(4.0)),
    "frozen_voice_4s": lambda: seg.encode_webm(4.0, seg.frozen(seg.nodding), seg.voice_like(4.0)),
    "dark_voice_4s": lambda: seg.encode_webm(4.0, seg.dark, seg.voice_like(4.0)),
    "lfw_silent_3s": lambda: seg.encode_webm(3.0, seg.lfw_face(), seg.silence(3.0)),
}


def with_query(url: str, *flags: str) -> str:
    return url + ("?" + "&".join(f"include[]={flag}" for flag in flags) if flags else "")


@dataclass
class Answers:
    """Every message received on one connection, typed, with the raw JSON beside it."""

    messages: list[ServerMessage] = field(default_factory=list)
    raw: list[dict[str, object]] = field(default_factory=list)

    def for_segment(self, segment: int) -> list[ServerMessage]:
        return [m for m in self.messages if m.segment == segment]

    def statuses(self, segment: int) -> list[str]:
        return [m.status for m in self.for_segment(segment)]

    def result(self, segment: int) -> ResultMessage:
        found = [m for m in self.for_segment(segment) if isinstance(m, ResultMessage)]
        assert len(found) == 1, f"segment {segment}: {self.statuses(segment)}"
        return found[0]

    def error(self, segment: int | None) -> ErrorMessage:
        found = [m for m in self.messages if isinstance(m, ErrorMessage) and m.segment == segment]
        assert len(found) == 1, f"segment {segment}: {[m.status for m in self.messages]}"
        return found[0]

    def raw_result(self, segment: int) -> dict[str, object]:
        return next(r for r in self.raw if r["status"] == "result" and r["segment"] == segment)

    def finished(self, segment: int) -> bool:
        return any(status in ("completed", "error") for status in self.statuses(segment))


async def receive_one(websocket: ClientConnection, answers: Answers) -> ServerMessage:
    frame = await websocket.recv()
    message = parse_server_message(frame)
    assert not isinstance(message, UnparsedMessage), message
    assert isinstance(frame, str)
    answers.messages.append(message)
    answers.raw.append(json.loads(frame))
    return message


async def exchange(websocket: ClientConnection, *frames: bytes, answers: Answers | None = None) -> Answers:
    """Send `frames` back to back, then read until each has been completed or has failed."""
    answers = answers or Answers()
    first = max((m.segment or 0 for m in answers.messages), default=0) + 1
    for frame in frames:
        await websocket.send(frame)
    wanted = range(first, first + len(frames))
    while not all(answers.finished(n) for n in wanted):
        await receive_one(websocket, answers)
    return answers
