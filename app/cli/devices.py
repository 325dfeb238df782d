"""`interhuman-live devices`: the cameras, microphones, screens and windows this computer offers,
and whether the meeting audio (what it plays) can be recorded."""

from __future__ import annotations

import argparse
import json
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "Each line starts with what --source or --mic takes.\n\n"
        "examples:\n"
        "  interhuman-live devices\n"
        "      what --source camera:N|screen:N|window:TITLE and --mic NAME|meeting can name\n"
        "  interhuman-live stream --source 'window:Zoom Meeting' --mic default+meeting\n"
        "      feedback on the other side of a call, with its sound\n"
        "  interhuman-live devices --json | jq -r '.microphones[].name'\n"
        "      the microphones' names, one a line"
    )


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from app.runtime.qt_messages import route_qt_messages

    # Before QtMultimedia loads: its notices about PipeWire and PulseAudio go to the log, not here.
    route_qt_messages()
    from capture.devices import list_cameras, list_microphones, list_screens
    from capture.meeting_audio import LABEL, meeting_audio_status
    from capture.screen_capture import display_reachable
    from capture.window_source import list_windows

    app = QCoreApplication.instance()
    if app is None and display_reachable():
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication(sys.argv[:1])  # screens and windows are a GUI application's
    app = app or QCoreApplication(sys.argv[:1])
    cameras, microphones = list_cameras(), list_microphones()
    screens, windows = list_screens(), list_windows()
    meeting = meeting_audio_status()
    if args.json:
        listing = {
            "cameras": [{"index": c.index, "name": c.name} for c in cameras],
            "microphones": [{"name": m.name, "default": m.is_default} for m in microphones],
            "screens": [
                {"source": f"screen:{s.index}", "name": s.name, "size": f"{s.area.width}x{s.area.height}"}
                for s in screens
            ],
            "windows": [{"source": f"window:{w.title}", "title": w.title} for w in windows],
            "meeting_audio": {"available": meeting.available, "reason": meeting.reason},
        }
        print(json.dumps(listing, indent=2))
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
    print(f"  meeting  {LABEL}" if meeting.available else f"  meeting audio: not available. {meeting.reason}")
    print("Screens:")
    for screen in screens:
        primary = "  (main)" if screen.primary else ""
        print(f"  screen:{screen.index}  {screen.name}, {screen.area.width}x{screen.area.height}{primary}")
    if not screens:
        print("  none (no display: screens and windows are listed on a desktop)")
    print("Windows:")
    for window in windows:
        print(f"  window:{window.title}{'  (minimised)' if window.minimised else ''}")
    if screens and not windows:
        print("  none found")
    return 0
