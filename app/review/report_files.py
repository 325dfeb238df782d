"""A session's report, made from its folder and written as JSON, CSV or HTML where the user asks."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from app.model.coverage_gaps import Gap
from app.model.report import CSV_COLUMNS, ReportSession, SessionReport, build_report, csv_rows
from app.review.session_folder import SessionFolder
from app.session.manifest import without_secrets

log = logging.getLogger(__name__)

DEFAULT_NAMES = {"html": "report.html", "json": "report.json", "csv": "report.csv"}


def session_report(folder: SessionFolder, *, extra_gaps: Sequence[Gap] = ()) -> SessionReport:
    """The report of the session in `folder`; `extra_gaps` are what the joined recording found
    (segments that would not demux)."""
    review = folder.review_with(extra_gaps) if extra_gaps else folder.review
    manifest = folder.manifest
    session = ReportSession(
        folder=str(folder.path),
        title=folder.title,
        session_id=manifest.session_id,
        started_at=folder.started_at,
        ended_at=manifest.ended_at,
        ended_unexpectedly=folder.ended_unexpectedly,
        source=manifest.source,
        backend=folder.backend,
        server_url=manifest.server_url,
        api_version=folder.api_version,
        app_version=manifest.app_version,
        recording_format=manifest.format,
        notes=folder.notes,
    )
    return build_report(
        review,
        session,
        # session.json never holds a secret; filtered again in case a hand-edited one does.
        settings=without_secrets(manifest.settings),
        versions=manifest.versions,
        generated_at=datetime.now(UTC),
    )


def json_text(report: SessionReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def csv_text(report: SessionReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report))
    return out.getvalue()


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (a `.part` file renamed into place)."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    log.info("wrote %s", path)
