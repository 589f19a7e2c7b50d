"""The idle lock closes every dialog, so no patient data stays on screen while locked."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from consult.errors import ConsultError
from consult.storage import patients, settings
from tests.helpers.accounts import MANAGER_PASSWORD
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.dialogs.pdf_dialog import PdfDialog
from ui.patients.dialog import PatientDialog
from ui.shell.app import build_main_window
from ui.shell.errors import show_problem

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def window(qtbot, db, manager):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    return main


def _open_dialogs() -> list[QWidget]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QDialog) and widget.isVisible()
    ]


def _lock_soon(window, prepare=lambda: None) -> None:
    """Once the dialog about to open is on screen: do `prepare`, then go idle."""

    def then_lock() -> None:
        assert _open_dialogs(), "the dialog under test is not open"
        prepare()
        window.idle.set_interval_ms(10)

    QTimer.singleShot(0, then_lock)


def _unlock(qtbot, window) -> None:
    window.idle.set_minutes(5)
    qtbot.keyClicks(window.lock_screen.password, MANAGER_PASSWORD)
    with qtbot.waitSignal(window.lock_screen.checked, timeout=30_000):
        qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.is_locked()


def test_a_message_naming_a_patient_is_closed_by_the_lock(qtbot, window):
    _lock_soon(window)
    show_problem(window, ConsultError("Ana Souza: the e-mail address is not valid"))
    # show_problem returned: the lock closed the message box it was waiting on.
    assert window.is_locked()
    assert _open_dialogs() == []
    _unlock(qtbot, window)
    qtbot.waitUntil(
        lambda: "closed when Consult locked" in window.statusBar().currentMessage(),
        timeout=30_000,
    )
    assert window.statusBar().currentMessage() == (
        "1 open window was closed when Consult locked; nothing in it was saved."
    )


def _consent_pdf() -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A4)
    drawing.drawString(72, 760, "Consent to treatment: Ana Souza")
    drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def test_a_stored_document_viewer_is_closed_by_the_lock(qtbot, window):
    viewer = PdfDialog("Consent, signed 20/11/2026: Ana Souza", _consent_pdf(), window)
    _lock_soon(window)
    assert viewer.exec() == QDialog.DialogCode.Rejected
    assert window.is_locked()
    assert not viewer.isVisible()


def test_the_patient_editor_comes_back_after_unlocking_with_what_was_typed(
    qtbot, window, db, context, monkeypatch
):
    def type_some() -> None:
        [editor] = _open_dialogs()
        editor.name.setText("Zoë O'Brien")
        editor.date_of_birth.setText("1990-02-28")
        editor.fitzpatrick.setCurrentIndex(2)

    _lock_soon(window, type_some)
    window.patients.new_patient()  # returns once the lock has closed the editor
    assert window.is_locked()
    assert _open_dialogs() == []
    assert patients.search_patients(db, context.actor, "zoë") == []  # nothing saved

    reopened: list[dict] = []

    def exec_and_save(dialog: PatientDialog) -> int:
        reopened.append(dialog.typed())
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(PatientDialog, "exec", exec_and_save)
    _unlock(qtbot, window)
    qtbot.waitUntil(lambda: bool(reopened), timeout=30_000)
    assert reopened == [
        {
            "name": "Zoë O'Brien",
            "date_of_birth": "1990-02-28",
            "email": "",
            "phone": "",
            "fitzpatrick": 2,
        }
    ]
    [stored] = patients.search_patients(db, context.actor, "zoë")
    assert (stored.name, stored.fitzpatrick) == ("Zoë O'Brien", 2)
    assert window.patients.detail.name.text() == "Zoë O'Brien"
    assert window.statusBar().currentMessage() == ""  # the editor came back: nothing lost


def test_a_cancelled_editor_is_not_reopened(qtbot, window, monkeypatch):
    QTimer.singleShot(0, lambda: _open_dialogs()[0].reject())
    window.patients.new_patient()
    opened: list[PatientDialog] = []
    monkeypatch.setattr(PatientDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    window.lock()
    _unlock(qtbot, window)
    QApplication.processEvents()
    assert opened == []
