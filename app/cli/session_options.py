"""Command-line options → `SessionConfig`, shared by `stream` and the GUI's `--source/--local/--start`."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from app.cli.advice import key_origin_text, set_key_again
from app.model.local_only import url_refusal
from app.model.server_url import CLOUD_URL, api_of_url, server_url_problem
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.session.config import LOCAL, SessionConfig
from app.session.recording_folder import holds_recording, writable_problem
from app.store.keystore import Credential, KeyStore
from app.store.paths import sessions_root
from app.uplink.handshake import key_shape_problem
from capture.encoder_config import MAX_SEGMENT_S, MIN_SEGMENT_S

CONNECT_ATTEMPTS = 7
"""Attempts before a command-line session gives up on a server it cannot reach: about 30 s of backoff."""


class SessionOptionsError(ValueError):
    """A usage error, worded for the command line."""


def session_config_from_args(args: argparse.Namespace) -> tuple[SessionConfig, Credential | None]:
    try:
        source = SourceSpec.parse(args.source)
        microphone = MicSpec.parse(args.mic)
        capture = CaptureFormat.parse_resolution(args.resolution, args.fps)
    except ValueError as error:
        raise SessionOptionsError(str(error)) from None
    if not MIN_SEGMENT_S <= args.segment_seconds <= MAX_SEGMENT_S:
        raise SessionOptionsError(
            f"--segment-seconds must be between {MIN_SEGMENT_S:g} and {MAX_SEGMENT_S:g}, "
            f"not {args.segment_seconds:g}"
        )
    if args.duration is not None and args.duration <= 0:
        raise SessionOptionsError("--duration must be a positive number of seconds")
    if source.kind == "file" and source.path is not None:
        problem = _video_file_problem(source.path)
        if problem:
            raise SessionOptionsError(problem)
    record = not args.no_record
    if record:
        _check_recording_folder(args.record_dir)
    local_only = bool(getattr(args, "local_only", False))
    # Local-only needs no key: the keyring is not even asked (a D-Bus round trip, or a prompt).
    credential = None if local_only else KeyStore().credential()
    if args.local:
        url = LOCAL
    elif args.url:
        url = args.url
        problem = server_url_problem(url) or (
            url_refusal(url, how_to_leave="leave out --local-only") if local_only else None
        )
        if problem:
            raise SessionOptionsError(problem)
    else:
        url = CLOUD_URL if credential is not None else LOCAL
    if url != LOCAL and credential is not None:
        shape = key_shape_problem(credential.value)
        if shape:
            raise SessionOptionsError(
                f"{key_origin_text(credential.origin)} {shape}; {set_key_again(credential.origin)}"
            )
    api, model, goals = args.api, args.model, tuple(dict.fromkeys(args.goal))
    named = api or (None if url == LOCAL else api_of_url(url)) or "v0"
    if model is not None and named != "v2":
        raise SessionOptionsError(f"--model is for v2 streams; add --api v2 (this session speaks {named})")
    if goals and named == "v0":
        raise SessionOptionsError("--goal needs a v1 or v2 stream: add --api v1 (v0 gives no feedback text)")

    config = SessionConfig(
        source=source,
        microphone=microphone,
        capture=capture,
        segment_s=args.segment_seconds,
        codec=args.codec,
        realtime=args.realtime,
        duration_s=args.duration,
        url=url,
        include=tuple(dict.fromkeys(args.include)),
        api=api,
        model=model,
        goal_dimensions=goals,
        record=record,
        record_dir=args.record_dir,
        local_only=local_only,
        connect_attempts=CONNECT_ATTEMPTS,
    )
    return config, credential


def _video_file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a video file, in the user's terms, or None."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"no such file: {path}"
    except OSError as error:
        return f"cannot read {path}: {(error.strerror or type(error).__name__).lower()}"
    if stat.S_ISDIR(mode):
        return f"{path} is a folder, not a video file"
    if not stat.S_ISREG(mode):
        return f"{path} is not a regular file (a pipe or a device); give a video file"
    if not os.access(path, os.R_OK):
        return f"cannot read {path}: permission denied"
    return None


def _check_recording_folder(record_dir: Path | None) -> None:
    if record_dir is not None and holds_recording(record_dir):
        raise SessionOptionsError(f"{record_dir} already holds a recording; choose an empty or new folder")
    folder = record_dir if record_dir is not None else sessions_root()
    problem = writable_problem(folder)
    if problem:
        option = "choose another --record-dir" if record_dir is not None else "give a --record-dir"
        raise SessionOptionsError(
            f"cannot record to {folder}: {problem}; {option}, or pass --no-record to run without a recording"
        )
