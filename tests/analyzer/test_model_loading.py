"""MediaPipe's face landmarker loads without what mediapipe declares but we keep out
(matplotlib, opencv-contrib-python), from a model file checked against its known digest."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import recordings as rec

from app.analyzer import face_landmarks

_LOAD_AND_READ = """
import json, sys
import bench.clips as segments
from app.analyzer import face_landmarks
with face_landmarks.landmarker() as reader:
    found = reader.read(segments.still_face(0.0)[:, :, ::-1].copy())
print(json.dumps({
    "found": found is not None,
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("mediapipe", "matplotlib")),
}))
"""


def test_the_landmarker_runs_without_importing_matplotlib_or_mediapipes_other_tasks() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_READ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=rec.ROOT,
        env={**os.environ, "PYTHONPATH": str(rec.ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["found"]
    modules = report["modules"]
    assert not [m for m in modules if m.startswith("matplotlib")]
    # mediapipe's package __init__ (every task, the drawing helpers) never ran.
    assert "mediapipe.tasks.python.vision.drawing_utils" not in modules
    assert "mediapipe.tasks.python.vision.hand_landmarker" not in modules
    assert "mediapipe.tasks.python.vision.face_landmarker" in modules


def test_the_environment_keeps_mediapipes_unwanted_dependencies_out() -> None:
    assert importlib.util.find_spec("matplotlib") is None
    for unwanted in ("opencv-contrib-python", "opencv-python", "matplotlib"):
        with pytest.raises(importlib.metadata.PackageNotFoundError):
            importlib.metadata.distribution(unwanted)
    assert importlib.metadata.version("mediapipe") == "1.2.3"


def test_the_model_file_is_the_one_taken_from_the_wheel() -> None:
    data = face_landmarks.MODEL_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == rec.wheel_data.FACE_LANDMARKER.sha256
    assert rec.wheel_data.FACE_LANDMARKER.sha256.startswith("64184e22")


def test_a_missing_model_file_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(face_landmarks, "MODEL_PATH", tmp_path / "face_landmarker.task")
    with pytest.raises(face_landmarks.FaceModelUnavailable, match="run 'make install'"):
        face_landmarks.Landmarker()
