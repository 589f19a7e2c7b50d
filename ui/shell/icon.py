"""The application icon (resources/icons), on every window of the app.

`QApplication.setWindowIcon` makes it the default of every top-level window, dialog and
message box; the desktop entry and the bundles use the same files.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from consult import data
from consult.app.desktop import APP_ID, ICON_SIZES


def app_icon() -> QIcon:
    """Every rendered size, so each window manager picks a sharp one (no rescaling).

    Files on disk (an installed or bundled app) are named to Qt with their size and read
    when that size is first drawn: decoding all eight PNGs up front costs about 10 ms of
    every start. Resources inside a zip are decoded here, as Qt cannot open them.
    """
    icon = QIcon()
    for size in ICON_SIZES:
        name = f"icons/consult-{size}.png"
        node = data.resource(name)
        if isinstance(node, Path):
            if not node.is_file():
                raise FileNotFoundError(f"{name} is missing from the app's resources")
            icon.addFile(str(node), QSize(size, size))
            continue
        pixmap = QPixmap()
        if not pixmap.loadFromData(data.read_bytes(name), "PNG"):
            raise FileNotFoundError(f"{name} is not a readable PNG")
        icon.addPixmap(pixmap)
    return icon


def set_app_icon(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    # Wayland compositors find the icon and name through the installed desktop entry.
    app.setDesktopFileName(APP_ID)
