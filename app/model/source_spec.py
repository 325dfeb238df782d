"""What a session captures from, as the user names it: `--source`, `--mic` and the capture format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from capture.areas import Area

SourceKind = Literal["camera", "synthetic", "file", "screen", "window", "region"]
SOURCE_FORMS = "camera[:INDEX], synthetic, file:PATH, screen[:INDEX], window:TITLE or region[:SCREEN]:WxH+X+Y"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """`camera[:INDEX]`, `synthetic`, `file:PATH`, `screen[:INDEX]`, `window:TITLE` (the first window
    whose title contains TITLE) or `region[:SCREEN]:WxH+X+Y` (a part of a screen, in its pixels)."""

    kind: SourceKind
    camera_index: int = 0
    """The camera's index, or the screen's for a screen or a region."""
    path: Path | None = None
    title: str = ""
    area: Area | None = None

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        name, _, rest = text.partition(":")
        if name == "camera":
            return cls("camera", camera_index=_index(name, rest) if rest else 0)
        if name == "screen":
            return cls("screen", camera_index=_index(name, rest) if rest else 0)
        if name == "synthetic" and not rest:
            return cls("synthetic")
        if name == "file" and rest:
            return cls("file", path=Path(rest).expanduser())
        if name == "window" and rest.strip():
            return cls("window", title=rest.strip())
        if name == "region" and rest:
            screen, _, area = rest.rpartition(":")
            return cls(
                "region", camera_index=_index("screen", screen) if screen else 0, area=Area.parse(area)
            )
        raise ValueError(f"unknown source {text!r}: use {SOURCE_FORMS}")

    def __str__(self) -> str:
        if self.kind in ("camera", "screen"):
            return f"{self.kind}:{self.camera_index}"
        if self.kind == "file":
            return f"file:{self.path}"
        if self.kind == "window":
            return f"window:{self.title}"
        if self.kind == "region":
            return f"region:{self.camera_index}:{self.area}"
        return "synthetic"

    @property
    def has_own_audio(self) -> bool:
        """Synthetic and file sources carry their own sound; a camera or a screen needs a microphone
        (or the meeting audio)."""
        return self.kind in ("synthetic", "file")

    @property
    def captures_screen(self) -> bool:
        """A screen, a region of one or a window: it needs a display, and may show this app itself."""
        return self.kind in ("screen", "window", "region")

    def describe(self) -> str:
        """What is captured, for the user: "Screen 1", "Zoom window", "File: talk.mp4"."""
        if self.kind == "synthetic":
            return "Synthetic test signal"
        if self.kind == "file" and self.path is not None:
            return f"File: {self.path.name}"
        if self.kind == "screen":
            return f"Screen {self.camera_index + 1}"
        if self.kind == "window":
            return f"{self.title} window"
        if self.kind == "region" and self.area is not None:
            return f"Region of screen {self.camera_index + 1} ({self.area.width}x{self.area.height})"
        return f"Camera {self.camera_index}"


def region_source(screen: int, x: int, y: int, width: int, height: int) -> str:
    """The `--source` text for a region of screen `screen` (its index), in that screen's pixels."""
    return str(SourceSpec("region", camera_index=screen, area=Area(x, y, width, height)))


def _index(kind: str, text: str) -> int:
    if text.startswith("-") and text[1:].isdigit():
        raise ValueError(f"{kind} index must be 0 or more, not {text} (e.g. {kind}:0)")
    if not text.isdigit():
        raise ValueError(f"{kind} index must be a number, not {text!r} (e.g. {kind}:0)")
    return int(text)


MEETING = "meeting"
"""`--mic meeting`: the sound this computer plays (the call) instead of a microphone; `NAME+meeting`
(`default+meeting`) mixes the two."""


@dataclass(frozen=True, slots=True)
class MicSpec:
    """`default`, `none`, a device name, `meeting`, or `default+meeting` / `NAME+meeting`."""

    name: str | None
    enabled: bool = True
    """A microphone is recorded."""
    meeting: bool = False
    """The meeting audio (what this computer plays) is recorded, mixed with the microphone if any."""

    @classmethod
    def parse(cls, text: str) -> MicSpec:
        if text == "none":
            return cls(None, enabled=False)
        if text == MEETING:
            return cls(None, enabled=False, meeting=True)
        microphone, plus, extra = text.rpartition("+")
        if plus and extra == MEETING and microphone:
            return cls(None if microphone == "default" else microphone, meeting=True)
        return cls(None if text == "default" else text)

    def __str__(self) -> str:
        if not self.enabled:
            return MEETING if self.meeting else "none"
        name = self.name or "default"
        return f"{name}+{MEETING}" if self.meeting else name

    @property
    def any(self) -> bool:
        """Some sound is recorded: a microphone, the meeting audio, or both."""
        return self.enabled or self.meeting


@dataclass(frozen=True, slots=True)
class CaptureFormat:
    width: int = 640
    height: int = 480
    fps: float = 30.0

    @classmethod
    def parse_resolution(cls, text: str, fps: float = 30.0) -> CaptureFormat:
        width, sep, height = text.lower().partition("x")
        if not sep or not width.isdigit() or not height.isdigit():
            raise ValueError(f"resolution must look like 640x480, not {text!r}")
        w, h = int(width), int(height)
        if not (160 <= w <= 3840 and 120 <= h <= 2160) or w % 2 or h % 2:
            raise ValueError(f"resolution {text} is out of range (even sizes from 160x120 to 3840x2160)")
        if not 1 <= fps <= 60:
            raise ValueError(f"fps must be between 1 and 60, not {fps:g}")
        return cls(w, h, fps)
