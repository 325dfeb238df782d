"""The HTML report: self-contained, autoescaped, drawn and printed by a real browser (headless Chromium)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image
from support.chromium import print_to_pdf, screenshot
from support.session_folders import remove_segment

from app.review.html_report import render_html
from app.review.report_charts import ENGAGEMENT_COLOURS, timeline_chart
from app.review.report_files import session_report
from app.review.session_folder import open_session

HOSTILE = '<script>alert("x")</script><img src="https://example.invalid/t.png">'


def plant_rationale(folder: Path, text: str) -> None:
    """Give the first signal of the first result a rationale of our choosing (a hostile server's)."""
    events = folder / "events.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        data = json.loads(line)
        if data["kind"] == "result" and data["signals"]:
            data["signals"][0]["rationale"] = text
            lines[number] = json.dumps(data)
            break
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_report_is_self_contained_and_escaped(session: Path) -> None:
    plant_rationale(session, HOSTILE)
    html = render_html(session_report(open_session(session)))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "nothing may be fetched"
    assert "@media print" in html and "<svg" in html
    assert "api_key" not in html


def test_the_timeline_draws_every_window_signal_line_and_gap(session: Path) -> None:
    remove_segment(session, 2)
    report = session_report(open_session(session))
    chart = timeline_chart(report)
    bands = [b for b in chart.boxes if b.css.startswith("state-")]
    marks = [b for b in chart.boxes if not b.css]
    assert len(bands) == len(report.engagement) and len(marks) == len(report.signals)
    assert len(chart.lines) == 5 and len(chart.gaps) == len(report.gaps) >= 1
    assert any(b.title.endswith("segment file missing") for b in chart.gaps)


def test_a_local_analysis_session_reports_its_delivery_over_the_session(session: Path) -> None:
    report = session_report(open_session(session))
    delivery = report.local_delivery
    assert delivery is not None and delivery.stretches == report.delivery.segments_completed
    # The synthetic source's cartoon face looks at the camera; its tone has no words.
    assert delivery.face_visible > 0.9 and delivery.eye_contact is not None and delivery.eye_contact > 0.5
    html = render_html(report)
    assert "<h2>Delivery</h2>" in html and "<h2>Sending</h2>" in html
    assert f"<tr><th>Eye contact</th><td>{delivery.eye_contact:.0%}</td></tr>" in html


def test_chromium_draws_and_prints_it(session: Path, tmp_path: Path) -> None:
    remove_segment(session, 2)
    page = tmp_path / "report.html"
    page.write_text(render_html(session_report(open_session(session))), encoding="utf-8")
    image = Image.open(screenshot(page, tmp_path / "report.png")).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20) or []}
    wanted = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in ENGAGEMENT_COLOURS.values()}
    assert wanted & colours, "the engagement band was not drawn"
    assert (224, 138, 30) in colours, "the gap hatch was not drawn"
    top = image.crop((0, 0, image.width, 120))
    assert len(top.getcolors(maxcolors=1 << 16) or []) > 20, "no title text at the top of the page"
    pdf = print_to_pdf(page, tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
