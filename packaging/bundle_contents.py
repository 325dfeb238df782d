"""What goes into the bundle and what is trimmed out of it.

`interhuman-live.spec` applies these rules; `tests/test_packaging.py` checks them against the
source (every Qt module the app imports is kept, every Haar cascade it names is collected), and
`bundle-test.sh` proves that the result runs.

Trimming happens before PyInstaller follows link-time dependencies, so whatever only a trimmed file
needs (QtPdf behind the PDF image plugin, Quick/Qml/VirtualKeyboard behind the on-screen keyboard,
the build machine's GTK stack behind the GTK theme) is never collected:
- Python modules we never import are excluded outright (the unused two thirds of PySide6 among them).
- Qt plugins and translations are collected by PyInstaller's hooks for each PySide6 module. For the
  modules we keep, the spec installs hooks of its own that run PyInstaller's hook and drop what
  `is_trimmed` names from its result; afterwards it checks that nothing trimmed came in another way.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePath

ROOT = Path(__file__).resolve().parent.parent

SOURCE_PACKAGES = ("app", "capture", "widgets")
"""The app's own packages: PyInstaller follows their imports (every command is imported statically by
`app.cli.main`); the spec reads them for the Haar cascades they name."""

QT_MODULES_KEPT = (
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtMultimedia",
    "QtMultimediaWidgets",  # the review window's video
    "QtNetwork",
    "QtSvg",
    "QtCharts",  # the library's progress charts
    "QtOpenGL",  # QtCharts links it
    "QtOpenGLWidgets",  # QtCharts links it
)
"""The PySide6 modules the app may import (QtMultimedia imports QtNetwork itself) and the ones they
link; the rest of PySide6 (WebEngine, Quick/QML, 3D, Pdf, …) is excluded."""

PYTHON_EXCLUDES = (
    "PIL",  # only PyAV's VideoFrame.to_image/from_image; we convert with to_ndarray
    "rich",  # pydantic's debug pretty-printer
    "pygments",  # rich's syntax colouring
    "IPython",
    "tkinter",
    # pydantic's mypy plugin, which PyInstaller's pydantic hook collects: it drags in all of mypy
    # wherever mypy is installed (our test extra), 40 MB the app never runs.
    "pydantic.mypy",
    "pydantic.v1.mypy",
    "mypy",
    # mediapipe's drawing helpers; the face landmarker never imports them (app/analyzer/face_landmarks.py).
    "matplotlib",
    "mediapipe.tasks.python.vision.drawing_utils",
    "mediapipe.tasks.python.vision.drawing_styles",
    # The optional speech extra (filler words, 114 MB): installed for the tests and a developer's runs,
    # not shipped; the bundled app says "filler words need the speech extra".
    "moonshine_voice",
    # Praat, the tests' pitch reference: GPL-3, never in the bundle.
    "parselmouth",
)

MEDIAPIPE_LIBRARY = ("mediapipe/tasks/c", "libmediapipe.so")
"""MediaPipe's one native library (no PyInstaller hook collects it): loaded by ctypes from the
`mediapipe.tasks.c` package's folder."""
FACE_MODEL = ("app/analyzer/models", "face_landmarker.task")
"""The landmarker's model file, fetched at install time (packaging/wheel_data.py)."""

METADATA = ("interhuman-live", "PySide6", "websockets", "opencv-python-headless")
"""Distributions whose metadata `importlib.metadata` reads at run time: our version (`app/__init__.py`)
and the versions `app/runtime/versions.py` records in session.json. keyring's hook copies its own."""

DROPPED_PLUGINS = frozenset(
    {
        # platforms: embedded and remote displays. A desktop uses xcb, wayland, cocoa or windows;
        # the self-test and the benchmarks use offscreen.
        "qeglfs",
        "qlinuxfb",
        "qvnc",
        "qvkkhrdisplay",
        "qminimalegl",
        # imageformats: we read SVG (icons), PNG (built into QtGui), JPEG and ICO at most.
        "qpdf",
        "qtga",
        "qtiff",
        "qwbmp",
        "qwebp",
        "qgif",
        "qicns",
        # platforminputcontexts: Qt's on-screen keyboard is a QML app; compose and ibus, which
        # real keyboards need, stay.
        "qtvirtualkeyboardplugin",
        # platformthemes: the GTK theme links the system's GTK, and would make the bundle carry the
        # build machine's cairo, pango and gio beside the user's GTK. Our look is our own (Fusion and
        # our palette); file dialogs still go native through the XDG desktop portal theme.
        "qgtk3",
    }
)
"""Plugins dropped by name (file name without "lib" prefix and suffix)."""

DROPPED_PLUGIN_TYPES = frozenset(
    {
        "egldeviceintegrations",  # EGL full-screen on embedded boards
        "generic",  # evdev/tuio input for kiosks without a window system
        "networkinformation",  # QNetworkInformation: unused
        "tls",  # QtNetwork's TLS; our network goes through Python's ssl and websockets
    }
)

QT_TRANSLATIONS_DIR = "translations"
"""Qt's own translations: the app is English only and never installs a QTranslator."""

_CASCADE_NAME = re.compile(r"haarcascade_\w+\.xml")
HookResult = tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]
_HOOK_SETTINGS_NOT_PASSED_ON = frozenset(
    {
        "excludedimports",
        "warn_on_missing_hiddenimports",
        "module_collection_mode",
        "bindepend_symlink_suppression",
        "hook",
    }
)
"""What else a PyInstaller hook may define, besides hiddenimports, binaries and datas."""


def excluded_qt_modules(installed: Iterable[str]) -> list[str]:
    """`PySide6.<module>` names to exclude, out of the `Qt*` modules of the installed PySide6."""
    return sorted(
        f"PySide6.{name}" for name in installed if name.startswith("Qt") and name not in QT_MODULES_KEPT
    )


def cascades_used(source_dirs: Iterable[Path]) -> list[str]:
    """The OpenCV Haar cascade files our code names (PyInstaller's cv2 hook collects none of them)."""
    names: set[str] = set()
    for folder in source_dirs:
        for path in folder.rglob("*.py"):
            names.update(_CASCADE_NAME.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def plugin_identity(path: str) -> tuple[str, str] | None:
    """(type, name) of a Qt plugin, e.g. ("platforms", "qxcb"), from its path inside the bundle."""
    parts = PurePath(path.replace("\\", "/")).parts
    for index in range(1, len(parts) - 2):
        # PySide6/Qt/plugins on Linux and macOS, PySide6/plugins on Windows
        if parts[index] == "plugins" and "PySide6" in parts[:index]:
            name = parts[-1].removeprefix("lib")
            return parts[index + 1], name.split(".", 1)[0]
    return None


def is_trimmed(dest: str) -> bool:
    """Whether the file at `dest` inside the bundle is one we leave out."""
    plugin = plugin_identity(dest)
    if plugin is not None:
        plugin_type, name = plugin
        return plugin_type in DROPPED_PLUGIN_TYPES or name in DROPPED_PLUGINS
    parts = PurePath(dest.replace("\\", "/")).parts
    return "PySide6" in parts and QT_TRANSLATIONS_DIR in parts


def upstream_hook(module: str) -> Path:
    """PyInstaller's own hook for `module`."""
    import PyInstaller

    path = Path(PyInstaller.__file__).parent / "hooks" / f"hook-{module}.py"
    if not path.is_file():
        raise FileNotFoundError(f"PyInstaller has no hook for {module} at {path}")
    return path


def trimmed_upstream_hook(module: str) -> HookResult:
    """What PyInstaller's hook for `module` collects, minus the files `is_trimmed` names."""
    found = runpy.run_path(str(upstream_hook(module)))
    unknown = _HOOK_SETTINGS_NOT_PASSED_ON & found.keys()
    if unknown:
        # A newer PyInstaller whose hook sets more than we pass on: better to stop than to lose it.
        raise RuntimeError(f"PyInstaller's hook for {module} also sets {sorted(unknown)}; pass them on")
    hiddenimports = list(found.get("hiddenimports", []))
    binaries = [entry for entry in found.get("binaries", []) if not is_trimmed(_dest(entry))]
    datas = [entry for entry in found.get("datas", []) if not is_trimmed(_dest(entry))]
    return hiddenimports, binaries, datas


def write_qt_hooks(folder: Path) -> Path:
    """Hooks for the kept PySide6 modules that take PyInstaller's and trim them; `folder` goes to
    Analysis(hookspath=…), where hooks win over PyInstaller's own."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in QT_MODULES_KEPT:
        (folder / f"hook-PySide6.{module}.py").write_text(
            "# Written by packaging/bundle_contents.py for interhuman-live.spec.\n"
            "from bundle_contents import trimmed_upstream_hook\n\n"
            f"hiddenimports, binaries, datas = trimmed_upstream_hook('PySide6.{module}')\n",
            encoding="utf-8",
        )
    return folder


def leftovers(toc: Iterable[tuple[str, str, str]]) -> list[str]:
    """Destinations in a PyInstaller TOC that should have been trimmed (collected by a hook we do not
    filter)."""
    return sorted(dest for dest, _, _ in toc if is_trimmed(dest))


def _dest(entry: tuple[str, str]) -> str:
    source, folder = entry
    return str(PurePath(folder) / PurePath(source).name)


def strip_mediapipe(internal: Path) -> int:
    """Strips MediaPipe's library of its unneeded symbols (128 MB to 98 MB); returns the bytes saved.
    Only this library: PyInstaller's global strip breaks numpy's."""
    strip = shutil.which("strip")
    path = internal.joinpath(*MEDIAPIPE_LIBRARY)
    if strip is None or not path.is_file():
        return 0
    before = path.stat().st_size
    subprocess.run([strip, "--strip-unneeded", str(path)], check=True)
    return before - path.stat().st_size


def strip_python_debug_info(internal: Path) -> int:
    """Strips the debug information some Python builds (pyenv's among them) leave in libpython and
    the standard library's extension modules; returns the bytes saved. Only these files: stripping
    the wheels' libraries, which auditwheel rewrote with patchelf, can leave them unloadable
    (numpy's OpenBLAS fails with "ELF load command address/offset not page-aligned")."""
    strip = shutil.which("strip")
    if strip is None:
        return 0
    files = [*internal.glob("libpython3*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    files = [path for path in files if path.is_file() and not path.is_symlink()]
    before = sum(path.stat().st_size for path in files)
    for path in files:
        subprocess.run([strip, "--strip-debug", str(path)], check=True)
    return before - sum(path.stat().st_size for path in files)
