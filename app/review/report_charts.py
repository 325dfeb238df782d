"""The HTML report's charts as plain shapes in SVG user units, for the template to draw.

Computing the geometry here keeps the template free of arithmetic and lets a test check what is
drawn (a band per engagement window, a mark per signal, a line per quality dimension, a hatched
box per gap) without parsing SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.model.report import SessionReport
from app.model.vocabulary import PROBABILITY_RANK, QUALITY_DIMENSIONS
from app.model.wording import mmss, signal_name

WIDTH = 960.0
LABEL_W = 120.0
ROW_H = 18.0
ROW_GAP = 6.0
QUALITY_H = 90.0
AXIS_H = 20.0
ENGAGEMENT_COLOURS = {"engaged": "#2e9e6e", "neutral": "#8d98ab", "disengaged": "#d9534f"}
QUALITY_COLOURS = {
    "clarity": "#3b7dd8",
    "authority": "#8e5bd0",
    "energy": "#e08a1e",
    "rapport": "#2e9e6e",
    "learning": "#c2417a",
}
PROBABILITY_OPACITY = {0: 0.35, 1: 0.35, 2: 0.65, 3: 1.0}


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    opacity: float = 1.0
    title: str = ""
    css: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True, slots=True)
class Line:
    points: str
    """SVG polyline points: "x,y x,y …"."""
    colour: str
    name: str


@dataclass(frozen=True, slots=True)
class TimelineChart:
    width: float
    height: float
    boxes: list[Box]
    lines: list[Line]
    labels: list[Label]
    gaps: list[Box]
    ticks: list[tuple[float, str]]
    plot_top: float
    plot_bottom: float


def timeline_chart(report: SessionReport) -> TimelineChart:
    span = max(report.length_s, 1.0)
    plot_w = WIDTH - LABEL_W - 10

    def x(t: float) -> float:
        return LABEL_W + max(0.0, min(1.0, t / span)) * plot_w

    boxes: list[Box] = []
    labels: list[Label] = []
    y = 4.0
    labels.append(Label(LABEL_W - 8, y + ROW_H - 5, "Engagement", "end"))
    for window in report.engagement:
        boxes.append(
            Box(
                x(window.start),
                y,
                max(0.5, x(window.end) - x(window.start)),
                ROW_H,
                ENGAGEMENT_COLOURS[window.state],
                title=f"{mmss(window.start)}–{mmss(window.end)} {window.state}",
                css=f"state-{window.state}",
            )
        )
    y += ROW_H + ROW_GAP
    for stat in report.signal_summary:
        labels.append(Label(LABEL_W - 8, y + ROW_H - 5, signal_name(stat.type), "end"))
        for signal in (s for s in report.signals if s.type == stat.type):
            rank = PROBABILITY_RANK[signal.probability]
            boxes.append(
                Box(
                    x(signal.start),
                    y + 2,
                    # a hairline apart, so back-to-back readings show as marks, not one bar
                    max(1.5, x(signal.end) - x(signal.start) - 1.0),
                    ROW_H - 4,
                    "#3b5bdb",
                    PROBABILITY_OPACITY[rank],
                    f"{mmss(signal.start)}–{mmss(signal.end)} {signal.probability or 'seen'}: "
                    f"{signal.rationale or ''}",
                )
            )
        y += ROW_H + ROW_GAP
    lines: list[Line] = []
    if report.quality.timeline:
        top, bottom = y + 4, y + QUALITY_H
        labels.append(Label(LABEL_W - 8, top + 10, "Quality 100", "end"))
        labels.append(Label(LABEL_W - 8, bottom, "0", "end"))

        def qy(value: float) -> float:
            return bottom - value / 100.0 * (bottom - top)

        for dimension in QUALITY_DIMENSIONS:
            points = " ".join(
                f"{x((w.start + w.end) / 2):.1f},{qy(getattr(w.values, dimension)):.1f}"
                for w in report.quality.timeline
            )
            lines.append(Line(points, QUALITY_COLOURS[dimension], dimension))
        y = bottom + ROW_GAP
    plot_bottom = y
    gaps = [
        Box(
            x(gap.start),
            0,
            max(2.0, x(gap.end) - x(gap.start)),
            plot_bottom,
            "url(#gap-hatch)",
            title=f"{mmss(gap.start)}–{mmss(gap.end)} {gap.reason}",
            css=f"gap gap-{gap.kind}",
        )
        for gap in report.gaps
    ]
    step = _tick_step(span)
    ticks = [(x(t), mmss(t)) for t in _frange(0.0, span, step)]
    return TimelineChart(WIDTH, plot_bottom + AXIS_H, boxes, lines, labels, gaps, ticks, 0.0, plot_bottom)


@dataclass(frozen=True, slots=True)
class ShareBar:
    width: float
    parts: list[Box]


def engagement_bar(report: SessionReport, width: float = 480.0, height: float = 22.0) -> ShareBar:
    summary = report.engagement_summary
    parts = []
    left = 0.0
    for state in ("engaged", "neutral", "disengaged"):
        share = getattr(summary, f"{state}_share") or 0.0
        if share > 0:
            parts.append(
                Box(
                    left,
                    0,
                    share * width,
                    height,
                    ENGAGEMENT_COLOURS[state],
                    title=f"{state} {share:.0%}",
                    css=f"state-{state}",
                )
            )
            left += share * width
    return ShareBar(width, parts)


def _tick_step(span: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if span / step <= 10:
            return float(step)
    return 7200.0


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = int(stop // step) + 1
    return [start + i * step for i in range(count) if start + i * step <= stop]
