"""The live preview and its overlay, checked on the pixels the user would see."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot
from support.session_builder import SessionBuilder
from support.widget_pixels import colour_at, count_near, grab, grey_frame, luminance, near

import widgets.preview as preview_module
from app.model.view_state import DeviceStatus, PipelineStatus
from capture.fanout import fit_for_display
from widgets import theme
from widgets.freshness import freshness
from widgets.gauges import GaugeHit
from widgets.overlay import OverlayLook, cue_card, overlay_look, paint_overlay
from widgets.preview import PreviewWidget

pytestmark = pytest.mark.timeout(60)

RUNNING = PipelineStatus(backend="cloud", session_state="running", camera=DeviceStatus("Camera", "ok"))


def make_preview(qtbot: QtBot, width: int = 960, height: int = 540) -> PreviewWidget:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(width, height)
    preview.show()
    qtbot.waitExposed(preview)
    return preview


def glyph_point(glyph: QRectF, fx: float, fy: float) -> QPointF:
    return QPointF(glyph.left() + fx * glyph.width(), glyph.top() + fy * glyph.height())


# (top-middle inside?, upper-left corner inside?) tells a circle, a square and a diamond apart.
SHAPES = {"engaged": (True, True), "neutral": (False, True), "disengaged": (True, False)}


@pytest.mark.parametrize("state", ["engaged", "neutral", "disengaged"])
def test_each_engagement_state_paints_its_colour_and_its_shape(
    qtbot: QtBot, builder: SessionBuilder, state: str
) -> None:
    builder.result(0, 4, state)  # type: ignore[arg-type]
    preview = make_preview(qtbot, 1600, 900)  # a large badge, so shape samples sit well off its edges
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(6.0))
    image = grab(preview)
    badge = preview.overlay_layout().badge
    assert badge is not None
    colour = theme.ENGAGEMENT_COLOURS[state]  # type: ignore[index]
    assert near(colour_at(image, glyph_point(badge.glyph, 0.5, 0.78)), colour)
    top_inside, corner_inside = SHAPES[state]
    assert near(colour_at(image, glyph_point(badge.glyph, 0.5, 0.06)), colour) is top_inside
    assert near(colour_at(image, glyph_point(badge.glyph, 0.2, 0.2)), colour) is corner_inside


def test_waiting_for_the_first_result_is_said_plainly(qtbot: QtBot, builder: SessionBuilder) -> None:
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(2.0))
    image = grab(preview)
    layout = preview.overlay_layout()
    assert freshness(builder.snapshot(2.0), RUNNING).text == "Waiting for first result"
    assert layout.gauges == []
    assert layout.badge is not None and layout.freshness is not None
    # A grey ring, not a filled dot: the centre shows the plate, the ring the waiting grey.
    centre = layout.freshness.dot_centre
    radius = 5 * (layout.freshness.rect.height() / 46)
    assert not near(colour_at(image, centre), theme.WAITING)
    assert (
        count_near(image, round(centre.x() - radius - 1), round(centre.y() - 1), 4, 3, theme.WAITING, 40) > 0
    )


def test_the_freshness_dot_turns_from_green_to_amber_as_results_stop(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    builder.result(0, 4, "engaged", arrived=5.0)
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(7.0))
    image = grab(preview)
    fresh = preview.overlay_layout().freshness
    assert fresh is not None and near(colour_at(image, fresh.dot_centre), theme.FRESH)
    later = builder.snapshot(35.0)
    preview.set_snapshot(later)
    image = grab(preview)
    stale = preview.overlay_layout().freshness
    assert stale is not None and near(colour_at(image, stale.dot_centre), theme.STALE)
    assert freshness(later, RUNNING).text == "No new result for 30 s"


def test_gauges_come_strongest_first_and_old_ones_fade(qtbot: QtBot, builder: SessionBuilder) -> None:
    builder.result(0, 4, "neutral", [("uncertainty", "high", "Voice trails off.")])
    builder.result(
        60, 64, "engaged", [("interest", "low", "Leans in."), ("confidence", "high", "Firm voice.")]
    )
    preview = make_preview(qtbot, 1280, 720)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(66.0))
    image = grab(preview)
    rows = preview.overlay_layout().gauges
    assert [row.gauge.type for row in rows] == ["confidence", "interest", "uncertainty"]
    assert rows[2].gauge.opacity < 1.0
    lit = [count_near(image, *row.rect.toAlignedRect().getRect(), theme.ACCENT, 10) for row in rows]
    assert lit[0] > lit[1] > 0, "high lights three segments, low one"
    assert lit[2] == 0, "a faded gauge no longer shows the full accent colour"


def test_the_overlay_can_be_hidden_but_the_paused_notice_stays(qtbot: QtBot, builder: SessionBuilder) -> None:
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")])
    preview = make_preview(qtbot)
    preview.set_status(PipelineStatus(session_state="running", paused=True, camera=DeviceStatus("Camera")))
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(6.0))
    grab(preview)
    badge = preview.overlay_layout().badge
    assert badge is not None
    centre = badge.glyph.center()
    preview.set_overlay_visible(False)
    image = grab(preview)
    layout = preview.overlay_layout()
    assert layout.badge is None and layout.gauges == []
    assert near(colour_at(image, centre), "#808080", 2), "the picture shows where the badge was"
    assert layout.paused is not None
    rect = layout.paused.toAlignedRect()
    assert count_near(image, rect.x(), rect.y(), rect.width(), rect.height(), theme.WARNING, 20) > 20


def test_paused_indicator_only_while_paused(qtbot: QtBot, builder: SessionBuilder) -> None:
    preview = make_preview(qtbot)
    preview.set_frame(grey_frame())
    preview.set_status(RUNNING)
    grab(preview)
    assert preview.overlay_layout().paused is None
    preview.set_status(PipelineStatus(session_state="running", paused=True, camera=DeviceStatus("Camera")))
    grab(preview)
    assert preview.overlay_layout().paused is not None


@pytest.mark.parametrize(
    ("status", "title", "detail_part"),
    [
        (
            PipelineStatus(camera=DeviceStatus("Camera", "missing")),
            "No camera found",
            "Synthetic test signal",
        ),
        (
            PipelineStatus(session_state="running", camera=DeviceStatus("Camera", "lost")),
            "Camera lost — waiting for it to come back",
            "cable",
        ),
        (
            PipelineStatus(session_state="starting", camera=DeviceStatus("Camera", "starting")),
            "Starting…",
            "camera",
        ),
        (PipelineStatus(camera=DeviceStatus("Camera", "off")), "Ready when you are", "Ctrl+Return"),
    ],
)
def test_placeholder_says_what_happened_and_what_to_do(
    qtbot: QtBot, status: PipelineStatus, title: str, detail_part: str
) -> None:
    preview = make_preview(qtbot)
    preview.set_status(status)
    card = preview.placeholder()
    assert card is not None
    assert card.title == title
    assert detail_part in card.detail
    image = grab(preview)
    card_edge = QPointF(preview.width() / 2 - 220, preview.height() / 2)  # inside the card, off its text
    assert near(colour_at(image, card_edge), "#171a20", 6)


def test_a_lost_camera_dims_the_last_picture_under_the_card(qtbot: QtBot) -> None:
    preview = make_preview(qtbot)
    preview.set_frame(grey_frame(level=200))
    preview.set_status(PipelineStatus(session_state="running", camera=DeviceStatus("Camera", "lost")))
    image = grab(preview)
    frame = preview.frame_rect()
    assert frame is not None
    assert luminance(colour_at(image, frame.topLeft() + QPointF(300, 400))) < 120


def shown_with_a_gauge(qtbot: QtBot, builder: SessionBuilder) -> tuple[PreviewWidget, GaugeHit]:
    """A running preview painted with one gauge (skepticism, with its rationale), and its row."""
    builder.result(0, 4, "engaged", [("skepticism", "medium", "Raised eyebrow at the price claim.")])
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    preview.set_snapshot(builder.snapshot(5.0))
    grab(preview)
    row = preview.overlay_layout().gauges[0]
    return preview, row


def test_hovering_a_gauge_shows_its_rationale_and_meaning(qtbot: QtBot, builder: SessionBuilder) -> None:
    preview, row = shown_with_a_gauge(qtbot, builder)
    pos = row.rect.center().toPoint()
    QApplication.sendEvent(preview, QHelpEvent(QEvent.Type.ToolTip, pos, preview.mapToGlobal(pos)))
    assert QToolTip.isVisible()
    text = QToolTip.text()
    assert "Raised eyebrow at the price claim." in text
    assert "Doubt about a claim." in text
    QToolTip.hideText()
    empty = QPoint(preview.width() // 2, preview.height() // 2)
    assert preview.tooltip_at(QPointF(empty)) is None


def test_frames_keep_their_aspect_ratio(qtbot: QtBot) -> None:
    preview = make_preview(qtbot, 1000, 500)
    preview.set_frame(grey_frame(640, 480, level=200))
    frame = preview.frame_rect()
    assert frame is not None
    assert frame.height() == pytest.approx(500)
    assert frame.width() == pytest.approx(500 * 640 / 480)
    assert frame.left() == pytest.approx((1000 - frame.width()) / 2)
    image = grab(preview)
    assert near(colour_at(image, QPointF(20, 250)), theme.VIDEO_BACKGROUND, 2)
    assert near(colour_at(image, QPointF(500, 250)), "#c8c8c8", 2)


def test_frames_are_shown_in_bgr_order(qtbot: QtBot) -> None:
    preview = make_preview(qtbot, 400, 300)
    frame = np.zeros((300, 400, 3), np.uint8)
    frame[..., 0] = 255  # blue, in OpenCV's channel order
    preview.set_frame(frame)
    assert near(colour_at(grab(preview), QPointF(200, 150)), "#0000ff", 2)


def test_bad_frames_are_refused_with_a_reason_and_strided_ones_accepted(qtbot: QtBot) -> None:
    preview = make_preview(qtbot, 400, 300)
    with pytest.raises(ValueError, match=r"H x W x 3 \(BGR\) or x 4 \(BGRX\) uint8"):
        preview.set_frame(np.zeros((300, 400), np.uint8))
    with pytest.raises(ValueError, match="float32"):
        preview.set_frame(np.zeros((300, 400, 3), np.float32))
    assert not preview.has_frame()
    wide = grey_frame(800, 300, level=90)
    preview.set_frame(wide[:, ::2])
    assert preview.has_frame()
    assert near(colour_at(grab(preview), QPointF(200, 150)), "#5a5a5a", 2)


@pytest.mark.parametrize("level", [255, 0])
def test_overlay_text_stands_out_on_bright_and_dark_video(
    qtbot: QtBot, builder: SessionBuilder, level: int
) -> None:
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")])
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame(level=level))
    preview.set_snapshot(builder.snapshot(5.0))
    image = grab(preview)
    row = preview.overlay_layout().gauges[0].rect
    name = QRectF(row.left() + 8, row.top(), 80, row.height()).toAlignedRect()
    pixels = [
        luminance(image.pixelColor(x, y))
        for y in range(name.top(), name.bottom())
        for x in range(name.left(), name.right())
    ]
    assert min(pixels) < 70, "the plate behind the text is dark even on white video"
    assert max(pixels) > 190, "the text itself is bright even on black video"


def test_a_frame_fitted_to_the_box_is_painted_pixel_for_pixel(qtbot: QtBot) -> None:
    preview = make_preview(qtbot, 900, 500)
    noise = np.random.default_rng(3).integers(0, 256, (480, 640, 3), np.uint8)
    preview.set_frame(fit_for_display(noise, preview.picture_box()))
    frame = preview.frame_rect()
    assert frame is not None and (frame.width(), frame.height()) == (667, 500)
    assert frame.left() == round(frame.left()) and frame.top() == 0
    shown = grab(preview)
    fitted = fit_for_display(noise, preview.picture_box())
    left = int(frame.left())
    for y, x in ((10, 10), (250, 333), (499, 666), (123, 456)):
        b, g, r = (int(v) for v in fitted[y, x, :3])
        assert shown.pixelColor(left + x, y).getRgb()[:3] == (r, g, b), "a copy: noise is not blurred"


def test_the_preview_says_its_box_when_its_size_changes(qtbot: QtBot) -> None:
    preview = make_preview(qtbot, 900, 500)
    assert preview.picture_box() == (900, 500)
    with qtbot.waitSignal(preview.picture_box_changed) as changed:
        preview.resize(700, 400)
    assert changed.args == [700, 400]


def _painted_on_one_layer(preview: PreviewWidget, look: OverlayLook) -> QImage:
    """What the preview would show with its whole overlay painted on one transparent layer."""
    layer = QImage(preview.size(), QImage.Format.Format_ARGB32_Premultiplied)
    layer.fill(Qt.GlobalColor.transparent)
    painter = QPainter(layer)
    paint_overlay(painter, look)
    painter.end()
    image = QImage(preview.size(), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.fillRect(QRectF(image.rect()), QColor(theme.VIDEO_BACKGROUND))
    frame = preview.frame_rect()
    assert frame is not None
    painter.fillRect(frame, QColor("#808080"))
    painter.drawImage(0, 0, layer)
    painter.end()
    return image


def test_the_overlays_two_layers_paint_the_pixels_one_layer_would(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice."), ("interest", "low", "Leans in.")])
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    for now in (5.6, 5.8, 9.3):  # the card's text changes each time, the rest not at all
        snapshot = builder.snapshot(now)
        preview.set_snapshot(snapshot)
        shown = grab(preview).convertToFormat(QImage.Format.Format_RGB32)
        frame = preview.frame_rect()
        assert frame is not None
        look = overlay_look(frame, snapshot, RUNNING, feedback_visible=True)
        assert shown == _painted_on_one_layer(preview, look), f"at {now} s"
        card = preview.overlay_layout().freshness
        assert card is not None and card.rect == cue_card(look).rect  # type: ignore[union-attr]


def test_only_the_freshness_card_is_painted_again_while_no_new_result_comes(
    qtbot: QtBot, builder: SessionBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted: list[str] = []
    for name in ("paint_overlay", "paint_cue"):
        real = getattr(preview_module, name)
        monkeypatch.setattr(
            preview_module,
            name,
            lambda *a, _real=real, _name=name, **k: painted.append(_name) or _real(*a, **k),
        )
    builder.result(0, 4, "engaged", [("confidence", "high", "Firm voice.")])
    preview = make_preview(qtbot)
    preview.set_status(RUNNING)
    preview.set_frame(grey_frame())
    for now in (5.6, 5.8, 6.0, 6.2):  # five snapshots a second, as the controller hands them over
        preview.set_snapshot(builder.snapshot(now))
        grab(preview)
    assert painted.count("paint_overlay") == 1
    assert painted.count("paint_cue") == 4, "the card says how far behind the feedback is, to a tenth"
    builder.result(4, 8, "neutral", [("confidence", "low", "Hesitant.")])
    preview.set_snapshot(builder.snapshot(9.6))
    grab(preview)
    assert painted.count("paint_overlay") == 2, "a new result changes what the rest shows"


def test_a_gauges_tooltip_tells_its_age_now_though_the_gauge_was_painted_earlier(
    qtbot: QtBot, builder: SessionBuilder
) -> None:
    preview, row = shown_with_a_gauge(qtbot, builder)
    preview.set_snapshot(builder.snapshot(12.0))
    grab(preview)
    assert preview.overlay_layout().gauges[0] is row, "nothing it draws changed"
    tooltip = preview.tooltip_at(row.rect.center())
    assert tooltip is not None
    assert "8 s ago" in tooltip and "Raised eyebrow at the price claim." in tooltip
