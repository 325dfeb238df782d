from pytestqt.qtbot import QtBot

from app import __version__
from widgets.about import show_about
from widgets.main_window import MainWindow


def test_the_help_menu_opens_an_about_box_with_the_version(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    asked: list[bool] = []
    window.about_requested.connect(lambda: asked.append(True))
    window.findChild(type(window.start_stop_action), "about").trigger()
    assert asked == [True]
    box = show_about(window, {"Qt": "6.11.3", "FFmpeg": "8.1.2"})
    qtbot.addWidget(box)
    assert __version__ in box.text()
    assert "FFmpeg" in box.text() and "8.1.2" in box.text()
    box.close()
