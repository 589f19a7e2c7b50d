"""A pad to sign on with a mouse, a pen (pressure-sensitive) or a finger.

The pad keeps the strokes as points, so the signature can be exported at a higher
resolution than the screen (`to_png`) for the consent PDF. A tap or a dot is not a
signature: the pad stays empty until a stroke of some length has been drawn, so a
stray click cannot sign a consent.

Typical use::

    pad = SignaturePad(parent)
    pad.changed.connect(step.on_signature_changed)
    ...
    if not pad.is_empty():
        png = pad.to_png()
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

MIN_STROKE_LENGTH = 15.0  # pixels of ink a stroke needs before the pad counts as signed
MOUSE_PRESSURE = 0.5  # what a mouse or a pressure-blind touch screen draws with
EXPORT_SCALE = 3.0  # export resolution relative to the screen (about 300 dpi from 96)
EXPORT_MARGIN = 12  # pixels of white kept around the ink in the export
INK = QColor("#10243e")


@dataclass
class Stroke:
    """One continuous line: points in widget coordinates with the pen pressure at each."""

    points: list[tuple[QPointF, float]] = field(default_factory=list)

    def length(self) -> float:
        return sum(
            math.dist((a.x(), a.y()), (b.x(), b.y()))
            for (a, _), (b, _) in pairwise(self.points)
        )

    def bounds(self) -> QRectF:
        xs = [p.x() for p, _ in self.points]
        ys = [p.y() for p, _ in self.points]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def pen_width(pressure: float) -> float:
    """Harder pressure, wider line: 1 px at a feather touch, 4.5 px pressed hard."""
    return 1.0 + 3.5 * max(0.0, min(1.0, pressure))


class SignaturePad(QWidget):
    """Captures a handwritten signature. Emits `changed()` after every stroke and `clear()`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, hint: str = "Sign here") -> None:
        super().__init__(parent)
        self._hint = hint
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(260, 130)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)
        self.setAccessibleName("Signature pad")  # the host may rename it ("Patient's signature")
        self._update_accessibility()

    # ------------------------------------------------------------------ public API

    def is_empty(self) -> bool:
        """True until a real stroke (not a click or a dot) has been drawn."""
        return not any(stroke.length() >= MIN_STROKE_LENGTH for stroke in self._strokes)

    def clear(self) -> None:
        had_ink = bool(self._strokes) or self._current is not None
        self._strokes.clear()
        self._current = None
        self.update()
        self._update_accessibility()
        if had_ink:
            self.changed.emit()

    def stroke_count(self) -> int:
        return len(self._strokes)

    def pad_png(self) -> bytes:
        """The whole pad as drawn (not cropped): what the ink rule measures.

        A signature's ink is judged against the pad it was written on
        (consult.documents.ink): a dot or a short tick cropped to itself would fill its
        own image and pass for a signature.
        """
        size = self.size()
        image = QImage(max(1, size.width()), max(1, size.height()), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw_strokes(painter)
        painter.end()
        return _png_bytes(image)

    def to_png(self) -> bytes:
        """The signature as a PNG: dark ink on white, cropped to the ink with a margin."""
        if self.is_empty():
            raise ValueError("the signature pad is empty: there is no signature to export")
        ink = self._ink_bounds()
        width = math.ceil((ink.width() + 2 * EXPORT_MARGIN) * EXPORT_SCALE)
        height = math.ceil((ink.height() + 2 * EXPORT_MARGIN) * EXPORT_SCALE)
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(EXPORT_SCALE, EXPORT_SCALE)
        painter.translate(EXPORT_MARGIN - ink.left(), EXPORT_MARGIN - ink.top())
        self._draw_strokes(painter)
        painter.end()
        return _png_bytes(image)

    def sizeHint(self) -> QSize:
        return QSize(480, 180)

    # ------------------------------------------------------------------ drawing

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw_guide(painter)
        self._draw_strokes(painter)
        painter.end()

    def _baseline_y(self) -> float:
        return self.height() * 0.72

    def _draw_guide(self, painter: QPainter) -> None:
        """The line to sign on, and the hint until there is a signature (never exported)."""
        guide = self.palette().color(QPalette.ColorRole.PlaceholderText)
        y = self._baseline_y()
        painter.setPen(QPen(guide, 1.2))
        painter.drawLine(QPointF(24, y), QPointF(self.width() - 24, y))
        painter.drawText(QPointF(10, y - 4), "×")
        if self.is_empty():
            painter.drawText(
                QRectF(24, y + 6, self.width() - 48, self.height() - y - 8),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                self._hint,
            )

    def _draw_strokes(self, painter: QPainter) -> None:
        pen = QPen(INK)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        strokes = [*self._strokes, self._current] if self._current else self._strokes
        for stroke in strokes:
            points = stroke.points
            if len(points) == 1:  # a dot, as on an i
                point, pressure = points[0]
                pen.setWidthF(pen_width(pressure) + 1)
                painter.setPen(pen)
                painter.drawPoint(point)
            for (start, _), (end, pressure) in pairwise(points):
                pen.setWidthF(pen_width(pressure))
                painter.setPen(pen)
                painter.drawLine(start, end)

    def _ink_bounds(self) -> QRectF:
        bounds = QRectF()
        for stroke in self._strokes:
            bounds = bounds.united(stroke.bounds())
        # Half the widest pen on every side, so thick strokes are not clipped.
        pad = pen_width(1.0)
        return bounds.adjusted(-pad, -pad, pad, pad)

    # ------------------------------------------------------------------ input

    def _begin(self, point: QPointF, pressure: float) -> None:
        self._current = Stroke([(point, pressure)])
        self.update()

    def _extend(self, point: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        last, _ = self._current.points[-1]
        if last != point:
            self._current.points.append((point, pressure))
            self.update()

    def _end(self, point: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        self._extend(point, pressure)
        self._strokes.append(self._current)
        self._current = None
        self.update()
        self._update_accessibility()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen: width follows pressure. Accepting it stops Qt faking mouse events too."""
        kind = event.type()
        point, pressure = event.position(), event.pressure()
        if kind == QEvent.Type.TabletPress:
            self._begin(point, pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(point, pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end(point, pressure)
        event.accept()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            self._touch(event)
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """One finger signs; a second finger on the pad is ignored."""
        points = event.points()
        kind = event.type()
        if kind == QEvent.Type.TouchCancel or not points:
            self._current = None
            self.update()
            return
        first = points[0]
        pressure = first.pressure() if 0 < first.pressure() < 1 else MOUSE_PRESSURE
        if kind == QEvent.Type.TouchBegin:
            self._begin(first.position(), pressure)
        elif kind == QEvent.Type.TouchUpdate:
            self._extend(first.position(), pressure)
        elif kind == QEvent.Type.TouchEnd:
            self._end(first.position(), pressure)
        event.accept()

    def _update_accessibility(self) -> None:
        self.setAccessibleDescription(
            "Empty: sign with the mouse, a pen or a finger" if self.is_empty() else "Signed"
        )


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.11 takes the format as text; its stub says bytes (which it refuses).
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())
