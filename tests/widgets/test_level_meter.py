"""The microphone level meter: lit segments follow the level, the peak marker falls with time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot
from support.widget_pixels import colour_at, grab, near

from widgets import theme
from widgets.level_meter import PEAK_FALL_DB_PER_S, SEGMENTS, LevelMeter

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def meter(qtbot: QtBot) -> LevelMeter:
    level_meter = LevelMeter()
    qtbot.addWidget(level_meter)
    level_meter.show()
    qtbot.waitExposed(level_meter)
    return level_meter


def segment_centre(meter: LevelMeter, index: int) -> QPointF:
    gap = 2.0
    width = (meter.width() - gap * (SEGMENTS - 1)) / SEGMENTS
    return QPointF(index * (width + gap) + width / 2, meter.height() / 2)


def test_segments_follow_the_level_in_green_amber_and_red(meter: LevelMeter) -> None:
    meter.set_level(-60.0, now=0.0)
    assert not near(colour_at(grab(meter), segment_centre(meter, 0)), theme.FRESH)
    meter.set_level(-30.0, now=1.0)
    image = grab(meter)
    assert near(colour_at(image, segment_centre(meter, 2)), theme.FRESH)
    assert not near(colour_at(image, segment_centre(meter, 12)), theme.WARNING), "above the level stays dark"
    meter.set_level(-1.0, now=2.0)
    image = grab(meter)
    assert near(colour_at(image, segment_centre(meter, 12)), theme.WARNING)
    assert near(colour_at(image, segment_centre(meter, SEGMENTS - 1)), theme.DANGER)
    assert "-1 dBFS" in meter.toolTip()


def test_the_peak_holds_then_falls_and_no_microphone_clears_it(meter: LevelMeter) -> None:
    meter.set_level(-6.0, now=10.0)
    meter.set_level(-40.0, now=10.5)
    assert meter.level() == -40.0
    assert meter.peak() == pytest.approx(-6.0 - PEAK_FALL_DB_PER_S * 0.5)
    meter.set_level(-40.0, now=20.0)
    assert meter.peak() == -40.0, "after a quiet while the peak has fallen to the level"
    meter.set_level(None)
    assert meter.level() is None and meter.peak() is None
    assert meter.toolTip() == "No microphone level"
