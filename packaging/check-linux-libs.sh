#!/bin/sh
# Names the one apt-get line for the system libraries Qt (PySide6) needs and this machine lacks.
# Sonames come from `readelf -d` on PySide6's Qt libraries and platform/multimedia plugins.
# With DISPLAY or WAYLAND_DISPLAY set (a real desktop), the X11 platform plugin's libraries count too.
[ "$(uname -s)" = Linux ] || exit 0
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
[ -x "$LDCONFIG" ] || exit 0
known=$("$LDCONFIG" -p)
missing=""
need() {
    echo "$known" | grep -q "^[[:space:]]*$1 " || missing="$missing $2"
}
need libpulse.so.0 libpulse0
need libEGL.so.1 libegl1
need libGL.so.1 libgl1
need libxkbcommon.so.0 libxkbcommon0
need libfontconfig.so.1 libfontconfig1
need libfreetype.so.6 libfreetype6
need libglib-2.0.so.0 libglib2.0-0
need libdbus-1.so.3 libdbus-1-3
need libgssapi_krb5.so.2 libgssapi-krb5-2
need libX11.so.6 libx11-6
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != offscreen ]; then
    need libxcb-cursor.so.0 libxcb-cursor0
    need libxkbcommon-x11.so.0 libxkbcommon-x11-0
    need libxcb-icccm.so.4 libxcb-icccm4
    need libxcb-keysyms.so.1 libxcb-keysyms1
    need libxcb-image.so.0 libxcb-image0
    need libxcb-render-util.so.0 libxcb-render-util0
    need libxcb-shape.so.0 libxcb-shape0
    need libX11-xcb.so.1 libx11-xcb1
fi
if [ -n "$missing" ]; then
    echo "Qt needs system libraries this machine does not have. Install them, then run make again:" >&2
    echo "    sudo apt-get install -y$missing" >&2
    exit 1
fi
