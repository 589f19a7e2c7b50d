"""What widget tests share: a hand-drawn stroke and the offscreen platform's warnings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

# The offscreen platform cannot pass a window's size limits on and warns whenever a
# shown window has them; nothing is wrong with the window.
OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def stroke(widget: QWidget, points: list[tuple[float, float]]) -> None:
    """A mouse stroke with the left button held, as a hand would draw it."""

    def send(kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
        position = QPointF(x, y)
        event = QMouseEvent(
            kind,
            position,
            widget.mapToGlobal(position),
            Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, event)

    first, *rest = points
    send(QEvent.Type.MouseButtonPress, *first, Qt.MouseButton.LeftButton)
    for x, y in rest:
        send(QEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, *rest[-1], Qt.MouseButton.NoButton)


def answer_the_rest_no(qtbot, history) -> None:
    """Click "No" on every question of the history step not answered yet, as asked aloud.

    In the app silence is not "no": screening gives no verdict until every question has
    an answer, so a test that walks past the screening answers them all.
    """
    for row in history.rows.values():
        if not (row.yes.isChecked() or row.no.isChecked()):
            qtbot.mouseClick(row.no, Qt.MouseButton.LeftButton)
