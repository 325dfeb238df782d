"""Command-line options → `SessionConfig`, shared by `stream` and the GUI's `--source/--local/--start`."""

from __future__ import annotations

import argparse

from app.model.server_url import CLOUD_URL, api_of_url, server_url_problem
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
    credential = KeyStore().credential()
    if args.local:
        url = LOCAL
    elif args.url:
        url = args.url
        problem = server_url_problem(url)
        if problem:
            raise SessionOptionsError(problem)
    else:
        url = CLOUD_URL if credential is not None else LOCAL
    api = args.api
    model = args.model
    goals = tuple(dict.fromkeys(args.goal))
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
        record_dir=args.record_dir,
        connect_attempts=CONNECT_ATTEMPTS,
    )
    return config, credential
