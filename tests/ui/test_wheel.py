"""The mouse wheel never changes a value it passes over: every page and dialog visited.

Each spin box, combo box and slider on every page of the app and every dialog gets a
wheel turn delivered as the platform delivers it (to the window, at the control's
position), in the direction that would change its value; none may change. A control
the user has focused still takes the wheel, and the page under the pointer scrolls.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateEdit,
    QScrollArea,
    QScrollBar,
    QWidget,
)

from consult.storage import settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.admin.users_view import AddAccountDialog
from ui.consultation.wizard import CONSENT
from ui.dialogs.settings_dialog import SettingsDialog
from ui.patients.dialog import PatientDialog
from ui.shell.app import build_main_window
from ui.shell.wheel import install_wheel_guard

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]


@pytest.fixture(autouse=True)
def guard(qapp):
    """The policy exactly as the app installs it at start (ui.shell.app.run)."""
    return install_wheel_guard(qapp)


@pytest.fixture
def window(qtbot, db, manager, ana):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30000):
        main.show()
    return main


def value_of(control: QWidget) -> object:
    if isinstance(control, QComboBox):
        return control.currentIndex()
    if isinstance(control, QDateEdit):
        return control.date().toJulianDay()
    if isinstance(control, QAbstractSpinBox | QAbstractSlider):
        return control.value()  # type: ignore[union-attr]
    raise TypeError(control)


def changing_delta(control: QWidget) -> int:
    """The wheel direction that would change the control's value if it took the wheel."""
    if isinstance(control, QComboBox):
        return 120 if control.currentIndex() > 0 else -120  # up selects the previous item
    if isinstance(control, QDateEdit):
        return 120
    if isinstance(control, QAbstractSpinBox | QAbstractSlider):
        return -120 if control.value() >= control.maximum() else 120  # type: ignore[union-attr]
    raise TypeError(control)


def controls(top: QWidget) -> Iterator[QWidget]:
    """Every spin box, combo box and slider shown in `top` (scroll bars are not values)."""
    for kind in (QAbstractSpinBox, QComboBox, QAbstractSlider):
        for control in top.findChildren(kind):
            if isinstance(control, QScrollBar) or not control.isVisibleTo(top):
                continue
            if control.window() is top:
                yield control


def bring_into_view(control: QWidget) -> None:
    parent = control.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(control)
        parent = parent.parentWidget()


def turn_wheel_over(control: QWidget, delta: int) -> None:
    """A wheel turn as the platform delivers it: to the window, at the control's centre.

    QTest.wheelEvent goes through the window system layer, so the event is spontaneous
    and reaches the window first, exactly like a real mouse's.
    """
    top = control.window()
    handle = top.windowHandle()
    assert handle is not None, "the window must be shown"
    inside = control.mapTo(top, control.rect().center())
    QTest.wheelEvent(handle, QPointF(inside), QPoint(0, delta))
    QApplication.processEvents()


def visit_every_control(qtbot, top: QWidget, seen: list[tuple[str, str]]) -> None:
    """Wheel over each control without focus: its value must stay as it was."""
    top.setFocus()  # on the window itself: no control has the keyboard focus
    for control in controls(top):
        bring_into_view(control)
        qtbot.wait(0)
        if control.hasFocus():
            top.setFocus()
        before = value_of(control)
        turn_wheel_over(control, changing_delta(control))
        name = control.accessibleName() or control.objectName() or type(control).__name__
        assert value_of(control) == before, f"the wheel changed {name} on {top.windowTitle()}"
        seen.append((type(control).__name__, name))


def test_the_wheel_changes_a_focused_control_and_scrolls_past_an_unfocused_one(
    qtbot, window, ana, guard
):
    window.start_consultation(ana)
    wizard = window.consultation
    wizard.go_to(4, check=False)  # the quote: its session count
    sessions = wizard.steps[4].sessions
    qtbot.waitUntil(sessions.isVisible, timeout=30000)
    before = sessions.value()

    turn_wheel_over(sessions, 120)
    assert sessions.value() == before
    assert guard.redirected >= 1

    sessions.setFocus()
    qtbot.waitUntil(sessions.hasFocus, timeout=30000)
    turn_wheel_over(sessions, 120)
    assert sessions.value() == before + 1  # chosen on purpose: the wheel works on it


def test_the_wheel_over_a_control_scrolls_the_page_instead(qtbot, window, ana):
    window.resize(1000, 560)
    window.start_consultation(ana)
    wizard = window.consultation
    history = wizard.steps[1]
    wizard.go_to(1, check=False)
    for row in history.rows.values():
        row.yes.setChecked(True)  # every follow-up shown: a long page
    qtbot.wait(0)
    status = next(iter(controls(window)))
    area = history.scroll_area
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    area.ensureWidgetVisible(status)
    start = bar.value()
    window.setFocus()
    turn_wheel_over(status, -120)  # downwards
    assert bar.value() > start
    assert isinstance(area, QAbstractScrollArea)


def test_no_page_of_the_app_changes_a_value_under_the_wheel(qtbot, window, ana):
    seen: list[tuple[str, str]] = []
    for index in range(window.home.count()):
        window.home.setCurrentIndex(index)
        tabs = window.home.currentWidget().findChildren(type(window.home))
        for inner in [None, *tabs]:
            for tab in range(inner.count()) if inner is not None else [None]:
                if inner is not None:
                    inner.setCurrentIndex(tab)
                qtbot.wait(0)
                visit_every_control(qtbot, window, seen)
    window.home.setCurrentIndex(0)

    window.start_consultation(ana)
    wizard = window.consultation
    for row in wizard.steps[1].rows.values():
        row.yes.setChecked(True)  # every follow-up (status drop-downs) on screen
    areas = wizard.steps[2]
    areas.map.set_selected(["cheeks", "forehead", "neck"])  # cards with depth spin boxes
    for index in range(CONSENT):  # the consent and documents have no such control
        wizard.go_to(index, check=False)
        qtbot.wait(0)
        visit_every_control(qtbot, window, seen)

    kinds = {kind for kind, _name in seen}
    assert {"QSpinBox", "QDoubleSpinBox", "QComboBox", "QDateEdit"} <= kinds, kinds
    names = " ".join(name for _kind, name in seen)
    assert "Cheeks, both sides: shallowest depth" in names or "Cheeks: shallowest depth" in names
    assert "Cold sores" in names or "status" in names


@pytest.mark.parametrize("dialog_kind", ["settings", "patient", "account"])
def test_no_dialog_changes_a_value_under_the_wheel(qtbot, window, context, dialog_kind):
    if dialog_kind == "settings":
        dialog = SettingsDialog(context, window)
    elif dialog_kind == "patient":
        dialog = PatientDialog(window.patients._create, window)
    else:
        dialog = AddAccountDialog(lambda **_values: None, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    seen: list[tuple[str, str]] = []
    visit_every_control(qtbot, dialog, seen)
    assert seen, f"the {dialog_kind} dialog has no control to try"
