"""What a session captures from, as the user names it: `--source`, `--mic` and the capture format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SourceKind = Literal["camera", "synthetic", "file"]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """`camera[:INDEX]`, `synthetic` or `file:PATH`."""

    kind: SourceKind
    camera_index: int = 0
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        name, _, rest = text.partition(":")
        if name == "camera":
            if not rest:
                return cls("camera")
            if not rest.isdigit():
                raise ValueError(f"camera index must be a number, not {rest!r} (e.g. camera:0)")
            return cls("camera", camera_index=int(rest))
        if name == "synthetic" and not rest:
            return cls("synthetic")
        if name == "file" and rest:
            return cls("file", path=Path(rest).expanduser())
        raise ValueError(f"unknown source {text!r}: use camera[:INDEX], synthetic or file:PATH")

    def __str__(self) -> str:
        if self.kind == "camera":
            return f"camera:{self.camera_index}"
        if self.kind == "file":
            return f"file:{self.path}"
        return "synthetic"

    @property
    def has_own_audio(self) -> bool:
        """Synthetic and file sources carry their own sound; a camera needs a microphone."""
        return self.kind != "camera"


@dataclass(frozen=True, slots=True)
class MicSpec:
    """`default`, `none` or a device name."""

    name: str | None
    enabled: bool = True

    @classmethod
    def parse(cls, text: str) -> MicSpec:
        if text == "none":
            return cls(None, enabled=False)
        return cls(None if text == "default" else text)

    def __str__(self) -> str:
        if not self.enabled:
            return "none"
        return self.name or "default"


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
