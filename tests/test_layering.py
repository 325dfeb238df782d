"""What import-linter cannot say: capture/ may use QtMultimedia in its named modules, never Qt's
widgets, and Qt's GUI module only where a screen is a `QScreen`."""

from __future__ import annotations

import ast
from pathlib import Path

import capture

ALLOWED_QT = {"PySide6", "PySide6.QtCore", "PySide6.QtMultimedia"}
SCREEN_MODULES = {"devices.py", "screen_capture.py", "video_frames.py", "window_source.py"}
"""Screens are QtGui's `QScreen`s, and a frame's slow path is a `QImage`: these may use QtGui."""


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            if node.module == "PySide6":
                modules.update(f"PySide6.{alias.name}" for alias in node.names)
    return modules


def test_capture_uses_no_qt_gui_module() -> None:
    package = Path(capture.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in package.glob("*.py")
        for module in imported_modules(path)
        if module.startswith("PySide6")
        and module not in ALLOWED_QT
        and not (path.name in SCREEN_MODULES and module == "PySide6.QtGui")
    }
    assert offenders == set()


def test_the_check_sees_a_gui_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6 import QtWidgets\nfrom PySide6.QtGui import QImage\n")
    assert {"PySide6.QtWidgets", "PySide6.QtGui"} <= imported_modules(sample)
