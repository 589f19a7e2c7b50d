"""Every screen fits 1280×720 and its buttons stay reachable; the sidebar follows the page.

A 1280×720 screen leaves about 1280×650 to a window once a desktop's panel (~32 px)
and the window's title bar (~38 px) are taken: every page's and every dialog's
smallest size must fit in that, and the window must never grow itself past the screen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

from consult.storage import settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from tests.ui.manager.clinic_data import consultation_of, fill, priced_quote
from ui.admin.conflict_dialog import ConflictDialog
from ui.admin.users_view import AddAccountDialog
from ui.consultation.wizard import CONSENT, STEP_CLASSES
from ui.dialogs.account_dialogs import LoginDialog, SetupDialog
from ui.dialogs.pdf_dialog import PdfDialog
from ui.dialogs.settings_dialog import SettingsDialog
from ui.patients.dialog import PatientDialog
from ui.shell.app import build_main_window

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]
BUDGET = QSize(1280, 720 - 32 - 38)


@pytest.fixture
def window(qtbot, db, manager, ana):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30000):
        main.show()
    return main


@pytest.fixture
def quote_waiting_for_approval(db, context) -> int:
    fill(db)
    return priced_quote(db, context.actor, consultation_of(db, 1),
                        manual_discount_percent=Decimal("15"))


def settle_layouts() -> None:
    """Deliver the layout and resize events a change posted, and those they post."""
    for _ in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def fits(size: QSize) -> bool:
    return size.width() <= BUDGET.width() and size.height() <= BUDGET.height()


def in_view(widget: QWidget) -> bool:
    """Shown, and wholly inside its window without scrolling anything."""
    top = widget.window()
    where = QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())
    shown = widget.isVisible() and not widget.visibleRegion().isEmpty()
    return shown and top.rect().contains(where)


def test_the_window_fits_the_screen_on_every_page_and_step(qtbot, window, ana):
    screen = window.screen().availableGeometry()
    assert screen.contains(window.frameGeometry())
    for index in range(window.home.count()):
        window.home.setCurrentIndex(index)
        qtbot.wait(0)
        page = window.home.tabText(index)
        assert fits(window.minimumSizeHint()), (page, window.minimumSizeHint())
    window.home.setCurrentIndex(0)
    window.start_consultation(ana)
    wizard = window.consultation
    wizard.steps[2].map.set_selected(["cheeks", "forehead", "neck", "hands"])
    for index in range(len(STEP_CLASSES)):
        wizard.go_to(index, check=False)
        qtbot.wait(0)
        step = STEP_CLASSES[index].title
        assert fits(window.minimumSizeHint()), (step, window.minimumSizeHint())
        assert window.size().height() <= screen.height(), step  # never grew by itself
        assert screen.contains(window.frameGeometry()), step
        if index == CONSENT:  # its preview is built on a worker: let it finish
            qtbot.waitUntil(wizard.steps[CONSENT].preview_ready, timeout=60_000)


def test_at_1280_by_650_the_wizard_buttons_and_both_signature_pads_are_reachable(
    qtbot, window, ana
):
    window.resize(BUDGET)
    window.start_consultation(ana)
    wizard = window.consultation
    wizard.steps[2].map.set_selected(["cheeks"])  # a consent can be prepared for it
    for index in range(CONSENT):
        wizard.go_to(index, check=False)
        qtbot.wait(0)
        for button in (wizard.back_button, wizard.next_button, wizard.close_button):
            if button.isVisibleTo(wizard):
                assert in_view(button), (index, button.text())
    wizard.go_to(CONSENT, check=False)
    consent = wizard.steps[CONSENT]
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    assert in_view(consent.sign_button)  # stays put while the pads scroll
    assert in_view(wizard.close_button)
    for pad in (consent.patient_pad, consent.practitioner_pad):
        assert pad.height() >= 100
        scroll = pad.parentWidget()
        while scroll is not None and not hasattr(scroll, "ensureWidgetVisible"):
            scroll = scroll.parentWidget()
        scroll.ensureWidgetVisible(pad)
        qtbot.wait(0)
        assert not pad.visibleRegion().isEmpty()


def _dialogs(window, context) -> list[QDialog]:
    return [
        SettingsDialog(context, window),
        PatientDialog(window.patients._create, window),
        AddAccountDialog(lambda **_values: None, window),
        ConflictDialog({"name": "Name"}, {"name": "a"}, {"name": "b"}, window),
        LoginDialog(lambda _user, _password: None, "Harbour Skin Clinic", window),
        SetupDialog(lambda *_values: None, window),
        PdfDialog("Consent", b"%PDF-1.4\n%%EOF\n", window),
    ]


def test_every_dialog_fits_with_its_buttons_in_view(qtbot, window, context):
    for dialog in _dialogs(window, context):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        name = dialog.windowTitle()
        assert fits(dialog.minimumSizeHint()), (name, dialog.minimumSizeHint())
        assert fits(dialog.size()), (name, dialog.size())
        for button in dialog.findChildren(QPushButton):
            if button.isVisibleTo(dialog):
                assert in_view(button), (name, button.text())
        dialog.close()


def test_the_managers_quote_dialog_fits_with_approve_and_reject_in_view(
    qtbot, window, quote_waiting_for_approval
):
    titles = [window.home.tabText(index) for index in range(window.home.count())]
    window.home.setCurrentIndex(titles.index("Quotes and reports"))
    workspace = window.home.currentWidget()
    dialog = workspace.open_quote(quote_waiting_for_approval)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=30_000)
    assert fits(dialog.size()) and fits(dialog.minimumSizeHint())
    assert in_view(dialog.approve_button) and in_view(dialog.reject_button)
    assert dialog.approve_button.isEnabled()
    table = dialog.lines_table

    def overlaps() -> list[str]:
        table_box = QRect(table.mapTo(dialog, table.rect().topLeft()), table.size())
        return [
            label.text()
            for label in dialog.money_labels.values()
            if QRect(label.mapTo(dialog, label.rect().topLeft()), label.size()).intersects(
                table_box
            )
        ]

    # The detail arrives on a worker; its layout settles in the event loop that follows.
    qtbot.waitUntil(lambda: not overlaps(), timeout=30_000)
    assert overlaps() == [], "a total is drawn over the table"
    again = workspace.open_quote(quote_waiting_for_approval)
    assert again is dialog  # the open one is raised, never a second copy
    assert [d for d in workspace.open_details if d.isVisible()] == [dialog]
    dialog.close()


def test_the_sidebar_lights_only_the_step_on_screen(qtbot, window, ana):
    window.start_consultation(ana)
    wizard = window.consultation
    sidebar = wizard.step_list
    wizard.go_to(2, check=False)

    def lit() -> list[int]:
        return [sidebar.row(item) for item in sidebar.selectedItems()]

    assert (sidebar.currentRow(), lit()) == (2, [2])
    # Clicking a later step while no area is chosen is refused: the map stays on screen
    # and the sidebar must not light the step clicked.
    rect = sidebar.visualItemRect(sidebar.item(4))
    qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert wizard.current() == 2
    assert (sidebar.currentRow(), lit()) == (2, [2])
    rect = sidebar.visualItemRect(sidebar.item(1))
    qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert wizard.current() == 1
    assert (sidebar.currentRow(), lit()) == (1, [1])
    wizard.next()
    assert (wizard.current(), sidebar.currentRow(), lit()) == (2, 2, [2])
    QApplication.processEvents()


def test_at_1280_wide_the_patients_names_are_not_cut_whichever_card_tab_is_open(
    qtbot, window, ana
):
    """The card's tabs are no wider than the list beside it can spare: with a patient's
    Sessions or Photos open, the list's name column still shows a long name whole."""
    from PySide6.QtCore import QItemSelectionModel

    window.resize(BUDGET)
    patients_page = window.patients
    patients_page.search_box.setText("ana")
    qtbot.waitUntil(lambda: patients_page.model.rowCount() > 0, timeout=30_000)
    patients_page.table.selectionModel().select(
        patients_page.model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    detail = patients_page.detail
    name_width = patients_page.table.fontMetrics().horizontalAdvance("Maria José Thompson-Okafor")
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    for title in ("Sessions", "Photos"):
        detail.tabs.setCurrentIndex(titles.index(title))
        settle_layouts()
        column = patients_page.table.columnWidth(0)
        assert column >= name_width, (title, column, name_width)
