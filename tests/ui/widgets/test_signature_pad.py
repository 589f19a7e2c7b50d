"""The signature pad signs only with a real stroke, from a mouse, a pen or a finger."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.widgets.signature_pad import SignaturePad

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NO_BUTTON = Qt.MouseButton.NoButton
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def pad(qtbot) -> SignaturePad:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(480, 180)
    return widget


def _mouse(pad: SignaturePad, kind: QEvent.Type, point: QPointF, button, buttons) -> None:
    event = QMouseEvent(
        kind, point, pad.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(pad, event)


def _drag(pad: SignaturePad, points: list[tuple[float, float]]) -> None:
    """Press at the first point, move through the rest with the button held, release."""
    first, *rest = (QPointF(x, y) for x, y in points)
    _mouse(pad, QEvent.Type.MouseButtonPress, first, LEFT, LEFT)
    for point in rest:
        _mouse(pad, QEvent.Type.MouseMove, point, NO_BUTTON, LEFT)
    _mouse(pad, QEvent.Type.MouseButtonRelease, rest[-1] if rest else first, LEFT, NO_BUTTON)


def _pen(pad: SignaturePad, points: list[tuple[float, float]], pressure: float) -> None:
    stylus = QPointingDevice(
        "test pen", 42, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 2,
    )
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2)
    kinds.append(QEvent.Type.TabletRelease)
    for kind, (x, y) in zip(kinds, points, strict=True):
        point = QPointF(x, y)
        held = NO_BUTTON if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(
            kind, stylus, point, pad.mapToGlobal(point), pressure, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, LEFT, held,
        )
        QApplication.sendEvent(pad, event)


def _ink_pixels(png: bytes) -> int:
    image = QImage.fromData(png, "PNG")
    assert not image.isNull()
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() < 128
    )


def test_a_new_pad_is_empty_and_cannot_be_exported(pad):
    assert pad.is_empty()
    with pytest.raises(ValueError, match="the signature pad is empty"):
        pad.to_png()
    assert pad.accessibleDescription().startswith("Empty")


def test_a_mouse_stroke_signs_and_exports_a_cropped_png(qtbot, pad):
    with qtbot.waitSignal(pad.changed, timeout=30_000):
        _drag(pad, [(60, 120), (90, 100), (120, 130), (160, 95), (200, 125)])
    assert not pad.is_empty()
    assert pad.accessibleDescription() == "Signed"
    assert pad.accessibleName() == "Signature pad"

    png = pad.to_png()
    assert png.startswith(PNG_SIGNATURE)
    image = QImage.fromData(png, "PNG")
    # Cropped to the ink (140 x 35 px on screen) plus a margin, at three times the detail.
    assert 140 * 3 < image.width() < 260 * 3
    assert 35 * 3 < image.height() < 120 * 3
    assert image.pixelColor(1, 1).name() == "#ffffff"
    assert _ink_pixels(png) > 300


def test_a_click_or_a_tiny_dot_is_not_a_signature(qtbot, pad):
    qtbot.mouseClick(pad, LEFT, pos=QPoint(100, 100))
    _drag(pad, [(200, 100), (203, 102)])
    assert pad.stroke_count() == 2
    assert pad.is_empty()


def test_clear_empties_the_pad_and_says_so(qtbot, pad):
    pad.setAccessibleName("Patient's signature")
    _drag(pad, [(60, 120), (200, 100)])
    assert not pad.is_empty()
    with qtbot.waitSignal(pad.changed, timeout=30_000):
        pad.clear()
    assert pad.is_empty()
    assert pad.stroke_count() == 0
    assert pad.accessibleName() == "Patient's signature"
    assert pad.accessibleDescription().startswith("Empty")
    with qtbot.assertNotEmitted(pad.changed):
        pad.clear()  # nothing to clear, nothing changed


def test_a_pen_signs_and_pressing_harder_draws_a_wider_line(qtbot):
    light, firm = SignaturePad(), SignaturePad()
    for pad, pressure in ((light, 0.1), (firm, 1.0)):
        qtbot.addWidget(pad)
        pad.resize(480, 180)
        with qtbot.waitSignal(pad.changed, timeout=30_000):
            _pen(pad, [(40, 100), (120, 100), (200, 100), (300, 100)], pressure)
        assert not pad.is_empty()
    assert _ink_pixels(firm.to_png()) > 2 * _ink_pixels(light.to_png())


def test_a_finger_signs(qtbot, pad):
    screen = QTest.createTouchDevice()
    pad.show()
    qtbot.waitExposed(pad)
    QTest.touchEvent(pad, screen).press(0, QPoint(50, 100), pad).commit()
    QTest.touchEvent(pad, screen).move(0, QPoint(120, 80), pad).commit()
    QTest.touchEvent(pad, screen).move(0, QPoint(190, 110), pad).commit()
    with qtbot.waitSignal(pad.changed, timeout=30_000):
        QTest.touchEvent(pad, screen).release(0, QPoint(250, 90), pad).commit()
    assert pad.stroke_count() == 1
    assert not pad.is_empty()
    assert pad.to_png().startswith(PNG_SIGNATURE)


def test_the_hint_shows_until_signed_and_is_never_exported(pad):
    blank = pad.grab().toImage()
    _drag(pad, [(300, 60), (420, 40)])  # far from the hint under the line's left end
    signed = pad.grab().toImage()
    below_the_line = [(x, y) for x in range(24, 90) for y in range(int(180 * 0.72) + 6, 170)]
    assert _dark_pixels(blank, below_the_line) > 0
    assert _dark_pixels(signed, below_the_line) == 0


def _dark_pixels(image: QImage, where: list[tuple[int, int]]) -> int:
    return sum(1 for x, y in where if image.pixelColor(x, y).lightness() < 200)
