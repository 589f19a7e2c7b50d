"""The style sheet: spin boxes keep their arrows, disabled controls look disabled."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QSpinBox, QVBoxLayout, QWidget

from consult import data
from ui.shell.style import STYLE_SHEET


def _darkest(image, left: int, right: int) -> int:
    """The lowest lightness in the columns [left, right) of `image`."""
    return min(
        QColor(image.pixel(x, y)).lightness()
        for x in range(left, right)
        for y in range(2, image.height() - 2)
    )


def test_spin_boxes_show_their_arrows_and_disabled_text_is_grey(qtbot):
    holder = QWidget()
    holder.setStyleSheet(data.read_text(STYLE_SHEET))
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    spin = QSpinBox(holder)
    spin.setRange(0, 10)
    spin.setValue(5)
    enabled, disabled = QCheckBox("On", holder), QCheckBox("Off", holder)
    disabled.setEnabled(False)
    for widget in (spin, enabled, disabled):
        layout.addWidget(widget)
    holder.resize(200, 120)
    holder.show()
    qtbot.waitExposed(holder)
    image = spin.grab().toImage()
    width = image.width()
    # The arrows are drawn in the right-hand button column: dark glyphs there.
    assert _darkest(image, width - 14, width - 4) < 120
    on = QColor(enabled.palette().color(enabled.foregroundRole())).lightness()
    grey = _darkest(disabled.grab().toImage(), 20, disabled.width() - 2)
    assert grey > _darkest(enabled.grab().toImage(), 20, enabled.width() - 2)
    assert on < 100
