"""The mouse wheel scrolls the page; it never changes a value it merely passes over.

Qt hands a wheel event to whatever widget is under the pointer, so scrolling a long page
with the pointer drifting over a spin box, a combo box or a slider changes its value
(a planned depth, the session count, an answer), and the change is saved as a draft at
once. The one app-wide policy: such a widget takes the wheel only while it has the
keyboard focus (the practitioner clicked or tabbed into it on purpose). Otherwise the
wheel goes to the scroll area around it, so the page scrolls as the user meant.

The filter sits on the top-level windows (QWindow), where the platform's input arrives
before Qt picks the widget under the pointer, not on the application: an application
filter would be called for every event of every widget (see ui.shell.lock.IdleWatcher). A
window opened later (a dialog) is watched from the moment it takes the focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QGuiApplication, QWheelEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)


def guarded_control(widget: QWidget | None) -> QWidget | None:
    """The value-changing control `widget` belongs to (a spin box's own line edit counts)."""
    while widget is not None:
        if isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


def enclosing_scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Installed once by the app (ui.shell.app.run); see the module's docstring."""

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self.redirected = 0  # wheel events turned away from a control (for tests and logs)
        app.focusWindowChanged.connect(self.watch_windows)
        self.watch_windows()

    def watch_windows(self) -> None:
        # Installing a filter again only moves it to the front: harmless.
        for window in QGuiApplication.topLevelWindows():
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWindow):
            return False
        assert isinstance(event, QWheelEvent)
        control = guarded_control(_widget_under(watched, event))
        if control is None or control.hasFocus():
            return False
        self.redirected += 1
        area = enclosing_scroll_area(control)
        if area is not None:
            _forward(event, area.viewport())
        return True  # the control never sees it


def _widget_under(window: QWindow, event: QWheelEvent) -> QWidget | None:
    """The widget a wheel event at this window's position would be delivered to."""
    for top in QApplication.topLevelWidgets():
        if top.windowHandle() == window:
            point = event.position().toPoint()
            return top.childAt(point) or top
    return None


def _forward(event: QWheelEvent, target: QWidget) -> None:
    global_point = event.globalPosition()
    local = target.mapFromGlobal(global_point.toPoint())
    forwarded = QWheelEvent(
        QPoint(local.x(), local.y()).toPointF(),
        global_point,
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
    )
    QApplication.sendEvent(target, forwarded)


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """The app-wide wheel policy; one per application (a second call returns the first)."""
    existing = app.findChild(WheelGuard)
    if isinstance(existing, WheelGuard):
        existing.watch_windows()
        return existing
    return WheelGuard(app)
