"""Fixtures for the review tests: a session recorded by the real pipeline, and a copy per test."""

from __future__ import annotations

from support.session_folders import recorded, session

__all__ = ["recorded", "session"]
