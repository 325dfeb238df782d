"""Command-line options → `SessionConfig`, shared by `stream` and the GUI's `--source/--local/--start`."""

from __future__ import annotations

import argparse

from app.model.local_only import url_refusal
from app.model.server_url import CLOUD_URL, server_url_problem
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.session.config import LOCAL, SessionConfig
from app.session.recording_folder import holds_recording
from app.store.keystore import Credential, KeyStore
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
    if source.kind == "file" and source.path is not None and not source.path.is_file():
        raise SessionOptionsError(f"no such file: {source.path}")
    if args.record_dir is not None and holds_recording(args.record_dir):
        raise SessionOptionsError(
            f"{args.record_dir} already holds a recording; choose an empty or new folder"
        )
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
        record_dir=args.record_dir,
        local_only=local_only,
        connect_attempts=CONNECT_ATTEMPTS,
    )
    return config, credential
