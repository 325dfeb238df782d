"""Fast checks of the packaging files: the spec, the platform files, the icons and the trimming rules.

Building and running the bundle is `packaging/bundle-test.sh` (`make bundle-test`), never part of
`make test`: it takes half a minute and half a gigabyte.
"""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import importlib.util
import plistlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SOURCES = [ROOT / name for name in ("app", "capture", "widgets", "resources")]


def load(name: str) -> ModuleType:
    """A module of packaging/, which is not a package (it would shadow the `packaging` library)."""
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


platform_files = load("platform_files")
bundle_contents = load("bundle_contents")
make_icons = load("make_icons")


def named_calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    """Every `name(...)` call in `tree`, in order."""
    return [
        (node.func.id, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]


@pytest.fixture(scope="module")
def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def test_the_spec_is_valid_python_that_builds_a_bundle_from_the_entry_point() -> None:
    spec = (PACKAGING / "interhuman-live.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec, filename="interhuman-live.spec")
    called = {name for name, _ in named_calls(tree)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= called
    assert '"entry.py"' in spec
    assert "info_plist=platform_files.info_plist(project)" in spec


def test_the_launcher_runs_the_app_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "entry.py"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"interhuman-live {importlib.metadata.version('interhuman-live')}"


def test_the_version_comes_from_pyproject(pyproject_version: str) -> None:
    assert platform_files.read_project().version == pyproject_version


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("2.0", (2, 0, 0, 0)), ("1.2.3rc1", (1, 2, 3, 0)), ("1.2.3.4", (1, 2, 3, 4))],
)
def test_windows_wants_four_numbers(version: str, numbers: tuple[int, int, int, int]) -> None:
    assert platform_files.Project("x", version, "").numeric_version == numbers


def test_a_version_without_a_release_number_is_refused() -> None:
    with pytest.raises(ValueError, match="release number"):
        _ = platform_files.Project("x", "dev", "").numeric_version


def test_the_windows_version_file_carries_the_pyproject_version(pyproject_version: str) -> None:
    text = platform_files.windows_version_info(platform_files.read_project())
    calls = named_calls(ast.parse(text))
    assert calls[0][0] == "VSVersionInfo"
    fixed = next(call for name, call in calls if name == "FixedFileInfo")
    numbers = platform_files.read_project().numeric_version
    for keyword in fixed.keywords:
        if keyword.arg in ("filevers", "prodvers"):
            assert ast.literal_eval(keyword.value) == numbers
    strings = {
        ast.literal_eval(call.args[0]): ast.literal_eval(call.args[1])
        for name, call in calls
        if name == "StringStruct"
    }
    assert strings["FileVersion"] == strings["ProductVersion"] == pyproject_version
    assert strings["ProductName"] == platform_files.TITLE
    assert strings["OriginalFilename"] == "interhuman-live.exe"


def test_info_plist_asks_for_camera_and_microphone_and_names_the_version(pyproject_version: str) -> None:
    entries = platform_files.info_plist(platform_files.read_project())
    entries = plistlib.loads(plistlib.dumps(entries))  # what macOS will read
    for key in ("NSCameraUsageDescription", "NSMicrophoneUsageDescription"):
        assert len(entries[key]) > 30, key
    assert "camera" in entries["NSCameraUsageDescription"]
    assert "voice" in entries["NSMicrophoneUsageDescription"]
    assert entries["CFBundleShortVersionString"] == pyproject_version
    assert entries["CFBundleIdentifier"] == platform_files.BUNDLE_IDENTIFIER


def test_the_macos_signature_asks_for_camera_and_microphone() -> None:
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.device.camera"] is True
    assert entitlements["com.apple.security.device.audio-input"] is True


def test_the_linux_menu_entry_starts_the_app_with_its_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / "interhuman-live.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == platform_files.TITLE
    assert entry["Exec"].split()[0] == platform_files.EXECUTABLE
    assert (PACKAGING / "icons" / f"{entry['Icon']}.png").is_file()
    assert entry["StartupWMClass"] == platform_files.EXECUTABLE
    assert entry["Categories"].endswith(";")


def test_the_icons_exist_for_every_platform() -> None:
    icons = PACKAGING / "icons"
    png = Image.open(icons / "interhuman-live.png")
    assert (png.format, png.size, png.mode) == ("PNG", (256, 256), "RGBA")
    ico = Image.open(icons / "interhuman-live.ico")
    assert ico.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= ico.info["sizes"]
    icns = Image.open(icons / "interhuman-live.icns")
    assert icns.format == "ICNS"
    assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(icns.info["sizes"])


@pytest.mark.timeout(60)
def test_the_icons_are_made_from_the_current_app_svg(qapp: object, tmp_path: Path) -> None:
    made = make_icons.make_icons(make_icons.SOURCE, tmp_path)
    fresh = np.asarray(Image.open(made["png"]).convert("RGBA"), dtype=np.int16)
    committed_png = Image.open(PACKAGING / "icons" / "interhuman-live.png")
    committed = np.asarray(committed_png.convert("RGBA"), dtype=np.int16)
    # Anti-aliasing may shift a little between Qt versions; a changed drawing moves whole shapes.
    changed = (np.abs(fresh - committed).max(axis=2) > 32).sum()
    assert changed <= 32, f"{changed} pixels differ from app.svg: run packaging/make_icons.py"
    assert Image.open(made["ico"]).info["sizes"] == {(size, size) for size in make_icons.ICO_SIZES}


def _pyside6_modules_imported() -> set[str]:
    found: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                found.update(m.group(1) for name in names if (m := re.match(r"PySide6\.(Qt\w+)$", name)))
    return found


def test_every_qt_module_the_app_imports_is_kept_in_the_bundle() -> None:
    imported = _pyside6_modules_imported()
    assert {"QtCore", "QtGui", "QtWidgets", "QtMultimedia"} <= imported
    assert imported <= set(bundle_contents.QT_MODULES_KEPT)


def test_unused_qt_modules_are_excluded_and_kept_ones_are_not() -> None:
    installed = ["QtCore", "QtGui", "QtWebEngineCore", "QtQuick", "QtPdf", "QtMultimedia", "support"]
    assert bundle_contents.excluded_qt_modules(installed) == [
        "PySide6.QtPdf",
        "PySide6.QtQuick",
        "PySide6.QtWebEngineCore",
    ]


def test_the_haar_cascades_the_analyzer_names_are_collected_and_exist() -> None:
    import cv2

    cascades = bundle_contents.cascades_used(ROOT / name for name in bundle_contents.SOURCE_PACKAGES)
    assert "haarcascade_frontalface_default.xml" in cascades
    for name in cascades:
        assert (Path(cv2.data.haarcascades) / name).is_file(), name


def test_the_metadata_the_app_reads_is_copied_into_the_bundle() -> None:
    read = {"interhuman-live"}
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            read.update(re.findall(r"_distribution\(\"([\w.-]+)\"\)", path.read_text(encoding="utf-8")))
    assert read <= set(bundle_contents.METADATA)
    for name in bundle_contents.METADATA:
        assert importlib.metadata.version(name)  # copy_metadata needs it installed


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6\\plugins\\platforms\\qwindows.dll",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "cv2/data/haarcascade_frontalface_default.xml",
        "resources/icons/app.svg",
    ],
)
def test_what_the_app_needs_is_kept(dest: str) -> None:
    assert not bundle_contents.is_trimmed(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6\\plugins\\imageformats\\qpdf.dll",
        "PySide6/Qt/plugins/imageformats/libqpdf.dylib",
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6\\translations\\qtbase_de.qm",
    ],
)
def test_what_no_desktop_session_loads_is_trimmed(dest: str) -> None:
    assert bundle_contents.is_trimmed(dest)


@pytest.mark.timeout(120)
def test_the_kept_qt_modules_have_pyinstaller_hooks_that_still_collect_the_platform_plugins() -> None:
    for module in bundle_contents.QT_MODULES_KEPT:
        assert bundle_contents.upstream_hook(f"PySide6.{module}").is_file()
    _, binaries, datas = bundle_contents.trimmed_upstream_hook("PySide6.QtGui")
    collected = [str(Path(folder) / Path(source).name) for source, folder in binaries + datas]
    assert not [dest for dest in collected if bundle_contents.is_trimmed(dest)]
    names = {Path(dest).name for dest in collected}
    if sys.platform.startswith("linux"):
        assert {"libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqsvg.so"} <= names


def test_leftovers_names_trimmed_files_that_slipped_through() -> None:
    toc = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/translations/qt_fr.qm", "/src/qt_fr.qm", "DATA"),
    ]
    assert bundle_contents.leftovers(toc) == ["PySide6/Qt/translations/qt_fr.qm"]


def test_the_bundle_test_script_is_valid_bash() -> None:
    done = subprocess.run(["bash", "-n", str(PACKAGING / "bundle-test.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
