"""The application icon (resources/icons), on every window of the app.

`QApplication.setWindowIcon` makes it the default of every top-level window, dialog and
message box; the desktop entry and the bundles use the same files.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from consult import data
from consult.app.desktop import APP_ID, ICON_SIZES


def app_icon() -> QIcon:
    """Every rendered size, so each window manager picks a sharp one (no rescaling)."""
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data.read_bytes(f"icons/consult-{size}.png"), "PNG"):
            raise FileNotFoundError(f"icons/consult-{size}.png is not a readable PNG")
        icon.addPixmap(pixmap)
    return icon


def set_app_icon(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    # Wayland compositors find the icon and name through the installed desktop entry.
    app.setDesktopFileName(APP_ID)
