"""Fitting a picture of any size into a fixed output size, keeping its shape (black bars).

One rule for every place that scales pictures: the encoder's input (any source) and the screen
sources, which fit each captured frame in their own thread so the encoder gets the output size.
"""

from __future__ import annotations

import cv2
import numpy as np


class PictureFit:
    """Scales BGR pictures into `width` x `height`, centred, letterboxed where the shapes differ."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._placements: dict[tuple[int, int], tuple[int, int, int, int]] = {}

    def fit(self, image: np.ndarray) -> np.ndarray:
        """`image` itself when it already has the output size, else a new C-contiguous picture."""
        in_h, in_w = image.shape[:2]
        if (in_w, in_h) == (self.width, self.height):
            return image
        fit_w, fit_h, left, top = self.placement(in_w, in_h)
        shrinking = fit_w < in_w
        resized = cv2.resize(
            image, (fit_w, fit_h), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        )
        if (fit_w, fit_h) == (self.width, self.height):
            return resized
        canvas = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        canvas[top : top + fit_h, left : left + fit_w] = resized
        return canvas

    def placement(self, in_w: int, in_h: int) -> tuple[int, int, int, int]:
        """Where an `in_w` x `in_h` picture lands: (width, height, left, top) in the output."""
        if (in_w, in_h) not in self._placements:
            scale = min(self.width / in_w, self.height / in_h)
            fit_w = min(self.width, max(2, round(in_w * scale)))
            fit_h = min(self.height, max(2, round(in_h * scale)))
            left, top = (self.width - fit_w) // 2, (self.height - fit_h) // 2
            self._placements[(in_w, in_h)] = (fit_w, fit_h, left, top)
        return self._placements[(in_w, in_h)]
