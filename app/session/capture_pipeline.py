"""The capture side of one session: its sources, the encoder they feed, the watchers on what comes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.model.events import CaptureProblem, MediaGap, SegmentClosed, SessionEvent
from app.session.config import EndReason, SessionConfig
from app.session.gap_watch import GapWatch, Stream
from app.session.source_building import build_microphone, build_video_source
from app.session.source_news import SourceNews
from app.session.thread_hop import on_loop
from capture.duration_limit import DurationLimit
from capture.fanout import AudioLevel, FanOut, LatestFrame
from capture.input_check import MESSAGES, SCREEN_MESSAGES, Condition, InputCheck
from capture.media import CaptureError, CaptureSource, MediaSink, Segment, SessionClock

if TYPE_CHECKING:
    # The pipeline imports the encoder when it first builds one; here it is only a type.
    from capture.encoder import SegmentEncoder

log = logging.getLogger(__name__)


class CapturePipeline:
    """Starts and stops a session's video source, microphone and encoder on the session's loop;
    what they report on their own threads reaches the session there as events."""

    def __init__(
        self,
        config: SessionConfig,
        clock: SessionClock,
        loop: asyncio.AbstractEventLoop,
        *,
        preview: LatestFrame,
        level: AudioLevel,
        emit: Callable[[SessionEvent], None],
        warn: Callable[[str, str], None],
        end: Callable[[EndReason], None],
        on_segment: Callable[[Segment], None],
    ) -> None:
        """`on_segment` gets each closed segment after its `SegmentClosed` event."""
        self._config = config
        self._clock = clock
        self.sources: list[CaptureSource] = []
        self.encoder: SegmentEncoder | None = None
        self._loop = loop
        self._preview = preview
        self._level = level
        self._emit = emit
        self._warn = warn
        self._end = end
        self._on_segment = on_segment

    async def start(self) -> None:
        """Start the microphone and the encoder, then the picture; raises `CaptureError` if the
        picture cannot be captured (what started stays in `sources` for `stop`)."""
        config = self._config
        video = build_video_source(
            config.source, config.capture, realtime=config.realtime, duration_s=config.duration_s
        )
        sink = self._start_microphone_and_encoder()
        await asyncio.to_thread(video.start, self._clock, sink)
        self.sources.append(video)

    async def stop(self) -> float:
        """Stop the sources, then the encoder; returns the seconds at the end too short to send."""
        for source in reversed(self.sources):
            await asyncio.to_thread(source.stop)
        if self.encoder is None:
            return 0.0
        stats = await asyncio.to_thread(self.encoder.stop)
        log.info("encoder stopped: %s", stats)
        return stats.short_tail_s

    def encoder_load(self) -> float | None:
        """Encoding wall time per media second so far (1.0: only just keeping up); None before a segment."""
        if self.encoder is None:
            return None
        stats = self.encoder.stats()
        return stats.encode_load_avg if stats.segments_emitted else None

    def lower_bitrate(self) -> None:
        """The service refused a segment as too large: the next ones get fewer bits."""
        if self.encoder is not None:
            self.encoder.lower_bitrate()

    def _start_microphone_and_encoder(self) -> MediaSink:
        """Start the microphone if the session has one, then the encoder, knowing whether sound comes.

        The encoder is built before the microphone starts so that no early chunk is lost, and
        built again, without sound, if the microphone then fails (nothing reached it by then).
        """
        config = self._config
        microphone = None
        if not config.source.has_own_audio and config.microphone.any:
            microphone = build_microphone(config.microphone)
        sink = self._build_encoder(has_audio=microphone is not None or config.source.has_own_audio)
        if microphone is not None:
            try:
                microphone.start(self._clock, sink)
                self.sources.append(microphone)
            except CaptureError as error:
                log.info("microphone: %s", error)
                self._emit(
                    CaptureProblem(
                        t=self._clock.now(), source="microphone", level="error", message=str(error)
                    )
                )
                sink = self._build_encoder(has_audio=False)
        assert self.encoder is not None
        self.encoder.start()
        return sink

    def _build_encoder(self, *, has_audio: bool) -> MediaSink:
        from capture.encoder import EncoderConfig, SegmentEncoder

        config = self._config
        self.encoder = SegmentEncoder(
            EncoderConfig(
                segment_s=config.segment_s,
                codec=config.codec,
                width=config.capture.width,
                height=config.capture.height,
                fps=config.capture.fps,
                has_audio_input=has_audio,
                block_when_full=not config.realtime,
            ),
            on_segment=self._from_thread(self._segment_closed),
            on_error=self._from_thread(self._encoder_error),
        )
        check = InputCheck(self._from_thread(self._input_changed), check_audio=has_audio)
        gaps = GapWatch(self._from_thread(self._media_gap))
        sink = FanOut(
            [self.encoder, check, gaps],
            observer=self._source_news(),
            preview=self._preview,
            level=self._level,
        )
        if config.duration_s is None:
            return sink
        # Session time in the media itself: the same cut for every source, paced or not.
        return DurationLimit(sink, config.duration_s, self._from_thread(lambda: self._end("duration")))

    def _source_news(self) -> SourceNews:
        return SourceNews(self._loop, self._clock, self._emit, self._source_finished)

    def _from_thread(self, callback: Callable[..., None]) -> Callable[..., None]:
        return on_loop(self._loop, callback)

    def _source_finished(self, source: str) -> None:
        log.info("%s finished", source)
        self._end("source_finished")

    def _segment_closed(self, segment: Segment) -> None:
        self._emit(
            SegmentClosed(
                t=self._clock.now(),
                index=segment.index,
                t0=segment.t0,
                t1=segment.t1,
                bytes=segment.size_bytes,
                video_frames=segment.video_frames,
                audio_samples=segment.audio_samples,
                dropped_video_frames=segment.dropped_video_frames,
                dropped_audio_chunks=segment.dropped_audio_chunks,
            )
        )
        self._on_segment(segment)

    def _media_gap(self, stream: Stream, t0: float, t1: float) -> None:
        log.info("no %s from %.1f to %.1f s", stream, t0, t1)
        self._emit(MediaGap(t=self._clock.now(), source=stream, t0=t0, t1=t1))

    def _encoder_error(self, error: Exception) -> None:
        self._warn(
            "encoder", f"A segment could not be encoded ({type(error).__name__}); the session goes on."
        )

    def _input_changed(self, condition: Condition, active: bool) -> None:
        spec = self._config.source
        if condition == "silent":
            source = "microphone"
            screen_like = self._config.microphone.meeting and not self._config.microphone.enabled
        else:
            source = spec.kind if spec.captures_screen else "camera"
            screen_like = spec.captures_screen
        if active:
            self._warn(source, (SCREEN_MESSAGES if screen_like else MESSAGES)[condition])
        else:
            self._emit(
                CaptureProblem(
                    t=self._clock.now(),
                    source=source,
                    level="info",
                    message=f"The {source} looks fine again.",
                )
            )
