"""Interhuman Live: the application layer that wires capture, streaming and the widgets."""

from importlib.metadata import PackageNotFoundError, version

APP_NAME = "interhuman-live"
APP_TITLE = "Interhuman Live"

try:
    __version__ = version(APP_NAME)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
