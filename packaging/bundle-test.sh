#!/usr/bin/env bash
# Builds the PyInstaller bundle and proves that it runs where a user runs it: outside any virtual
# environment, in a bare environment (env -i, a fresh HOME), from an unrelated folder. A missing
# hidden import, Qt plugin, library, data file or package metadata fails here, not on a user's machine.
#
#   packaging/bundle-test.sh              build into dist/, then test
#   packaging/bundle-test.sh --no-build   test the bundle already in dist/
#
# Checks, each against the bundle alone:
#   --version      names the version in pyproject.toml
#   --self-test    encoder -> embedded local analyzer -> result, a segment decodes, versions known
#   GUI offscreen  --quit-after 3 logs "ready", exits 0, no error or traceback (as Friture's smoke test)
#   GUI on X11     the same on a real X server (Xvfb), through the xcb platform plugin users get
#   devices        QtMultimedia's FFmpeg backend plugin loads; with pulseaudio installed, a private
#                  daemon gets a virtual microphone and QtMultimedia must list it
# The X11 and microphone checks need Xvfb / pulseaudio, and say so when they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
NAME=interhuman-live
BUNDLE=$ROOT/dist/$NAME
APP=$BUNDLE/$NAME
STEP_TIMEOUT=120

build=1
case "${1:-}" in
    --no-build) build=0 ;;
    "") ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
esac

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
    echo "bundle-test: FAILED: $1" >&2
    [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    | /' "$2" | tail -n 40 >&2
    exit 1
}

if [ "$build" = 1 ]; then
    mkdir -p build
    began=$(now)
    echo "bundle-test: building $BUNDLE"
    "$PY" -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller \
        packaging/interhuman-live.spec >build/bundle-build.log 2>&1 ||
        fail "the build (log: build/bundle-build.log)" build/bundle-build.log
    echo "bundle-test: built in $(since "$began") s"
fi
[ -x "$APP" ] || fail "no bundle at $APP (run without --no-build)"
echo "bundle-test: bundle is $(du -sb "$BUNDLE" | awk '{ printf "%.0f", $1 / 1e6 }') MB" \
    "($(find "$BUNDLE" -type f | wc -l) files)"

work=$(mktemp -d "${TMPDIR:-/tmp}/ih-bundle.XXXXXX")
xvfb_pid=""
pulse_dir=""
cleanup() {
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    if [ -n "$pulse_dir" ] && [ -f "$pulse_dir/pid" ]; then
        kill "$(head -n 1 "$pulse_dir/pid")" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home"
tests_began=$(now)

# What a user's session has, and nothing from this shell: no venv, no PYTHONPATH, no QT_* variables.
USER_ENV=(env -i "HOME=$work/home" "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "USER=${USER:-user}"
    "TMPDIR=$work")
as_user() { (cd "$work" && timeout "$STEP_TIMEOUT" "${USER_ENV[@]}" "$@"); }

expected="$NAME $("$PY" packaging/platform_files.py version)"
as_user "$APP" --version >"$work/version.out" 2>&1 || fail "--version" "$work/version.out"
[ "$(cat "$work/version.out")" = "$expected" ] ||
    fail "--version said '$(cat "$work/version.out")', pyproject.toml says '$expected'"
echo "bundle-test: --version: $expected"

began=$(now)
as_user "$APP" --self-test >"$work/self-test.out" 2>&1 || fail "--self-test exited non-zero" "$work/self-test.out"
grep -q "^self-test OK" "$work/self-test.out" || fail "--self-test did not report OK" "$work/self-test.out"
# The version line falls back to these when package metadata is missing from the bundle.
if grep -q -e "not installed" -e "0+unknown" "$work/self-test.out"; then
    fail "--self-test could not read some package metadata" "$work/self-test.out"
fi
echo "bundle-test: --self-test in $(since "$began") s:"
grep -e "^$NAME " -e "^self-test OK" "$work/self-test.out" | sed 's/^/    /'

# The GUI must start, say "ready", and quit on its own with status 0, logging no error on the way.
gui_check() {
    local label=$1 out=$2
    shift 2
    local began status=0
    began=$(now)
    as_user "$@" "$APP" --log-level INFO --quit-after 3 >"$out" 2>&1 || status=$?
    [ "$status" = 0 ] || fail "GUI ($label) exited with status $status" "$out"
    grep -Eq ": ready$" "$out" || fail "GUI ($label) never logged 'ready'" "$out"
    if grep -Eq "^(ERROR|CRITICAL) |Traceback|PYI-[0-9]+:ERROR" "$out"; then
        fail "GUI ($label) logged an error" "$out"
    fi
    echo "bundle-test: GUI ($label) ready and quit cleanly in $(since "$began") s"
}
gui_check offscreen "$work/gui-offscreen.out" QT_QPA_PLATFORM=offscreen
grep -rqs "ready" "$work/home/.local/state/$NAME" ||
    fail "the GUI did not write 'ready' to its log file under ~/.local/state/$NAME"

if command -v Xvfb >/dev/null; then
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
    xvfb_pid=$!
    for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
    [ -s "$work/display" ] || fail "Xvfb did not start" "$work/xvfb.log"
    gui_check "X11 via xcb" "$work/gui-xcb.out" "DISPLAY=:$(cat "$work/display")"
    kill "$xvfb_pid" && wait "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=""
else
    echo "bundle-test: skipped the X11 check (no Xvfb; apt-get install xvfb)"
fi

# QtMultimedia: its FFmpeg backend plugin (camera names) must load, and with a sound server running,
# its PulseAudio backend must list the microphone.
devices_env=("QT_LOGGING_RULES=qt.multimedia.ffmpeg=true")
mic=""
if command -v pulseaudio >/dev/null && command -v pactl >/dev/null; then
    pulse_dir=$work/pulse
    mkdir -p "$pulse_dir"
    echo "autospawn = no" >"$pulse_dir/client.conf"
    PULSE_ENV=("PULSE_RUNTIME_PATH=$pulse_dir" "PULSE_STATE_PATH=$pulse_dir/state"
        "PULSE_SERVER=unix:$pulse_dir/native" "PULSE_CLIENTCONFIG=$pulse_dir/client.conf")
    pulse() { env "HOME=$work/home" "${PULSE_ENV[@]}" "$@"; }
    pulse pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit --use-pid-file=yes -n \
        "--load=module-native-protocol-unix socket=$pulse_dir/native auth-anonymous=1" \
        "--log-target=file:$pulse_dir/pulseaudio.log" >/dev/null 2>&1 ||
        fail "pulseaudio did not start" "$pulse_dir/pulseaudio.log"
    for _ in $(seq 100); do pulse pactl info >/dev/null 2>&1 && break; sleep 0.1; done
    mic="Interhuman Bundle Mic"
    # Monitors are not listed as inputs by QtMultimedia, hence a source remapped from the sink's.
    {
        pulse pactl load-module module-null-sink sink_name=spk rate=48000 channels=1 &&
            pulse pactl load-module module-remap-source master=spk.monitor source_name=virtmic \
                "source_properties=\"device.description='$mic'\"" &&
            pulse pactl set-default-source virtmic
    } >"$work/pactl.out" 2>&1 || fail "could not add a virtual microphone" "$work/pactl.out"
    devices_env+=("${PULSE_ENV[@]}")
else
    echo "bundle-test: skipped the microphone check (no pulseaudio; apt-get install pulseaudio pulseaudio-utils)"
fi
rm -rf "$work/home/.local/state/$NAME"  # the GUI runs' log: what follows must be the devices run's
as_user "${devices_env[@]}" "$APP" devices --json >"$work/devices.out" 2>&1 ||
    fail "devices exited non-zero" "$work/devices.out"
# Qt's messages go to the app's log (route_qt_messages), not to the command's output.
grep -rqs "Using Qt multimedia with FFmpeg" "$work/home/.local/state/$NAME" ||
    fail "QtMultimedia's FFmpeg backend plugin did not load" "$work/devices.out"
echo "bundle-test: devices: QtMultimedia's FFmpeg backend loaded"
if [ -n "$mic" ]; then
    grep -q "\"$mic\"" "$work/devices.out" || fail "devices did not list the microphone '$mic'" "$work/devices.out"
    echo "bundle-test: devices: lists the PulseAudio microphone '$mic'"
fi

echo "bundle-test: all checks passed in $(since "$tests_began") s"
