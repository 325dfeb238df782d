"""Logging, set up once by the entry point: stderr plus a rotating file in the platform log folder."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from app import APP_NAME
from app.model.api_key import KEY_SHAPED
from app.store.paths import log_dir

LOG_ENV = "INTERHUMAN_LIVE_LOG"
_CONSOLE = "console"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


# Credentials never reach a log line by design; this filter is the second line of defence. It keeps a
# key's first four characters, so a log still tells which key was meant.
def _masked(match: re.Match[str]) -> str:
    if match["key"] is not None:
        return f"{match['key_prefix']}{match['key'][:4]}…"
    return f"{match['bearer']}…"


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = KEY_SHAPED.sub(_masked, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str | None = None, *, to_file: bool = True) -> Path | None:
    """Configure the root logger once. Returns the log file's path, or None without one.

    The file gets `level` (INFO by default). The console gets `level` only when one was asked
    for; otherwise warnings and errors, so that `stream`'s progress lines stay readable.
    """
    asked = level or os.environ.get(LOG_ENV)
    name = (asked or "INFO").upper()
    numeric = logging.getLevelName(name)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {asked!r}: use DEBUG, INFO, WARNING or ERROR")
    root = logging.getLogger()
    root.setLevel(numeric)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    redact = RedactSecrets()
    console = logging.StreamHandler()
    console.set_name(_CONSOLE)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(redact)
    console.setLevel(numeric if asked else max(numeric, logging.WARNING))
    root.addHandler(console)
    path = None
    if to_file:
        try:
            folder = log_dir()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{APP_NAME}.log"
            file_handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError as error:
            root.warning("cannot write a log file (%s); logging to the console only", error)
            path = None
        else:
            file_handler.setFormatter(logging.Formatter(_FORMAT))
            file_handler.addFilter(redact)
            root.addHandler(file_handler)
    logging.captureWarnings(True)
    return path


def quiet_console(asked: str | None, level: int) -> None:
    """Show only records of `level` and above on the console, unless the user asked for a level
    (`--log-level` or the environment): for commands whose own output says what matters."""
    if asked or os.environ.get(LOG_ENV):
        return
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _CONSOLE:
            handler.setLevel(max(handler.level, level))
