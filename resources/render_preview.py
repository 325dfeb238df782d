"""Render the main window, the compact presenter window and the settings dialog to PNG files, with
a realistic picture and a realistic session, to look at them without a camera or a server.

    python -m resources.render_preview [--out DIR] [--scale 2] [--show SECONDS]

The session is a real `SessionTimeline` fed real `app.model.events`, as the controller would feed it.
The picture is scikit-image's astronaut photograph when scikit-image is installed (a test
dependency), else a drawn stand-in. `--show` puts the windows on the screen instead (for a
screenshot under Xvfb): the main window for SECONDS, then the compact window for SECONDS.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from app.model.events import ConnectionChanged, ResultReceived, SegmentClosed, SegmentCompleted, SegmentSent
from app.model.timeline import SessionTimeline
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import DeviceOption, DeviceStatus, PipelineStatus
from app.model.wire_v0 import ConversationQuality, EngagementWindow, QualityScores, QualityWindow, Signal

SEGMENT_S = 4.0
# (state, [(type, probability, rationale)], quality index) for each 4 s segment of a rehearsal.
_SCRIPT = [
    ("neutral", [("hesitation", "medium", "Pauses before the opening line and looks away briefly.")], 52),
    ("neutral", [("uncertainty", "low", "Voice rises at the end of statements.")], 55),
    ("engaged", [("interest", "medium", "Leans towards the camera while introducing the topic.")], 60),
    ("engaged", [("confidence", "medium", "Steady pace and a clear, even voice.")], 63),
    ("engaged", [("engagement", "high", "Keeps eye contact and gestures in time with the words.")], 68),
    ("disengaged", [("stress", "medium", "Speaks faster and the pitch goes up on the numbers slide.")], 58),
    ("neutral", [("hesitation", "low", "Short filler words while searching for the next point.")], 61),
    ("engaged", [("confidence", "high", "States the recommendation firmly, without hedging.")], 71),
    ("engaged", [("agreement", "low", "Nods while restating the audience's question.")], 73),
    ("engaged", [("engagement", "high", "Animated face and varied intonation through the story.")], 74),
    ("neutral", [("skepticism", "low", "A raised eyebrow when quoting the competitor's claim.")], 70),
    ("engaged", [("confidence", "high", "Strong close: slower, lower voice and a steady gaze.")], 72),
]


def demo_timeline() -> SessionTimeline:
    timeline = SessionTimeline()
    timeline.apply(ConnectionChanged(t=0.3, connection=1, state="connected", correlation_id="c-demo"))
    overall = []
    for index, (state, signals, quality) in enumerate(_SCRIPT):
        t0, t1 = index * SEGMENT_S, (index + 1) * SEGMENT_S
        size = 180_000 + 9_000 * (index % 3)
        timeline.apply(
            SegmentClosed(
                t=t1, index=index, t0=t0, t1=t1, bytes=size, video_frames=120, audio_samples=192_000
            )
        )
        timeline.apply(
            SegmentSent(t=t1 + 0.05, index=index, connection=1, server_segment=index + 1, bytes=size)
        )
        overall.append(quality)
        window = _scores(quality, index)
        mean = _scores(round(sum(overall) / len(overall)), index)
        timeline.apply(
            ResultReceived(
                t=t1 + 1.3,
                index=index,
                t0=t0,
                t1=t1,
                engagement=[EngagementWindow(start=t0, end=t1, state=state)],
                signals=[Signal(type=k, start=t0, end=t1, probability=p, rationale=r) for k, p, r in signals],
                quality=ConversationQuality(
                    overall=mean, timeline=[QualityWindow(start=t0, end=t1, values=window)]
                ),
            )
        )
        timeline.apply(SegmentCompleted(t=t1 + 1.35, index=index, latency_s=1.25 + 0.05 * (index % 4)))
    return timeline


def _scores(index: float, seed: int) -> QualityScores:
    offsets = np.array([6, -4, 3, -7, 2]) * (1 if seed % 2 else -1)
    dims = np.clip(index + offsets, 0, 100)
    return QualityScores(
        quality_index=float(dims.mean()),
        clarity=float(dims[0]),
        authority=float(dims[1]),
        energy=float(dims[2]),
        rapport=float(dims[3]),
        learning=float(dims[4]),
    )


def demo_frame(width: int = 1280, height: int = 720) -> np.ndarray:
    """A BGR frame: the astronaut photograph on a studio backdrop, or a drawn stand-in."""
    frame = np.empty((height, width, 3), np.uint8)
    ramp = np.linspace(70, 150, width, dtype=np.float32)
    frame[:] = np.stack([ramp * 0.95, ramp * 0.9, ramp * 0.85], axis=-1).astype(np.uint8)[None, :, :]
    try:
        from skimage import data, transform
    except ImportError:
        yy, xx = np.mgrid[0:height, 0:width]
        face = ((xx - width / 2) / (height * 0.2)) ** 2 + ((yy - height * 0.42) / (height * 0.27)) ** 2 <= 1
        frame[face] = (120, 160, 215)
        return frame
    photo = data.astronaut()[:, :, ::-1]
    side = height
    scaled = (transform.resize(photo, (side, side), anti_aliasing=True) * 255).astype(np.uint8)
    left = (width - side) // 2
    frame[:, left : left + side] = scaled
    return frame


def demo_status(**changes: object) -> PipelineStatus:
    values: dict[str, object] = {
        "backend": "cloud",
        "session_state": "running",
        "encoder_load": 0.38,
        "dropped_video_frames": 0,
        "audio_level_dbfs": -21.0,
        "camera": DeviceStatus("Integrated Camera", "ok"),
        "microphone": DeviceStatus("Built-in Microphone", "ok"),
        "api_key_configured": True,
    }
    values.update(changes)
    return PipelineStatus(**values)  # type: ignore[arg-type]


CAMERAS = [DeviceOption("0", "Integrated Camera"), DeviceOption("1", "USB Webcam C920")]
MICROPHONES = [
    DeviceOption("Built-in Microphone", "Built-in Microphone"),
    DeviceOption("USB Headset", "USB Headset"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build/preview"))
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio to render at")
    parser.add_argument("--show", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args()
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    if not args.show:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Window places are remembered under the config folder: keep the user's own out of this.
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="render-preview-")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.store.keystore import KeyStore
    from app.store.settings import Settings
    from widgets.main_window import MainWindow
    from widgets.settings_dialog import SettingsDialog
    from widgets.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    timeline = demo_timeline()
    now = len(_SCRIPT) * SEGMENT_S + 2.6
    snapshot: TimelineSnapshot = timeline.snapshot(now)
    window = MainWindow()
    window.resize(1280, 800)
    window.set_devices(CAMERAS, MICROPHONES, "0", "Built-in Microphone")
    window.set_status(demo_status())
    window.set_frame(demo_frame())
    window.set_snapshot(snapshot)
    if args.show:
        window.show()
        QTimer.singleShot(int(args.show * 1000), lambda: window.set_compact(True))
        QTimer.singleShot(int(args.show * 2000), app.quit)
        app.exec()
        return
    args.out.mkdir(parents=True, exist_ok=True)
    window.show()
    app.processEvents()
    shots = {"main": window.grab()}
    window.set_status(demo_status(api_key_configured=False, backend="local", paused=True))
    app.processEvents()
    shots["main-local-paused"] = window.grab()
    window.set_compact(True)
    app.processEvents()
    shots["compact"] = window.compact.grab()
    window.set_compact(False)
    fresh = SessionTimeline()
    window.set_status(demo_status(session_state="starting"))
    window.clear_frame()
    window.set_snapshot(fresh.snapshot(0.4))
    app.processEvents()
    shots["starting"] = window.grab()
    window.set_status(demo_status(session_state="idle", camera=DeviceStatus("Camera", "missing")))
    window.set_snapshot(fresh.snapshot(0.0))
    app.processEvents()
    shots["no-camera"] = window.grab()
    dialog = SettingsDialog(Settings(), KeyStore().view(), CAMERAS, MICROPHONES, window)
    dialog.show()
    app.processEvents()
    shots["settings"] = dialog.grab()
    dialog.url_edit.setText("ws://192.168.1.20:8080/v0/stream/analyze")
    dialog.segment_spin.setValue(2.0)
    dialog.show_connection_result(
        False, "The server refused the key (ih2001).", "https://docs.interhuman.ai/errors"
    )
    app.processEvents()
    shots["settings-invalid"] = dialog.grab()
    dialog.close()
    for name, pixmap in shots.items():
        path = args.out / f"{name}.png"
        pixmap.save(str(path))
        print(path)
    window.close()


if __name__ == "__main__":
    main()
