"""The session page fits 1280×720 at every stage, its buttons and the pad in view, and
the mouse wheel passing over its values changes none of them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from consult.services import patients
from consult.storage import settings
from tests.helpers.course import pen_of, signed_consultation
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.course.requests import SessionRequest
from ui.course.session_page import RECORD, SIGN
from ui.shell.app import build_main_window
from ui.shell.wheel import install_wheel_guard

pytestmark = OFFSCREEN_SIZE_HINTS
BUDGET = QSize(1280, 720 - 32 - 38)  # less a desktop panel and a title bar, as test_fit
LEFT = Qt.MouseButton.LeftButton


def in_view(widget: QWidget) -> bool:
    top = widget.window()
    where = QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())
    return widget.isVisible() and not widget.visibleRegion().isEmpty() and top.rect().contains(
        where
    )


def wheel_changes_nothing_unfocused(qtbot, window, page) -> None:
    """The app-wide wheel policy: a turn over an unfocused spin box or combo is no change."""
    install_wheel_guard(QApplication.instance())
    window.setFocus()
    form = page.entry_form
    for control in (form.area, form.device, form.depth, form.passes, form.erythema):
        before = control.value() if hasattr(control, "value") else control.currentIndex()
        inside = control.mapTo(window, control.rect().center())
        QTest.wheelEvent(window.windowHandle(), QPointF(inside), QPoint(0, 120))
        QApplication.processEvents()
        after = control.value() if hasattr(control, "value") else control.currentIndex()
        assert after == before, control.accessibleName()


def test_every_stage_fits_with_its_buttons_in_view(qtbot, db, manager):
    mara = signed(db, manager)
    signed_consultation(mara)
    pen_of(mara)
    (ana,) = patients.search(mara, "Ana Souza")
    window = build_main_window(mara, settings.get_settings(db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=30000):
        window.show()
    window.resize(BUDGET)
    window.open_session(SessionRequest(ana.id, ana.name))
    page = window.session_page
    qtbot.waitUntil(page.action_button.isEnabled, timeout=30000)

    def check(stage: str) -> None:
        qtbot.wait(0)
        hint = window.minimumSizeHint()
        assert hint.width() <= BUDGET.width() and hint.height() <= BUDGET.height(), (stage, hint)
        for button in (page.action_button, page.close_button):
            assert in_view(button), (stage, button.text())

    check("start")
    for row in page.start_form.rows.values():
        row.no.click()
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=RECORD.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)
    check("record")
    assert in_view(page.record_entry_button)
    wheel_changes_nothing_unfocused(qtbot, window, page)
    page.entry_form.depth.setValue(1.5)
    qtbot.mouseClick(page.record_entry_button, LEFT)
    qtbot.waitUntil(lambda: page.entries.count() == 2, timeout=30000)
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=SIGN.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)
    check("sign")
    assert in_view(page.pad) and page.pad.height() >= 100
    qtbot.mouseClick(page.back_to_record, LEFT)
    assert page.stage() == RECORD
