"""Reading the versions of the libraries this process runs on (Qt among them)."""

from __future__ import annotations

import importlib.metadata
import platform
import sys

from app.model.versions import LibraryVersions


def library_versions() -> LibraryVersions:
    """Versions of what decides how a session behaves. OpenCV is asked through its package metadata
    unless loaded already: a session need not pay for importing it."""
    import av
    from PySide6.QtCore import qVersion

    opencv = (
        sys.modules["cv2"].__version__ if "cv2" in sys.modules else _distribution("opencv-python-headless")
    )
    return LibraryVersions(
        python=platform.python_version(),
        pyside6=_distribution("PySide6"),
        qt=qVersion(),
        pyav=av.__version__,
        ffmpeg=str(av.ffmpeg_version_info),
        opencv=opencv,
        websockets=_distribution("websockets"),
    )


def _distribution(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
