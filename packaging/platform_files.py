"""What the bundle says about itself on each platform, all from the one version in `pyproject.toml`.

Used by `interhuman-live.spec` (macOS Info.plist entries, the Windows version resource) and by
`tests/test_packaging.py`. `python packaging/platform_files.py windows-version` prints the Windows
version file; `... info-plist` prints the plist entries the spec adds.

This folder is deliberately not a Python package: a `packaging/__init__.py` would shadow the
`packaging` library that pip, setuptools and PyInstaller import.
"""

from __future__ import annotations

import argparse
import plistlib
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"

TITLE = "Interhuman Live"
"""What users see: menu entries, the macOS app name, Windows' file properties."""
PUBLISHER = "Interhuman"
BUNDLE_IDENTIFIER = "ai.interhuman.live"
EXECUTABLE = "interhuman-live"

# macOS shows these when it first asks for access; without them it kills the app on camera access.
CAMERA_USAGE = (
    "Interhuman Live shows your camera picture and sends it for analysis, "
    "to give you live feedback on how you come across."
)
MICROPHONE_USAGE = (
    "Interhuman Live listens to your voice and sends it for analysis, "
    "to give you live feedback on how you speak."
)

_RELEASE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?")


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    description: str

    @property
    def numeric_version(self) -> tuple[int, int, int, int]:
        """The release part of the version as Windows wants it: "1.2.3rc1" -> (1, 2, 3, 0)."""
        found = _RELEASE.match(self.version)
        if found is None:
            raise ValueError(f"version {self.version!r} does not start with a release number like 1.2.3")
        parts = [int(part) if part else 0 for part in found.groups()]
        return parts[0], parts[1], parts[2], parts[3]


def read_project(pyproject: Path = PYPROJECT) -> Project:
    with pyproject.open("rb") as file:
        table = tomllib.load(file)["project"]
    return Project(name=table["name"], version=table["version"], description=table.get("description", ""))


def info_plist(project: Project) -> dict[str, object]:
    """Entries the spec's BUNDLE step merges into the .app's Info.plist (PyInstaller fills in the rest)."""
    return {
        "CFBundleName": TITLE,
        "CFBundleDisplayName": TITLE,
        "CFBundleIdentifier": BUNDLE_IDENTIFIER,
        # Both must be strings: a number here makes the .app crash at start.
        "CFBundleShortVersionString": project.version,
        "CFBundleVersion": project.version,
        "NSCameraUsageDescription": CAMERA_USAGE,
        "NSMicrophoneUsageDescription": MICROPHONE_USAGE,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,
        "LSApplicationCategoryType": "public.app-category.productivity",
    }


def windows_version_info(project: Project) -> str:
    """PyInstaller's text form of a Windows VERSIONINFO resource (`EXE(version=<file>)` evaluates it)."""
    numbers = project.numeric_version
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": TITLE,
        "FileVersion": project.version,
        "InternalName": EXECUTABLE,
        "LegalCopyright": f"© {PUBLISHER}",
        "OriginalFilename": f"{EXECUTABLE}.exe",
        "ProductName": TITLE,
        "ProductVersion": project.version,
    }
    string_lines = ",\n".join(f"          StringStruct({key!r}, {value!r})" for key, value in strings.items())
    return f"""# Generated from pyproject.toml by packaging/platform_files.py: edit the version there.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo(
      [
        StringTable(
          '040904B0',
          [
{string_lines},
          ],
        )
      ]
    ),
    VarFileInfo([VarStruct('Translation', [0x0409, 1200])]),
  ],
)
"""


def write_windows_version_info(project: Project, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "windows-version-info.txt"
    path.write_text(windows_version_info(project), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a platform file made from pyproject.toml.")
    parser.add_argument("what", choices=["windows-version", "info-plist", "version"])
    args = parser.parse_args(argv)
    project = read_project()
    if args.what == "windows-version":
        sys.stdout.write(windows_version_info(project))
    elif args.what == "info-plist":
        sys.stdout.write(plistlib.dumps(info_plist(project)).decode("utf-8"))
    else:
        print(project.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
