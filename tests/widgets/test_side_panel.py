"""The side panel: recent signals, the engagement timeline strip, conversation quality."""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF
from PySide6.QtGui import QHelpEvent, QPainter
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder, flat_scores, scores
from support.widget_pixels import colour_at, grab, near

from app.model.vocabulary import EngagementState
from widgets import theme
from widgets.quality_panel import QualityPanel
from widgets.signal_list import ROW_HEIGHT, SignalList, SignalRole
from widgets.timeline_strip import TimelineStrip, paint_band

pytestmark = pytest.mark.timeout(60)

W = TypeVar("W", bound=QWidget)


def shown(qtbot: QtBot, widget: W, width: int, height: int) -> W:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_signal_list_shows_newest_first_with_session_time_and_rationale(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    signals = shown(qtbot, SignalList(), 320, 400)
    assert signals.empty_label.isVisible()
    builder.result(64, 68, "engaged", [("confidence", "high", "Firm voice.")])
    builder.result(68, 72, "neutral", [("hesitation", "low", "Pauses before the figure.")])
    signals.set_signals(builder.snapshot(75).recent_signals)
    assert signals.view.isVisible()
    assert signals.row_texts() == ["01:08  Hesitation  low", "01:04  Confidence  high"]
    first = signals.model.index(0)
    assert first.data(SignalRole).rationale == "Pauses before the figure."
    tooltip = first.data(0x03)  # Qt.ToolTipRole
    assert "Pauses before the figure." in tooltip
    assert "Delay or reluctance before committing." in tooltip


def test_signal_list_paints_each_row_with_its_text(qtbot: QtBot, builder: SessionBuilder) -> None:
    signals = shown(qtbot, SignalList(), 320, 300)
    builder.result(0, 4, "engaged", [("interest", "high", "Leans in.")])
    signals.set_signals(builder.snapshot(5).recent_signals)
    image = grab(signals.view.viewport())
    row = signals.view.visualRect(signals.model.index(0))
    assert row.height() == ROW_HEIGHT
    accent = sum(
        near(image.pixelColor(x, y), theme.ACCENT, 12)
        for y in range(row.top(), row.bottom())
        for x in range(row.left(), row.right())
    )
    assert accent > 30, "a high reading lights its three segments"


def test_a_reader_scrolled_down_keeps_their_place_when_signals_arrive(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    signals = shown(qtbot, SignalList(), 320, 200)
    for i in range(12):
        builder.result(4 * i, 4 * i + 4, "engaged", [("interest", "low", f"Reading {i}.")])
    signals.set_signals(builder.snapshot(50).recent_signals)
    bar = signals.view.verticalScrollBar()
    bar.setValue(3 * ROW_HEIGHT)
    builder.result(48, 52, "engaged", [("stress", "medium", "Faster speech.")])
    signals.set_signals(builder.snapshot(53).recent_signals)
    assert bar.value() == 4 * ROW_HEIGHT
    top = signals.view.indexAt(QPoint(10, 5)).data(SignalRole)
    assert top.rationale == "Reading 8."


def test_timeline_strip_paints_bands_in_each_states_colour_and_pattern(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    strip = shown(qtbot, TimelineStrip(), 400, 80)
    builder.result(0, 20, "engaged")
    builder.result(20, 40, "neutral")
    builder.result(40, 60, "disengaged")
    strip.set_snapshot(builder.snapshot(60))
    image = grab(strip)
    track = strip.track_rect()
    y = int(track.center().y())

    def band_pixels(t0: float, t1: float) -> list:
        x0, x1 = int(strip.x_for(t0)) + 3, int(strip.x_for(t1)) - 3
        return [image.pixelColor(x, y + dy) for x in range(x0, x1) for dy in (-4, -1, 0, 1, 4)]

    engaged = band_pixels(0, 20)
    assert all(near(c, theme.ENGAGED, 4) for c in engaged), "engaged is a solid band"
    neutral = band_pixels(20, 40)
    assert any(near(c, theme.NEUTRAL, 4) for c in neutral)
    assert any(not near(c, theme.NEUTRAL, 30) for c in neutral), "neutral carries a line pattern"
    disengaged = band_pixels(40, 60)
    assert any(near(c, theme.DISENGAGED, 4) for c in disengaged)
    assert any(not near(c, theme.DISENGAGED, 30) for c in disengaged), "disengaged carries a hatch"
    QApplication.sendEvent(
        strip,
        QHelpEvent(
            QEvent.Type.ToolTip,
            QPoint(int(strip.x_for(30)), y),
            strip.mapToGlobal(QPoint(int(strip.x_for(30)), y)),
        ),
    )
    assert QToolTip.text() == "00:20–00:40 · Neutral"
    QToolTip.hideText()


def test_timeline_strip_grows_with_the_session_and_leaves_gaps_empty(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    strip = shown(qtbot, TimelineStrip(), 400, 80)
    builder.result(0, 30, "engaged")
    builder.result(90, 120, "engaged")
    strip.set_snapshot(builder.snapshot(120))
    assert strip.span_s() == 120
    image = grab(strip)
    y = strip.track_rect().center().y()
    assert near(colour_at(image, QPointF(strip.x_for(15), y)), theme.ENGAGED, 4)
    assert near(colour_at(image, QPointF(strip.x_for(60), y)), theme.SURFACE_RAISED, 4)
    assert strip.window_at(strip.x_for(60)) is None


def test_an_hour_of_second_long_windows_paints_each_pixel_in_the_last_windows_state(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    strip = shown(qtbot, TimelineStrip(), 400, 80)
    blocks: list[EngagementState] = ["engaged", "neutral", "disengaged"]
    for second in range(3600):
        state = blocks[second // 1200]
        if second == 1210:
            state = "disengaged"  # over 0.1 px: the windows after it paint over that pixel
        builder.result(second, second + 1, state)
    strip.set_snapshot(builder.snapshot(3600))
    image = grab(strip)
    y = strip.track_rect().center().y()
    for t, state in ((600, "engaged"), (1215, "neutral"), (1800, "neutral"), (3000, "disengaged")):
        assert near(colour_at(image, QPointF(strip.x_for(t), y)), theme.ENGAGEMENT_COLOURS[state], 40), t
    stripes = [
        colour_at(image, QPointF(x + 0.5, y)) for x in range(int(strip.x_for(0)), int(strip.x_for(1200)))
    ]
    assert all(near(c, theme.ENGAGED, 4) for c in stripes), "engaged is solid to its last pixel"


def test_the_strips_bands_are_the_pixels_a_fill_per_run_of_one_state_would_paint(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    strip = shown(qtbot, TimelineStrip(), 400, 80)
    strip.set_snapshot(builder.snapshot(60))
    empty = grab(strip)  # the track, the axis and the now-marker, which the bands stay clear of
    blocks: list[EngagementState] = ["engaged", "neutral", "disengaged", "neutral", "engaged", "disengaged"]
    windows = [(i * 0.35, i * 0.35 + 0.35, blocks[(i * 7 // 5) % 6]) for i in range(140)]  # to 49 s
    windows.append((49.02, 49.05, "engaged"))  # under a pixel wide: it still gets one
    for start, end, state in windows:
        builder.result(start, end, state)
    strip.set_snapshot(builder.snapshot(60))
    track = strip.track_rect()
    width = round(track.width())
    columns: list[EngagementState | None] = [None] * width
    for start, end, state in windows:  # each pixel column in the state of the last window over it
        first = min(width - 1, int(start * width / 60))
        last = max(first + 1, int(end * width / 60))
        columns[first:last] = [state] * (last - first)
    painter = QPainter(empty)
    x = 0
    while x < width:
        run = x
        while run < width and columns[run] == columns[x]:
            run += 1
        if (state := columns[x]) is not None:
            left = round(track.left())
            paint_band(
                painter,
                QRectF(QPointF(left + x, track.top() + 1), QPointF(left + run, track.bottom() - 1)),
                state,
            )
        x = run
    painter.end()
    assert grab(strip) == empty


def test_quality_panel_shows_overall_dimensions_and_the_per_window_line(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    panel = shown(qtbot, QualityPanel(), 320, 320)
    assert panel.empty_label.isVisible()
    assert not panel.sparkline.isVisible()
    builder.result(0, 4, "engaged", overall=scores(66, 81, 62, 70, 45, 72), window_quality=flat_scores(66))
    builder.result(4, 8, "engaged", overall=scores(68, 82, 64, 71, 48, 75), window_quality=flat_scores(70))
    panel.set_snapshot(builder.snapshot(9))
    assert not panel.empty_label.isVisible()
    assert panel.index_label.text() == "68"
    assert panel.band_label.text() == "good"
    assert [
        panel.dimension_text(name) for name in ("clarity", "authority", "energy", "rapport", "learning")
    ] == [
        "82",
        "64",
        "71",
        "48",
        "75",
    ]
    assert panel.sparkline.isVisible()
    image = grab(panel.sparkline)
    assert any(
        near(image.pixelColor(x, y), theme.ACCENT, 20)
        for x in range(image.width())
        for y in range(image.height())
    ), "the per-window line is drawn"


def test_an_hours_quality_line_shows_each_pixels_mean_and_every_window_in_its_tooltip(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    panel = shown(qtbot, QualityPanel(), 320, 320)
    for second in range(3600):
        value = (70 if second % 2 else 90) if second < 1800 else 20
        builder.result(
            second, second + 1, "engaged", overall=flat_scores(50), window_quality=flat_scores(value)
        )
    panel.set_snapshot(builder.snapshot(3600))
    line = panel.sparkline
    image = grab(line)
    area = QRectF(line.rect()).adjusted(1, 4, -6, -4)
    for share, value in ((0.25, 80), (0.75, 20)):
        x = round(area.left() + share * area.width())
        ys = [y for y in range(image.height()) if near(image.pixelColor(x, y), theme.ACCENT, 40)]
        expected = area.bottom() - value / 100 * area.height()
        assert ys and abs(sum(ys) / len(ys) - expected) <= 3, (share, ys, expected)
        assert max(ys) - min(ys) <= 4, "a line, not a zigzag between 70 and 90 in one pixel"


def test_quality_panel_without_per_window_data_shows_overall_only(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    panel = shown(qtbot, QualityPanel(), 320, 320)
    builder.result(0, 4, "engaged", overall=flat_scores(25))
    panel.set_snapshot(builder.snapshot(5))
    assert panel.band_label.text() == "weak"
    assert not panel.sparkline.isVisible()
