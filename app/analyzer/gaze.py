"""Where a face looks, and what its eyes and mouth do: per sample, from head pose and blendshapes.

Eye contact is looking toward the camera: the head faces it (yaw and pitch within
`EYE_CONTACT_MAX_YAW_DEG` / `_PITCH_DEG`) and the eyes are neither turned aside nor up or down
(their look blendshapes below `EYES_AWAY_MIN_LOOK`), nor closed. A person reading a screen just
below the camera still counts: a webcam sits only a few degrees above the picture one looks at.
A head turned beyond `HEAD_TURNED_AWAY_DEG` is turned away, whatever the eyes do.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.analyzer import thresholds as th
from app.analyzer.face_tracking import FaceSample


def turned_away(face: FaceSample) -> bool:
    return abs(face.yaw_deg) >= th.HEAD_TURNED_AWAY_DEG or abs(face.pitch_deg) >= th.HEAD_TILTED_AWAY_DEG


def eye_contact(face: FaceSample) -> bool:
    return (
        abs(face.yaw_deg) <= th.EYE_CONTACT_MAX_YAW_DEG
        and abs(face.pitch_deg) <= th.EYE_CONTACT_MAX_PITCH_DEG
        and face.look_sideways < th.EYES_AWAY_MIN_LOOK
        and face.look_vertical < th.EYES_AWAY_MIN_LOOK
        and face.eyes_closed < th.EYES_CLOSED_MIN
    )


def smiling(face: FaceSample) -> bool:
    return face.smile >= th.SMILE_MIN


def count_blinks(faces: Sequence[FaceSample | None]) -> int:
    """Closings of the eyes between open samples of one face sighting (bridged samples break it)."""
    blinks = 0
    was_open = False
    for face in faces:
        if face is None or face.bridged:
            was_open = False
            continue
        closed = face.eyes_closed >= th.EYES_CLOSED_MIN
        if closed and was_open:
            blinks += 1
        was_open = not closed
    return blinks
