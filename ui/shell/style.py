"""The app's look: one style sheet from resources/ui/style.qss."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QPushButton

from consult import data

STYLE_SHEET = "ui/style.qss"


def apply_style(app: QApplication) -> None:
    """Fusion, the app's font and style sheet, and its icon on every window."""
    from ui.shell.icon import set_app_icon

    set_app_icon(app)
    # Setting a style builds and polishes it anew (about 10 ms of a start) even when
    # Fusion, the default on most Linux desktops, is already the one in use.
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSizeF(10.5)
    app.setFont(font)
    app.setStyleSheet(data.read_text(STYLE_SHEET))


def make_primary(button: QPushButton) -> QPushButton:
    """The one main action of a screen, styled to stand out (see style.qss)."""
    button.setProperty("primary", True)
    button.setDefault(True)
    # A property read by the style sheet only counts once the button is polished again.
    button.style().unpolish(button)
    button.style().polish(button)
    return button
