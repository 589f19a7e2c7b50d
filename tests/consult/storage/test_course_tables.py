"""The course tables: a draft session changes freely, a signed one never does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation
from consult.storage import Database, consultations, patients
from consult.storage.models.course import Device, SessionEntry, TreatmentSession

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def session_ids(db: Database, practitioner: Actor, ana) -> tuple[int, int]:
    """A draft session and a signed one, each with one entry, written as plain rows."""
    patient = patients.create_patient(db, practitioner, ana)
    visit = Consultation(date(2026, 11, 20), ana, "microneedling", (AreaRequest("cheeks", ()),))
    consultation_id = consultations.create_draft(db, practitioner, patient.id, visit).id
    with db.Session.begin() as session:
        device = Device(name="SkinPen", kind="mechanical", serial="SP-1", created_at=NOW)
        session.add(device)
        ids = []
        for status in ("draft", "signed"):
            row = TreatmentSession(
                patient_id=patient.id, consultation_id=consultation_id,
                practitioner_id=practitioner.user_id, session_date=date(2026, 11, 27),
                status="draft", areas=["cheeks"], changes={}, screening={},
                created_at=NOW, updated_at=NOW,
            )
            session.add(row)
            session.flush()
            session.add(SessionEntry(
                session_id=row.id, area="cheeks", device_id=device.id,
                depth_mm=Decimal("1.25"), erythema=1, created_at=NOW,
            ))
            session.flush()
            if status == "signed":
                row.status = "signed"
                row.pdf = b"%PDF-sealed"
                row.signed_at = NOW
            ids.append(row.id)
    return ids[0], ids[1]


def run(db: Database, statement: str, **values: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_a_draft_session_and_its_entries_may_change(db: Database, session_ids):
    draft, _ = session_ids
    run(db, "UPDATE treatment_sessions SET session_date = :d WHERE id = :id",
        d=date(2026, 11, 28), id=draft)
    run(db, "UPDATE session_entries SET passes = 2 WHERE session_id = :id", id=draft)
    run(db, "DELETE FROM session_entries WHERE session_id = :id", id=draft)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE treatment_sessions SET pdf = NULL WHERE id = :id",
        "UPDATE treatment_sessions SET status = 'draft' WHERE id = :id",
        "DELETE FROM treatment_sessions WHERE id = :id",
        "UPDATE session_entries SET passes = 7 WHERE session_id = :id",
        "DELETE FROM session_entries WHERE session_id = :id",
        "INSERT INTO session_entries (session_id, area, device_id, erythema, "
        "pinpoint_bleeding, notes, depth_outside_plan, expired_lot, created_at) "
        "SELECT :id, 'chin', device_id, 0, false, '', false, false, created_at "
        "FROM session_entries WHERE session_id = :id",
    ],
)
def test_a_signed_session_and_its_entries_are_refused_any_change(
    db: Database, session_ids, statement
):
    _, signed = session_ids
    with pytest.raises(DBAPIError, match="append-only"):
        run(db, statement, id=signed)


def test_an_entry_cannot_be_moved_into_a_signed_session(db: Database, session_ids):
    draft, signed = session_ids
    with pytest.raises(DBAPIError, match="append-only"):
        run(db, "UPDATE session_entries SET session_id = :signed WHERE session_id = :draft",
            signed=signed, draft=draft)
