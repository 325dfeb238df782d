"""Rectangles on the desktop or in a captured frame, in whole pixels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Area:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def intersection(self, other: Area) -> Area | None:
        """The overlap of the two, or None when they do not overlap."""
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Area(left, top, right - left, bottom - top)

    def moved(self, dx: int, dy: int) -> Area:
        return Area(self.x + dx, self.y + dy, self.width, self.height)

    def scaled(self, factor_x: float, factor_y: float) -> Area:
        """Scaled about the origin, rounded outwards to whole pixels."""
        left, top = int(self.x * factor_x), int(self.y * factor_y)
        right, bottom = round(self.right * factor_x), round(self.bottom * factor_y)
        return Area(left, top, max(1, right - left), max(1, bottom - top))

    def __str__(self) -> str:
        return f"{self.width}x{self.height}+{self.x}+{self.y}"

    @classmethod
    def parse(cls, text: str) -> Area:
        """`WxH+X+Y` (what `str` gives, X11's geometry notation)."""
        size, _, place = text.partition("+")
        width, sep, height = size.partition("x")
        x, _, y = place.partition("+")
        parts = (width, height, x, y)
        if not sep or not all(part.isdigit() for part in parts):
            raise ValueError(f"an area looks like 640x360+100+80 (WxH+X+Y), not {text!r}")
        area = cls(int(x), int(y), int(width), int(height))
        if area.width < 16 or area.height < 16:
            raise ValueError(f"an area needs at least 16x16 pixels, not {size}")
        return area
