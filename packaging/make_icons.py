"""Makes the app icon for each platform from the one source image, `resources/icons/app.svg`.

    .venv/bin/python packaging/make_icons.py          # writes packaging/icons/

Qt renders the SVG afresh at every size (small sizes stay sharp instead of being shrunk from a big
bitmap); Pillow writes the containers: `.png` for Linux, `.ico` for Windows, `.icns` for macOS.
Run it again whenever `app.svg` changes, and commit what it writes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "app.svg"
ICON_DIR = Path(__file__).resolve().parent / "icons"
NAME = "interhuman-live"

PNG_SIZE = 256
"""Linux: the hicolor theme's 256x256 slot, which desktops scale from."""
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
"""Windows: Explorer, the taskbar and the title bar at 100–200 % scaling."""
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
"""macOS: 16–512 points at 1x and 2x."""


def render(svg: Path, size: int) -> Image.Image:
    """`svg` drawn on a transparent `size`×`size` canvas."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG image Qt can draw")
    image = QImage(size, size, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = bytes(image.constBits())
    return Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", image.bytesPerLine(), 1)


def make_icons(svg: Path = SOURCE, folder: Path = ICON_DIR) -> dict[str, Path]:
    """Writes `<NAME>.png`, `.ico` and `.icns` into `folder`; returns them by suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(ICO_SIZES) | set(ICNS_SIZES) | {PNG_SIZE})
    images = {size: render(svg, size) for size in sizes}
    made = {suffix: folder / f"{NAME}.{suffix}" for suffix in ("png", "ico", "icns")}
    images[PNG_SIZE].save(made["png"], format="PNG", optimize=True)
    largest_ico = max(ICO_SIZES)
    images[largest_ico].save(
        made["ico"],
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES if size != largest_ico],
    )
    largest_icns = max(ICNS_SIZES)
    images[largest_icns].save(
        made["icns"],
        format="ICNS",
        append_images=[images[size] for size in ICNS_SIZES if size != largest_icns],
    )
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the .png, .ico and .icns app icons from one SVG.")
    parser.add_argument("--svg", type=Path, default=SOURCE, help=f"source image (default: {SOURCE})")
    parser.add_argument("--out", type=Path, default=ICON_DIR, help=f"output folder (default: {ICON_DIR})")
    args = parser.parse_args(argv)
    if not args.svg.is_file():
        parser.error(f"no such file: {args.svg}")
    for path in make_icons(args.svg, args.out).values():
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
