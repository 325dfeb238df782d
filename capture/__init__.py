"""Capture sources, the session clock and the rolling WebM segment encoder. No network, no widgets."""
