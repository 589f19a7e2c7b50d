"""A word-wrapped label that works out its height for a width once, not every time asked.

Qt's layouts ask a word-wrapped label for its height at a width many times while a page
is laid out (for its minimum, its hint, then each width tried): showing the medical
history's 31 questions asked ~900 times, each one a fresh text layout. The answer only
changes with the text, the font or the style, so it is kept per width until one of those
changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QWidget

_CHANGES = frozenset(
    {
        QEvent.Type.FontChange,
        QEvent.Type.StyleChange,
        QEvent.Type.ContentsRectChange,
        QEvent.Type.LayoutDirectionChange,
    }
)


class WrappingLabel(QLabel):
    def __init__(self, text: str, parent: QWidget | None) -> None:
        super().__init__(text, parent)
        self._heights: dict[int, int] = {}
        self.setWordWrap(True)

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def setText(self, text: str) -> None:
        self._heights.clear()
        super().setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _CHANGES:
            self._heights.clear()
        super().changeEvent(event)
