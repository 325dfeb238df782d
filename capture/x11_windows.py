"""The windows on an X11 desktop (titles, owners, places, states), read with python-xlib.

Qt's `QWindowCapture.capturableWindows()` lists nothing on X11, so windows are found the way
pagers and taskbars find them: the window manager's `_NET_CLIENT_LIST`, or, with no window
manager, the viewable children of the root window. One `X11Desktop` is one connection to the
X server; like the connection, it belongs to one thread at a time.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from Xlib import X, Xatom
from Xlib import error as xerror
from Xlib.display import Display
from Xlib.xobject.drawable import Window

from capture.areas import Area
from capture.media import DeviceNotFound

log = logging.getLogger(__name__)

ICONIC_STATE = 3
"""WM_STATE's value for a minimised (iconified) window, from the ICCCM."""
_SKIPPED_TYPES = ("_NET_WM_WINDOW_TYPE_DESKTOP", "_NET_WM_WINDOW_TYPE_DOCK")
NO_X_SERVER = (
    "No X display to list windows on: run it on a desktop (with DISPLAY set), or choose a camera or a file."
)


@dataclass(frozen=True, slots=True)
class WindowInfo:
    id: int
    title: str
    pid: int | None
    """The owning process, where the window says (`_NET_WM_PID`)."""
    area: Area
    """The window's content, without the window manager's frame, in desktop pixels."""
    minimised: bool


class X11Desktop:
    """The windows of the X display `display` (DISPLAY by default)."""

    def __init__(self, display: str | None = None) -> None:
        try:
            self._display = Display(display)
        except (xerror.DisplayError, OSError) as error:
            log.info("cannot open the X display %r: %s", display or os.environ.get("DISPLAY"), error)
            raise DeviceNotFound(NO_X_SERVER, source="window") from error
        self._root = self._display.screen().root
        self._atoms: dict[str, int] = {}

    def close(self) -> None:
        self._display.close()

    def __enter__(self) -> X11Desktop:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def windows(self, *, exclude_pid: int | None = None) -> list[WindowInfo]:
        """Every titled top-level window, oldest first, without those of process `exclude_pid`."""
        found = []
        for window_id in self._top_level_ids():
            info = self.window(window_id)
            if info is not None and info.title and (exclude_pid is None or info.pid != exclude_pid):
                found.append(info)
        return found

    def window(self, window_id: int) -> WindowInfo | None:
        """What window `window_id` is now, or None once it is gone (or is no window of interest)."""
        window = self._display.create_resource_object("window", window_id)
        try:
            if self._skipped_type(window):
                return None
            geometry = window.get_geometry()
            origin = self._root.translate_coords(window, 0, 0)
            return WindowInfo(
                id=window_id,
                title=self._title(window),
                pid=self._cardinal(window, "_NET_WM_PID"),
                area=Area(origin.x, origin.y, geometry.width, geometry.height),
                minimised=self._minimised(window),
            )
        except (xerror.BadWindow, xerror.BadDrawable, xerror.BadMatch):
            return None

    # -- reading ---------------------------------------------------------------------------------

    def _top_level_ids(self) -> list[int]:
        clients = self._root.get_full_property(self._atom("_NET_CLIENT_LIST"), Xatom.WINDOW)
        if clients is not None:
            return [int(value) for value in clients.value]
        # No window manager: the windows are the root's own children; unmapped ones are hidden.
        ids = []
        for child in self._root.query_tree().children:
            try:
                attributes = child.get_attributes()
            except (xerror.BadWindow, xerror.BadDrawable):
                continue
            if attributes.map_state == X.IsViewable and not attributes.override_redirect:
                ids.append(child.id)
        return ids

    def _title(self, window: Window) -> str:
        name = window.get_full_property(self._atom("_NET_WM_NAME"), self._atom("UTF8_STRING"))
        if name is not None and name.value:
            value = name.value
            return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
        legacy = window.get_wm_name()
        if isinstance(legacy, bytes):
            return legacy.decode("latin-1")
        return legacy or ""

    def _minimised(self, window: Window) -> bool:
        state = window.get_full_property(self._atom("WM_STATE"), self._atom("WM_STATE"))
        if state is not None and len(state.value) and int(state.value[0]) == ICONIC_STATE:
            return True
        net_state = window.get_full_property(self._atom("_NET_WM_STATE"), Xatom.ATOM)
        if net_state is not None and self._atom("_NET_WM_STATE_HIDDEN") in net_state.value:
            return True
        return bool(window.get_attributes().map_state != X.IsViewable)

    def _skipped_type(self, window: Window) -> bool:
        types = window.get_full_property(self._atom("_NET_WM_WINDOW_TYPE"), Xatom.ATOM)
        if types is None:
            return False
        return any(self._atom(name) in types.value for name in _SKIPPED_TYPES)

    def _cardinal(self, window: Window, name: str) -> int | None:
        prop = window.get_full_property(self._atom(name), Xatom.CARDINAL)
        return int(prop.value[0]) if prop is not None and len(prop.value) else None

    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self._display.intern_atom(name)
        return self._atoms[name]
