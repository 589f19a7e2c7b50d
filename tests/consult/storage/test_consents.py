"""Signed documents are kept byte for byte and never changed; amendments link back."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation
from consult.errors import InvalidField, PermissionDenied
from consult.storage import Database, consents, consultations, patients

PDF = b"%PDF-1.7\n% a signed consent\n%%EOF\n"
SIGNED = datetime(2026, 11, 20, 15, 4, tzinfo=UTC)


@pytest.fixture
def consultation_id(db: Database, practitioner: Actor, ana) -> int:
    patient = patients.create_patient(db, practitioner, ana)
    visit = Consultation(date(2026, 11, 20), ana, "microneedling", (AreaRequest("cheeks", ()),))
    return consultations.create_draft(db, practitioner, patient.id, visit).id


def test_a_signed_pdf_is_kept_with_its_fingerprint(
    db: Database, practitioner: Actor, consultation_id: int
):
    info = consents.store(
        db,
        practitioner,
        consultation_id,
        "consent",
        PDF,
        signed_at=SIGNED,
        patient_signed_name="Ana Souza",
    )
    assert info.sha256 == hashlib.sha256(PDF).hexdigest()
    assert consents.get_pdf(db, practitioner, info.id) == PDF
    (listed,) = consents.list_for_patient(db, practitioner, info.patient_id)
    assert listed == info
    assert (listed.size, listed.signed_at) == (len(PDF), SIGNED)


def test_the_database_refuses_to_change_or_delete_a_record(
    db: Database, practitioner: Actor, consultation_id: int
):
    info = consents.store(db, practitioner, consultation_id, "consent", PDF)
    with pytest.raises(DBAPIError, match=r"append-only"), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE consent_records SET patient_signed_name = 'x' WHERE id = :id"),
            {"id": info.id},
        )
    with pytest.raises(DBAPIError, match=r"append-only"), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM consent_records WHERE id = :id"), {"id": info.id})
    assert consents.get_pdf(db, practitioner, info.id) == PDF


def test_an_amendment_is_a_new_record_naming_the_original(
    db: Database, practitioner: Actor, consultation_id: int
):
    original = consents.store(db, practitioner, consultation_id, "plan", PDF)
    corrected = PDF.replace(b"signed", b"amended")
    amendment = consents.amend(db, practitioner, original.id, corrected, signed_at=SIGNED)
    assert (amendment.supersedes_id, amendment.kind) == (original.id, "plan")
    assert consents.get_pdf(db, practitioner, original.id) == PDF
    assert consents.get_pdf(db, practitioner, amendment.id) == corrected


def test_only_a_pdf_is_accepted(db: Database, practitioner: Actor, consultation_id: int):
    with pytest.raises(InvalidField, match=r"^pdf: is not a PDF"):
        consents.store(db, practitioner, consultation_id, "consent", b"GIF89a")


def test_reception_cannot_open_consents(
    db: Database, practitioner: Actor, reception: Actor, consultation_id: int
):
    info = consents.store(db, practitioner, consultation_id, "consent", PDF)
    with pytest.raises(PermissionDenied):
        consents.get_pdf(db, reception, info.id)
