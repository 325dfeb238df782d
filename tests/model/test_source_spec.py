"""`SourceSpec` and `MicSpec`: what `--source` and `--mic` take, read and written back the same."""

from __future__ import annotations

import re

import pytest

from app.model.source_spec import MicSpec, SourceSpec, region_source
from capture.areas import Area


@pytest.mark.parametrize(
    ("text", "spec", "written"),
    [
        ("camera", SourceSpec("camera"), "camera:0"),
        ("camera:2", SourceSpec("camera", camera_index=2), "camera:2"),
        ("screen", SourceSpec("screen"), "screen:0"),
        ("screen:1", SourceSpec("screen", camera_index=1), "screen:1"),
        ("window:Zoom Meeting", SourceSpec("window", title="Zoom Meeting"), "window:Zoom Meeting"),
        ("window:Call: 10:30", SourceSpec("window", title="Call: 10:30"), "window:Call: 10:30"),
        (
            "region:640x360+100+80",
            SourceSpec("region", area=Area(100, 80, 640, 360)),
            "region:0:640x360+100+80",
        ),
        ("region:1:640x360+0+0", SourceSpec("region", camera_index=1, area=Area(0, 0, 640, 360)), None),
        ("synthetic", SourceSpec("synthetic"), "synthetic"),
    ],
)
def test_sources_parse_and_write_back(text: str, spec: SourceSpec, written: str | None) -> None:
    assert SourceSpec.parse(text) == spec
    assert str(spec) == (written or text)
    assert SourceSpec.parse(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("window:", "unknown source 'window:'"),
        ("screen:one", "screen index must be a number, not 'one'"),
        ("region:1:640x360", "an area looks like 640x360+100+80"),
        ("region:0:8x8+0+0", "an area needs at least 16x16 pixels, not 8x8"),
        ("region:x:640x360+0+0", "screen index must be a number, not 'x'"),
    ],
)
def test_bad_sources_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        SourceSpec.parse(text)


def test_what_a_source_captures_is_named_for_the_user() -> None:
    assert SourceSpec.parse("window:Zoom Meeting").describe() == "Zoom Meeting window"
    assert SourceSpec.parse("screen:0").describe() == "Screen 1"
    assert SourceSpec.parse("region:1:640x360+0+0").describe() == "Region of screen 2 (640x360)"
    assert region_source(1, 0, 0, 640, 360) == "region:1:640x360+0+0"
    assert [SourceSpec.parse(t).captures_screen for t in ("screen", "window:x", "camera", "file:/a")] == [
        True,
        True,
        False,
        False,
    ]
    assert not SourceSpec.parse("screen").has_own_audio


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("default", MicSpec(None)),
        ("none", MicSpec(None, enabled=False)),
        ("Desk Mic", MicSpec("Desk Mic")),
        ("meeting", MicSpec(None, enabled=False, meeting=True)),
        ("default+meeting", MicSpec(None, meeting=True)),
        ("Desk Mic+meeting", MicSpec("Desk Mic", meeting=True)),
    ],
)
def test_microphones_and_the_meeting_audio(text: str, spec: MicSpec) -> None:
    assert MicSpec.parse(text) == spec
    assert str(spec) == text
    assert spec.any == (text != "none")
