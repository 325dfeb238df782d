"""The preview's frames are fitted on the source's thread (`LatestFrame.fit_within`): scaled to the
preview's box with their aspect kept, in the 32-bit layout the preview paints with a copy; the
encoder's frames are left as captured."""

from __future__ import annotations

import numpy as np
import pytest

from capture.fanout import AudioLevel, FanOut, LatestFrame, fit_for_display
from capture.media import AudioChunk, CaptureError, VideoFrame


class _Keeper:
    def __init__(self) -> None:
        self.frames: list[VideoFrame] = []

    def video_frame(self, frame: VideoFrame) -> None:
        self.frames.append(frame)

    def audio_chunk(self, chunk: AudioChunk) -> None: ...

    def source_error(self, error: CaptureError) -> None: ...

    def source_recovered(self, source: str) -> None: ...

    def source_finished(self, source: str) -> None: ...


def _quarters() -> np.ndarray:
    """640x480 BGR: blue, green / red, white quarters."""
    image = np.zeros((480, 640, 3), np.uint8)
    image[:240, :320] = (255, 0, 0)
    image[:240, 320:] = (0, 255, 0)
    image[240:, :320] = (0, 0, 255)
    image[240:, 320:] = (255, 255, 255)
    return image


@pytest.mark.parametrize(
    ("box", "size"), [((960, 540), (720, 540)), ((200, 400), (200, 150)), ((640, 480), (640, 480))]
)
def test_a_frame_is_fitted_to_the_box_with_its_aspect_and_colours_kept(
    box: tuple[int, int], size: tuple[int, int]
) -> None:
    fitted = fit_for_display(_quarters(), box)
    assert fitted.shape == (size[1], size[0], 4) and fitted.dtype == np.uint8 and fitted.flags.c_contiguous
    w, h = size
    for (y, x), bgr in {
        (h // 4, w // 4): (255, 0, 0),
        (h // 4, 3 * w // 4): (0, 255, 0),
        (3 * h // 4, w // 4): (0, 0, 255),
        (3 * h // 4, 3 * w // 4): (255, 255, 255),
    }.items():
        assert tuple(fitted[y, x, :3]) == bgr


def test_the_preview_gets_fitted_frames_once_it_said_its_box_and_the_encoder_the_captured_ones() -> None:
    preview, encoder = LatestFrame(), _Keeper()
    sink = FanOut([encoder], encoder, preview, AudioLevel())
    captured = VideoFrame(_quarters(), 0.0)
    sink.video_frame(captured)
    first = preview.take()
    assert first is not None and first.image is captured.image, "as captured until the preview says its box"
    preview.fit_within(960, 540)
    sink.video_frame(VideoFrame(_quarters(), 0.033))
    fitted = preview.take()
    assert fitted is not None and fitted.image.shape == (540, 720, 4) and fitted.t == 0.033
    assert all(frame.image.shape == (480, 640, 3) for frame in encoder.frames)
    assert preview.take() is None, "each frame is taken once"
    preview.fit_within(0, 0)  # a preview not shown
    sink.video_frame(captured)
    again = preview.take()
    assert again is not None and again.image is captured.image
