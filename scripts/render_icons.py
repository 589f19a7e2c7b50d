"""Render resources/icons/consult.svg to the PNG sizes desktops and installers use.

    .venv/bin/python scripts/render_icons.py

Writes resources/icons/consult-<N>.png for N in SIZES with Qt's own SVG renderer (the
same one the app uses), then, with Pillow, packaging/icons/consult.ico (Windows: the
executables and the installer) and consult.icns (macOS: the .app) from those PNGs: they
are only for building, so they stay out of resources/ and the app. Rerun it after editing
the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
PLATFORM_ICONS = ROOT / "packaging" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv[:1])
    svg = ICONS / "consult.svg"
    for size in SIZES:
        target = ICONS / f"consult-{size}.png"
        if not render(svg, size).save(str(target), "PNG"):
            raise SystemExit(f"could not write {target}")
        print(f"wrote {target.relative_to(ICONS.parents[1])}")
    write_platform_icons()
    return 0


def write_platform_icons() -> None:
    from PIL import Image

    with Image.open(ICONS / "consult-512.png") as largest:
        largest.save(PLATFORM_ICONS / "consult.ico", sizes=[(n, n) for n in SIZES if n <= 256])
        largest.save(PLATFORM_ICONS / "consult.icns")
    print("wrote packaging/icons/consult.ico and consult.icns")


if __name__ == "__main__":
    sys.exit(main())
