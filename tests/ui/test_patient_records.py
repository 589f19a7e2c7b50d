"""The patient's card lists stored documents, signed or not, without failing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QWidget
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from consult.clinical.fileformat import AreaRequest, Consultation, Patient
from consult.storage import consents, consultations
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.dialogs.pdf_dialog import PdfDialog
from ui.patients.page import PatientDetail
from ui.widgets.dates import show_datetime

pytestmark = OFFSCREEN_SIZE_HINTS
SIGNED = datetime(2026, 11, 20, 15, 4, tzinfo=UTC)


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A4)
    drawing.drawString(72, 760, text)
    drawing.showPage()
    drawing.save()
    return buffer.getvalue()


@pytest.fixture
def stored(db, context, ana):
    """A patient-signed consent, and a plan the clinic sealed but nobody signed (returned)."""
    patient = Patient(ana.name, ana.date_of_birth, ana.fitzpatrick, ana.email, ana.phone)
    visit = Consultation(date(2026, 11, 20), patient, "microneedling", (AreaRequest("cheeks", ()),))
    consultation = consultations.create_draft(db, context.actor, ana.id, visit)
    consents.store(
        db,
        context.actor,
        consultation.id,
        "consent",
        _pdf("Consent: Ana Souza"),
        signed_at=SIGNED,
        patient_signed_name="Ana Souza",
    )
    unsigned = consents.store(db, context.actor, consultation.id, "plan", _pdf("Plan"))
    return unsigned


def test_an_unsigned_document_is_listed_as_not_signed(qtbot, context, ana, stored, monkeypatch):
    unsigned = stored
    parent = QWidget()
    qtbot.addWidget(parent)
    detail = PatientDetail(context, parent)
    detail.show_patient(ana)
    qtbot.waitUntil(lambda: detail.consents.count() == 2, timeout=30_000)
    texts = [detail.consents.item(row).text() for row in range(2)]
    assert texts == [
        f"Treatment plan, not signed (stored {show_datetime(unsigned.created_at)})",
        f"Consent, signed {show_datetime(SIGNED)}",
    ]

    titles: list[str] = []
    monkeypatch.setattr(PdfDialog, "exec", lambda dialog: titles.append(dialog.windowTitle()))
    detail.consents.itemActivated.emit(detail.consents.item(0))
    assert titles == [f"{texts[0]}: Ana Souza"]  # the unsigned one opens too
