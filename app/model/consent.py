"""The privacy notice a user agrees to before the first capture with a backend: what is captured,
where it goes, where the recording is kept and for how long.

Pure text from plain facts; the desktop shows it (`widgets/consent_dialog.py`) and remembers the
agreement under `PrivacyNotice.key`, which changes with the backend, the server and whether the
screen is captured, so any of those changing asks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from app.model.server_url import CLOUD_URL

INTERHUMAN_TERMS_URL = "https://www.interhuman.ai/terms-of-service"
"""Interhuman AI ApS's terms of service: what the company may do with the data it is sent."""
MODEL_IMPROVEMENT_URL = INTERHUMAN_TERMS_URL
"""Where Interhuman describes its Model Improvement Program. No page of its own could be found
for it (the demo names the programme; the terms govern the data), so this is the terms page."""


@dataclass(frozen=True, slots=True)
class CaptureFacts:
    """What a session captures, in words for the notice."""

    picture: str
    """"your camera", "the screen: Zoom window", "the video file talk.mp4", …"""
    sound: str | None
    """"your microphone", "the file's sound", or None without sound."""
    screen: bool = False
    """The picture is (part of) the screen: other people's faces, documents, messages may show."""


@dataclass(frozen=True, slots=True)
class RecordingFacts:
    record_media: bool
    """Segments (picture and sound) are written to disk; without, only the results are."""
    folder: Path
    retention_days: int
    """0 keeps recordings until the user deletes them."""


@dataclass(frozen=True, slots=True)
class NoticeLink:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    key: str
    """What the agreement is remembered under."""
    title: str
    captured: str
    destination: str
    data_use: list[str]
    links: list[NoticeLink]
    recording: str
    agreement: str
    """The checkbox's words."""


Backend = Literal["local", "cloud"]


def notice_key(backend: Backend, server_url: str, *, screen: bool) -> str:
    base = "local" if backend == "local" else f"cloud {server_url.strip()}"
    return f"{base} +screen" if screen else base


def privacy_notice(
    backend: Backend,
    server_url: str,
    capture: CaptureFacts,
    recording: RecordingFacts,
    *,
    local_only: bool = False,
) -> PrivacyNotice:
    what = capture.picture if capture.sound is None else f"{capture.picture} and {capture.sound}"
    captured = f"This session captures {what}."
    if capture.screen:
        captured += " Whatever shows on the screen is captured: faces, documents, messages."
    if backend == "local":
        title = "Local analysis: nothing leaves this computer"
        destination = (
            "Analysed on this computer by Local analysis. Nothing is sent to Interhuman or to any other "
            "computer."
        )
        if local_only:
            destination += " Local-only mode is on: the app connects to no other computer at all."
        data_use: list[str] = []
        links: list[NoticeLink] = []
    else:
        host = urlsplit(server_url.strip()).hostname or server_url
        interhuman = server_url.strip() == CLOUD_URL or host.endswith(".interhuman.ai")
        if interhuman:
            title = "Sent to Interhuman for analysis"
            destination = (
                f"While sending is on, the picture and sound go to Interhuman ({host}) over an encrypted "
                "connection. Pause sending stops it at any time."
            )
            data_use = [
                "Interhuman's data-use terms apply to what it receives.",
                "Its demo states that recordings go into its Model Improvement Program: they are used to "
                "train its models, there is no opt-out, and they are kept for up to 18 months.",
            ]
            links = [
                NoticeLink("Interhuman's data-use terms", INTERHUMAN_TERMS_URL),
                NoticeLink("Model Improvement Program", MODEL_IMPROVEMENT_URL),
            ]
        else:
            title = f"Sent to {host} for analysis"
            destination = (
                f"While sending is on, the picture and sound go to the server at {host}, which is not "
                "Interhuman's own service. Pause sending stops it at any time."
            )
            data_use = [f"The terms of whoever runs {host} apply to what it receives."]
            links = []
    return PrivacyNotice(
        key=notice_key(backend, server_url, screen=capture.screen),
        title=title,
        captured=captured,
        destination=destination,
        data_use=data_use,
        links=links,
        recording=_recording_text(recording),
        agreement="I understand what is captured and where it goes",
    )


def _recording_text(recording: RecordingFacts) -> str:
    kept = (
        "until you delete them"
        if recording.retention_days == 0
        else f"for {recording.retention_days} day{'s' if recording.retention_days != 1 else ''}, then deleted"
    )
    if recording.record_media:
        return (
            f"A copy of the picture and sound and every result is kept on this computer in "
            f"{recording.folder}, {kept}. Settings → Recording turns recording off."
        )
    return (
        f"Recording is off: no picture or sound is kept; the results are kept on this computer in "
        f"{recording.folder}, {kept}."
    )
