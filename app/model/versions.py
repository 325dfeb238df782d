"""The versions of what decides how a session behaves, as recorded in `session.json`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LibraryVersions(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    python: str
    pyside6: str
    qt: str
    pyav: str
    ffmpeg: str
    opencv: str
    websockets: str

    def labelled(self) -> dict[str, str]:
        """The versions under the names people know them by, for the About box and --self-test."""
        return {
            "Python": self.python,
            "PySide6": self.pyside6,
            "Qt": self.qt,
            "PyAV": self.pyav,
            "FFmpeg": self.ffmpeg,
            "OpenCV": self.opencv,
            "websockets": self.websockets,
        }
