"""Two photos of one view, side by side or on one frame with a slider between them.

Each is labelled with its date, "before" or "after", and its session. The images are
fetched (audited as a comparison) and decoded on a worker; the dialog only paints.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.photos.views import view_label
from consult.records.photos import PhotoRecord
from consult.services import photos
from consult.services.acting import SignedIn
from ui.photos.framing import fitted_rect
from ui.photos.images import decoded
from ui.photos.model import area_label
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel

SIDE_BY_SIDE, SLIDER = 0, 1


def caption(photo: PhotoRecord) -> str:
    stage = "Before" if photo.stage == "before" else "After"
    text = f"{stage}, {show_date(photo.taken_on)}"
    if photo.session_date is not None:
        text += f" (session of {show_date(photo.session_date)})"
    return text


def compared(
    user: SignedIn, first_id: int, second_id: int
) -> tuple[PhotoRecord, QImage, PhotoRecord, QImage]:
    """Runs on the thread pool: both photos, older first, decoded."""
    pair = photos.compare(user, first_id, second_id)
    return (pair.first.photo, decoded(pair.first.jpeg), pair.second.photo,
            decoded(pair.second.jpeg))


class ImageView(QWidget):
    """One image fitted into the widget."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#20252b"))
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(fitted_rect(self.image.size(), self.rect()), self.image)
        painter.end()


class SliderView(QWidget):
    """Both images on one frame: the older left of the divide, the newer right of it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.first: QImage | None = None
        self.second: QImage | None = None
        self.divide = 0.5  # where the newer photo starts, as a fraction of the width
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_images(self, first: QImage, second: QImage) -> None:
        self.first, self.second = first, second
        self.update()

    def set_divide(self, fraction: float) -> None:
        self.divide = min(max(fraction, 0.0), 1.0)
        self.update()

    def divide_x(self, frame: QRect) -> int:
        return frame.x() + round(frame.width() * self.divide)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#20252b"))
        if self.first is not None and self.second is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            frame = fitted_rect(self.first.size(), self.rect())
            x = self.divide_x(frame)
            painter.drawImage(frame, self.first)
            painter.setClipRect(QRect(x, frame.y(), frame.right() - x + 1, frame.height()))
            painter.drawImage(frame, self.second)
            painter.setClipping(False)
            painter.setPen(QColor("#ffffff"))
            painter.drawLine(x, frame.top(), x, frame.bottom())
        painter.end()


class CompareDialog(QDialog):
    shown = Signal()

    def __init__(self, user: SignedIn, first_id: int, second_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare photos")
        self._worker = Worker(self)
        self.title = QLabel(self)
        self.title.setObjectName("title")
        self.mode = QComboBox(self)
        self.mode.addItem("Side by side", SIDE_BY_SIDE)
        self.mode.addItem("Slider", SLIDER)
        self.stack = QStackedWidget(self)
        side = QWidget(self.stack)
        self.left, self.right = ImageView(side), ImageView(side)
        self.left_caption, self.right_caption = QLabel(side), QLabel(side)
        columns = QHBoxLayout(side)
        for view, label in ((self.left, self.left_caption), (self.right, self.right_caption)):
            column = QVBoxLayout()
            column.addWidget(view, 1)
            column.addWidget(label)
            columns.addLayout(column)
        sliding = QWidget(self.stack)
        self.slider_view = SliderView(sliding)
        self.slider = QSlider(Qt.Orientation.Horizontal, sliding)
        self.slider.setRange(0, 100)
        self.slider.setValue(50)
        self.slider_caption = QLabel(sliding)
        slide_layout = QVBoxLayout(sliding)
        slide_layout.addWidget(self.slider_view, 1)
        slide_layout.addWidget(self.slider)
        slide_layout.addWidget(self.slider_caption)
        self.stack.addWidget(side)
        self.stack.addWidget(sliding)
        self.error = ErrorLabel(self)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.mode)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error)
        self.mode.currentIndexChanged.connect(self.stack.setCurrentIndex)
        self.slider.valueChanged.connect(self._slid)
        self.resize(1000, 620)
        self._worker.start(partial(compared, user, first_id, second_id), self._show,
                           self._failed)

    @Slot(object)
    def _show(self, result: tuple[PhotoRecord, QImage, PhotoRecord, QImage]) -> None:
        first, first_image, second, second_image = result
        self.title.setText(f"{area_label(first.area)}: {view_label(first.view)}")
        self.left.set_image(first_image)
        self.right.set_image(second_image)
        self.left_caption.setText(caption(first))
        self.right_caption.setText(caption(second))
        self.slider_view.set_images(first_image, second_image)
        self.slider_caption.setText(f"Left: {caption(first)}    Right: {caption(second)}")
        self.shown.emit()

    @Slot(int)
    def _slid(self, value: int) -> None:
        self.slider_view.set_divide(value / 100)

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.shown.emit()
