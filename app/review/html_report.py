"""The HTML report: one self-contained file, templated with Jinja2 (autoescaped), charts as inline SVG.

Nothing in it is fetched: the stylesheet is inlined from the package, there are no scripts, fonts or
images from elsewhere, so it opens offline, can be mailed as one file and prints cleanly to PDF.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from app.model.report import SessionReport
from app.model.vocabulary import QUALITY_DIMENSIONS, quality_band
from app.model.wording import mmss, signal_name, window_text
from app.review.report_charts import ENGAGEMENT_COLOURS, QUALITY_COLOURS, engagement_bar, timeline_chart

GAP_KIND_NAMES = {
    "error": "Analysis error",
    "skipped": "Not sent",
    "reconnection": "Connection lost",
    "no_picture": "No picture",
    "unanswered": "No answer",
    "unsent": "Too short to send",
    "missing_media": "Recording missing",
    "coverage": "Not analysed",
}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.review", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        mmss=mmss,
        window=lambda item: window_text(item.start, item.end),
        signal_name=signal_name,
        share=lambda value: "–" if value is None else f"{value:.0%}",
        seconds=_seconds_text,
        band=quality_band,
        gap_kind=lambda kind: GAP_KIND_NAMES.get(kind, kind),
        setting=_setting_text,
    )
    return env


def _stylesheet() -> str:
    return resources.files("app.review").joinpath("templates", "report.css").read_text(encoding="utf-8")


def render_html(report: SessionReport) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        chart=timeline_chart(report),
        bar=engagement_bar(report),
        css=_stylesheet(),
        dimensions=QUALITY_DIMENSIONS,
        engagement_colours=ENGAGEMENT_COLOURS,
        quality_colours=QUALITY_COLOURS,
        settings=_flat_settings(report.settings),
    )


def _seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return mmss(seconds)


def _setting_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    if value is None:
        return "–"
    return str(value)


def _flat_settings(settings: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for name, value in settings.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            rows += _flat_settings(value, f"{key}.")
        else:
            rows.append((key, value))
    return rows
