"""`interhuman-live devices`: the cameras and microphones this computer offers."""

from __future__ import annotations

import argparse
import json
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from capture.devices import list_cameras, list_microphones

    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    cameras = list_cameras()
    microphones = list_microphones()
    if args.json:
        print(
            json.dumps(
                {
                    "cameras": [{"index": c.index, "name": c.name} for c in cameras],
                    "microphones": [{"name": m.name, "default": m.is_default} for m in microphones],
                },
                indent=2,
            )
        )
        return 0
    print("Cameras:")
    for camera in cameras:
        print(f"  camera:{camera.index}  {camera.name}")
    if not cameras:
        print("  none found (use --source synthetic for a demo, or --source file:PATH)")
    print("Microphones:")
    for mic in microphones:
        print(f"  {mic.name}{'  (default)' if mic.is_default else ''}")
    if not microphones:
        print("  none found (sessions run without sound: --mic none)")
    return 0
