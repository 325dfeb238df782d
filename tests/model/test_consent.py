"""The privacy notice: what it says for each backend, and what it is remembered under."""

from __future__ import annotations

from pathlib import Path

from app.model.consent import (
    INTERHUMAN_TERMS_URL,
    CaptureFacts,
    RecordingFacts,
    notice_key,
    privacy_notice,
)
from app.model.server_url import CLOUD_URL

CAMERA = CaptureFacts("your camera", "your microphone")
KEPT = RecordingFacts(True, Path("/home/ada/sessions"), 30)


def test_local_analysis_says_nothing_leaves_this_computer() -> None:
    notice = privacy_notice("local", "local", CAMERA, KEPT)
    assert notice.key == "local"
    assert notice.captured == "This session captures your camera and your microphone."
    assert "Nothing is sent to Interhuman or to any other computer" in notice.destination
    assert not notice.links and not notice.data_use
    assert notice.recording == (
        "A copy of the picture and sound and every result is kept on this computer in "
        "/home/ada/sessions, for 30 days, then deleted. Settings → Recording turns recording off."
    )


def test_the_interhuman_cloud_names_its_terms_and_the_model_improvement_program() -> None:
    notice = privacy_notice("cloud", CLOUD_URL, CAMERA, KEPT)
    assert notice.key == f"cloud {CLOUD_URL}"
    assert notice.title == "Sent to Interhuman for analysis"
    assert "api.interhuman.ai" in notice.destination
    text = " ".join(notice.data_use)
    assert "Model Improvement Program" in text and "no opt-out" in text and "18 months" in text
    assert notice.links[0].url == INTERHUMAN_TERMS_URL
    assert all(link.url.startswith("https://") for link in notice.links)


def test_another_server_is_named_and_asks_again() -> None:
    notice = privacy_notice("cloud", "wss://analysis.example.org/v0/stream/analyze", CAMERA, KEPT)
    assert notice.title == "Sent to analysis.example.org for analysis"
    assert "not Interhuman's own service" in notice.destination
    assert notice.key != privacy_notice("cloud", CLOUD_URL, CAMERA, KEPT).key


def test_a_screen_capture_is_named_and_asks_again() -> None:
    screen = CaptureFacts("the screen: Zoom window", "your microphone", screen=True)
    notice = privacy_notice("local", "local", screen, KEPT)
    assert "the screen: Zoom window" in notice.captured
    assert "faces, documents, messages" in notice.captured
    assert notice.key == notice_key("local", "local", screen=True) != "local"


def test_recording_off_keeps_only_the_results_and_forever_says_so() -> None:
    notice = privacy_notice("local", "local", CAMERA, RecordingFacts(False, Path("/r"), 0))
    assert notice.recording == (
        "Recording is off: no picture or sound is kept; the results are kept on this computer in /r, "
        "until you delete them."
    )
