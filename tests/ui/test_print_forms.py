"""Printing from the app: blank consent forms (reception too) and stored documents, audited.

The print dialog is accepted with a PDF file as the printer, so what was "printed" is
read back: its text with pdftotext, its pages with pypdf.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget
from sqlalchemy import select

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation, Patient
from consult.documents import wording
from consult.errors import PermissionDenied
from consult.storage import (
    activity,
    audit,
    consents,
    consultations,
    patients,
    settings,
    users,
)
from consult.storage.models import AuditEvent
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.dialogs.pdf_dialog import PdfDialog, stored_document_handout
from ui.dialogs.print_forms import ACTION_TEXT, blank_form_action, build_blank_form
from ui.patients.page import PatientDetail
from ui.shell.app import build_main_window, context_for
from ui.shell.context import AppContext
from ui.widgets import pdf_output

pytestmark = OFFSCREEN_SIZE_HINTS
SIGNED = datetime(2026, 11, 20, 15, 4, tzinfo=UTC)
MADE_UP_ROLE = Actor(None, "visitor", "visitor", "test-workstation")


def _user_context(db, context, role: str):
    user = users.create_user(
        db,
        context.actor,
        username=role,
        full_name=f"{role.title()} Person",
        role=role,
        password="a long enough passphrase",
    )
    return user, context_for(signed(db, user))


def _events(db, action: str) -> list[AuditEvent]:
    with db.Session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


@pytest.fixture
def printed(tmp_path, monkeypatch) -> Path:
    """Where the accepted print dialog sends the pages: a PDF file."""
    target = tmp_path / "printed.pdf"

    def accept(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return target


@pytest.fixture
def audited_before_printing(db, monkeypatch) -> list[int]:
    """How many audit events existed each time pages went to the printer."""
    counts: list[int] = []
    send = pdf_output.send_to_printer

    def spy(pdf: bytes, printer: QPrinter) -> None:
        with db.Session() as session:
            counts.append(len(session.scalars(select(AuditEvent.id)).all()))
        send(pdf, printer)

    monkeypatch.setattr(pdf_output, "send_to_printer", spy)
    return counts


@pytest.fixture
def bea(db, context):
    """A patient whose details appear nowhere in the clinic's own."""
    person = Patient("Bea Lindqvist", date(1991, 7, 19), 2, "bea@example.se", "+46 8 123 456 78")
    return patients.create_patient(db, context.actor, person)


@pytest.fixture
def set_up_clinic(db, context):
    """The clinic's address and phone entered too (first start gave only its name)."""
    stored = settings.get_settings(db)
    details = replace(stored.pricing, address="3 Quay Road, Portsmouth", phone="+44 23 9200 0000")
    return settings.update_settings(db, context.actor, details, stored.version)


@pytest.fixture
def reception_window(qtbot, db, context, bea):
    user, _ = _user_context(db, context, "reception")
    window = build_main_window(signed(db, user), settings.get_settings(db))
    qtbot.addWidget(window)
    return window


def _open_blank_form(qtbot, window) -> PdfDialog:
    action = window.blank_form_action
    with qtbot.waitSignal(action.opened, timeout=30_000) as opened:
        action.trigger()
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.view.page_count() > 0, timeout=30_000)
    return dialog


def _text(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def test_reception_prints_a_blank_form_with_the_headings_and_no_patient_data(
    qtbot, db, set_up_clinic, reception_window, bea, printed, audited_before_printing
):
    menu_texts = [
        action.text()
        for menu in reception_window.menuBar().actions()
        for action in menu.menu().actions()
    ]
    assert ACTION_TEXT in menu_texts
    dialog = _open_blank_form(qtbot, reception_window)
    assert dialog.print_button is not None and dialog.save_button is not None

    dialog.print_button.click()

    text = _text(printed)
    for heading in wording.headings():
        assert heading in text
    # The clinic's own details, from its settings.
    assert "Harbour Skin Clinic" in text and "3 Quay Road, Portsmouth" in text
    for patient_detail in (bea.name, "Lindqvist", "19/07/1991", "bea@example.se", "456 78"):
        assert patient_detail not in text
    assert len(PdfReader(printed).pages) == dialog.view.page_count()

    [event] = _events(db, "forms.print_blank")
    assert (event.username, event.patient_id, event.outcome) == ("reception", None, "ok")
    form_id = json.loads(event.detail)["form"]
    assert form_id.startswith("FORM-") and form_id in text
    assert audit.verify_chain(db) == []
    # The event was in the trail before the first page went to the printer.
    assert audited_before_printing == [event.id]


def test_a_form_finished_after_the_app_locked_is_not_shown(qtbot, reception_window):
    action = reception_window.blank_form_action
    opened: list[PdfDialog] = []
    action.opened.connect(opened.append)
    action.trigger()
    assert not action.isEnabled()  # one form at a time
    reception_window.lock()
    qtbot.waitUntil(action.isEnabled, timeout=30_000)
    assert opened == []
    assert not [
        widget for widget in QApplication.topLevelWidgets() if isinstance(widget, PdfDialog)
    ]


def test_a_page_range_prints_only_those_pages(qtbot, db, context, tmp_path, monkeypatch):
    window = QWidget()
    qtbot.addWidget(window)
    action = blank_form_action(context, window)
    with qtbot.waitSignal(action.opened, timeout=30_000) as opened:
        action.trigger()
    dialog = opened.args[0]
    target = tmp_path / "page-two.pdf"

    def accept_page_two(print_dialog: QPrintDialog) -> int:
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 2)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept_page_two)
    assert dialog.print_document() is True
    assert len(PdfReader(target).pages) == 1
    assert len(_events(db, "forms.print_blank")) == 1


def test_cancelling_the_print_dialog_prints_and_audits_nothing(
    qtbot, db, reception_window, tmp_path, monkeypatch
):
    dialog = _open_blank_form(qtbot, reception_window)
    monkeypatch.setattr(QPrintDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected)
    assert dialog.print_document() is False
    assert _events(db, "forms.print_blank") == []


def test_a_blank_form_saved_as_a_file_is_the_form_shown(
    qtbot, db, reception_window, tmp_path, monkeypatch
):
    dialog = _open_blank_form(qtbot, reception_window)
    chosen = tmp_path / "forms" / "walk-in"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(chosen), "PDF"))
    )
    written = dialog.save_document()
    assert written == chosen.with_suffix(".pdf")
    assert written.read_bytes() == dialog.pdf
    assert "Blank consent form" in dialog.windowTitle()


def test_a_role_without_the_permission_gets_no_action_and_the_core_refuses(qtbot, db, context):
    window = QWidget()
    qtbot.addWidget(window)
    outsider = AppContext(signed(db, MADE_UP_ROLE), "")
    assert blank_form_action(outsider, window) is None
    with pytest.raises(PermissionDenied):
        activity.record_blank_form_print(db, MADE_UP_ROLE, form_id="FORM-00000000")
    with pytest.raises(PermissionDenied):
        build_blank_form(signed(db, MADE_UP_ROLE))
    # Nothing was printed: the one event is the refusal, recorded as a denial.
    assert [(e.username, e.outcome) for e in _events(db, "forms.print_blank")] == [
        ("visitor", "denied")
    ]


@pytest.fixture
def stored_consent(db, context, ana) -> consents.ConsentInfo:
    patient = Patient(ana.name, ana.date_of_birth, ana.fitzpatrick, ana.email, ana.phone)
    visit = Consultation(date(2026, 11, 20), patient, "microneedling", (AreaRequest("cheeks", ()),))
    consultation = consultations.create_draft(db, context.actor, ana.id, visit)
    form = build_blank_form(context.user)  # any real PDF stands in for the signed one
    return consents.store(
        db,
        context.actor,
        consultation.id,
        "consent",
        form.pdf,
        signed_at=SIGNED,
        patient_signed_name=ana.name,
    )


def test_a_stored_consent_prints_from_the_viewer_with_an_audit_event_naming_the_patient(
    qtbot, db, context, ana, stored_consent, printed, audited_before_printing, monkeypatch
):
    parent = QWidget()
    qtbot.addWidget(parent)
    detail = PatientDetail(context, parent)
    detail.show_patient(ana)
    qtbot.waitUntil(lambda: detail.consents.count() == 1, timeout=30_000)
    shown: list[PdfDialog] = []

    def print_from_viewer(dialog: PdfDialog) -> int:
        shown.append(dialog)
        dialog.print_button.click()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(PdfDialog, "exec", print_from_viewer)
    detail.consents.itemActivated.emit(detail.consents.item(0))

    [dialog] = shown
    assert dialog.windowTitle().endswith(": Ana Souza")
    stored_pdf = consents.get_pdf(db, context.actor, stored_consent.id)
    assert printed.read_bytes() == stored_pdf  # to a PDF file: the stored document itself
    [event] = _events(db, "documents.print")
    assert (event.username, event.patient_id) == ("mara", ana.id)
    assert json.loads(event.detail) == {
        "consultation": stored_consent.consultation_id,
        "kind": "consent",
    }
    assert audited_before_printing == [event.id]


def test_saving_a_stored_consent_from_the_viewer_is_audited_as_an_export(
    qtbot, db, context, ana, stored_consent, tmp_path, monkeypatch
):
    handout = stored_document_handout(context, stored_consent, ana.name)
    assert handout.file_name == "consent-Ana-Souza-2026-11-20.pdf"
    dialog = PdfDialog("Consent", b"%PDF-1.4 stand-in", None, handout=handout)
    qtbot.addWidget(dialog)
    chosen = tmp_path / handout.file_name
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(chosen), "PDF"))
    )
    assert dialog.save_document() == chosen
    [event] = _events(db, "documents.export")
    assert event.patient_id == ana.id
    assert json.loads(event.detail)["file"] == handout.file_name


def test_a_role_that_may_not_hand_out_documents_gets_a_read_only_viewer(qtbot, db, context):
    _, reception = _user_context(db, context, "reception")
    record = consents.ConsentInfo(
        1, 1, 1, "consent", "0" * 64, 10, SIGNED, "Ana Souza", None, None, SIGNED
    )
    assert stored_document_handout(reception, record, "Ana Souza") is None
    dialog = PdfDialog("Consent", b"%PDF-1.4", None)
    qtbot.addWidget(dialog)
    assert (dialog.print_button, dialog.save_button) == (None, None)
    assert dialog.print_document() is False


def test_a_clinic_given_only_its_name_prints_not_set_up(db, context, tmp_path):
    """A clinic with no address or phone yet prints no letterhead at all."""
    stored = settings.get_settings(db)
    named_only = replace(stored.pricing, address="", phone="")
    settings.update_settings(db, context.actor, named_only, stored.version)
    form = build_blank_form(context.user)
    path = tmp_path / "blank.pdf"
    path.write_bytes(form.pdf)
    text = _text(path)
    assert text.startswith("Clinic not set up ")
    assert "Harbour Skin Clinic" not in text and "Your Clinic" not in text
