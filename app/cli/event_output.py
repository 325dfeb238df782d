"""`--events PATH`: every event as one JSON line, flushed as it is written (`-` is stdout).

The events output is a copy for scripts: the session never depends on it. A file that cannot be
opened is a usage error, found before the session starts; one that fails later (a full disk, a
reader that went away, as with `| head`) stops the output with one warning, and the session goes
on with its recording intact.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from collections.abc import Callable
from typing import TextIO

from app.model.events import Event, event_json

log = logging.getLogger(__name__)

STDOUT = "-"


class EventsUnavailable(Exception):
    """The events output cannot be opened; the text says why, for the command line."""


class EventWriter:
    def __init__(self, stream: TextIO, *, owned: bool, name: str, warn: Callable[[str], None]) -> None:
        self._stream: TextIO | None = stream
        self._owned = owned
        self._name = name
        self._warn = warn
        self.failed: str | None = None
        """Why the output stopped, once it has."""

    @classmethod
    def open(cls, target: str, *, warn: Callable[[str], None]) -> EventWriter:
        if target == STDOUT:
            return cls(sys.stdout, owned=False, name="stdout", warn=warn)
        try:
            stream = open(target, "a", encoding="utf-8")  # noqa: SIM115 -- closed by `close`
        except IsADirectoryError:
            raise EventsUnavailable(f"cannot write the events to {target}: it is a folder") from None
        except FileNotFoundError:
            raise EventsUnavailable(
                f"cannot write the events to {target}: its folder does not exist"
            ) from None
        except OSError as error:
            reason = (error.strerror or type(error).__name__).lower()
            raise EventsUnavailable(f"cannot write the events to {target}: {reason}") from None
        return cls(stream, owned=True, name=target, warn=warn)

    def write(self, event: Event) -> None:
        if self._stream is None:
            return
        try:
            self._stream.write(event_json(event) + "\n")
            self._stream.flush()
        except OSError as error:
            self._stop(error)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None or not self._owned:
            return
        try:
            stream.close()
        except OSError as error:  # the last buffered line did not make it either
            self._stream = stream
            self._stop(error)

    def _stop(self, error: OSError) -> None:
        stream, self._stream = self._stream, None
        reason = (error.strerror or type(error).__name__).lower()
        if error.errno == errno.EPIPE:
            reason = "the reader closed it"
        self.failed = reason
        log.warning("events output to %s stopped: %s", self._name, reason)
        self._warn(f"the events output to {self._name} stopped ({reason}); the session goes on")
        if stream is None:
            return
        if not self._owned:
            # Later writes and the interpreter's own flush at exit would fail the same way, each
            # with a traceback: stdout goes nowhere from here on.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        else:
            try:
                stream.close()
            except OSError:
                log.debug("closing %s failed again", self._name)
