"""The framing guide: the photo being placed, with the previous photo of the view over it.

The earlier photo is drawn at low opacity on top, scaled to the same frame, so the
practitioner can see whether the new picture lines up (same distance, same angle)
before keeping it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

GUIDE_OPACITY = 0.35


def fitted_rect(image_size: QSize, frame: QRect) -> QRect:
    """The largest rectangle of the image's shape centred in `frame`."""
    scaled = image_size.scaled(frame.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = frame.x() + (frame.width() - scaled.width()) // 2
    y = frame.y() + (frame.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())


class FramingPreview(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.photo: QImage | None = None
        self.guide: QImage | None = None
        self.guide_opacity = GUIDE_OPACITY
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_photo(self, image: QImage | None) -> None:
        self.photo = image
        self.update()

    def set_guide(self, image: QImage | None) -> None:
        self.guide = image
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#20252b"))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.photo is not None:
            painter.drawImage(fitted_rect(self.photo.size(), self.rect()), self.photo)
        if self.guide is not None:
            painter.setOpacity(self.guide_opacity)
            frame = fitted_rect(
                (self.photo or self.guide).size(), self.rect()
            )
            painter.drawImage(frame, self.guide)
        painter.end()
