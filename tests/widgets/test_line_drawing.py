"""The quality line's points: one per pixel column, handed to Qt as one path."""

from __future__ import annotations

from itertools import groupby

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QIODevice
from PySide6.QtGui import QPainterPath

from widgets.painting import polyline_path
from widgets.quality_panel import per_pixel_column


def serialised(path: QPainterPath) -> bytes:
    data = QByteArray()
    QDataStream(data, QIODevice.OpenModeFlag.WriteOnly) << path
    return data.data()


def test_a_polyline_path_is_the_path_qt_builds_point_by_point() -> None:
    rng = np.random.default_rng(5)
    xs, ys = np.sort(rng.uniform(0, 300, 257)), rng.uniform(0, 60, 257)
    made = polyline_path(xs, ys)
    by_hand = QPainterPath()
    by_hand.moveTo(xs[0], ys[0])
    for x, y in zip(xs[1:], ys[1:], strict=True):
        by_hand.lineTo(x, y)
    assert made.elementCount() == 257
    assert serialised(made) == serialised(by_hand)
    assert made.boundingRect() == by_hand.boundingRect()


def test_one_point_makes_a_path_of_one_point_and_none_an_empty_one() -> None:
    one = polyline_path(np.array([4.0]), np.array([2.0]))
    assert one.elementCount() == 1 and one.currentPosition().toTuple() == (4.0, 2.0)
    assert polyline_path(np.zeros(0), np.zeros(0)).isEmpty()


def test_points_in_one_pixel_column_become_one_at_their_mean_height() -> None:
    rng = np.random.default_rng(9)
    xs = np.sort(rng.uniform(1, 40, 500))
    ys = rng.uniform(0, 100, 500)
    expected = []
    for _, run in groupby(zip(xs.tolist(), ys.tolist(), strict=True), key=lambda p: int(p[0])):
        points = list(run)
        expected.append((points[0][0], sum(y for _, y in points) / len(points)))
    got_x, got_y = per_pixel_column(xs, ys)
    assert got_x.tolist() == [x for x, _ in expected]
    assert np.allclose(got_y, [y for _, y in expected], rtol=0, atol=1e-9)
