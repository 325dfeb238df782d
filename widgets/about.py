"""The About box: what this is, which version, and what it is built on (for support requests)."""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtWidgets import QMessageBox, QWidget

from app import APP_TITLE, __version__


def about_text(versions: Mapping[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>&nbsp;{html.escape(value)}</td></tr>"
        for name, value in versions.items()
    )
    return (
        f"<h3>{APP_TITLE} {html.escape(__version__)}</h3>"
        "<p>Live feedback on how you come across on camera, from the Interhuman "
        "behaviour-analysis API or, without a key, from Local analysis on this computer.</p>"
        f"<table>{rows}</table>"
    )


def show_about(parent: QWidget, versions: Mapping[str, str]) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {APP_TITLE}")
    box.setText(about_text(versions))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.open()
    return box
