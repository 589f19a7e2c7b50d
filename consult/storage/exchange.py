"""Import and export of consult/1 files (shared/spec/consultation-format.md).

Import: the file is validated by consult.fileformat, the patient is found by name
(ignoring case and accents) and date of birth or else registered, and the
consultation is stored as a draft for the practitioner to review. Contact details the
file gives (e-mail, phone, Fitzpatrick type) update the patient's record: the intake
form is the newest word on them. Export writes a stored consultation back as a
consult/1 file that imports to the same thing, unknown keys included.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult import fileformat
from consult.access import Actor, require
from consult.errors import InvalidField
from consult.fileformat import Consultation
from consult.records import ImportResult
from consult.storage import audit, consultations, patients
from consult.storage.db import Database
from consult.storage.models import Patient as PatientRow


def import_file(
    db: Database, actor: Actor, path: str | Path, *, practitioner_id: int | None = None
) -> ImportResult:
    """Read, validate and store a consult/1 file (an error names the bad field)."""
    return import_consultation(
        db, actor, fileformat.load(path), practitioner_id=practitioner_id, source=Path(path).name
    )


def import_consultation(
    db: Database,
    actor: Actor,
    consultation: Consultation,
    *,
    practitioner_id: int | None = None,
    source: str = "",
) -> ImportResult:
    require(actor, "patient.write_contact")
    require(actor, "consultation.write")
    require(actor, "history.write")
    with db.Session.begin() as session:
        patient_row, created = _match_or_create(session, actor, consultation.patient)
        row = consultations.add_consultation(
            session, actor, patient_row.id, consultation, practitioner_id=practitioner_id
        )
        audit.record(
            session,
            actor,
            "consultation.import",
            patient_id=patient_row.id,
            detail={"consultation": row.id, "file": source, "patient_created": created},
        )
        return ImportResult(patient_row.id, row.id, created, row.version)


def _match_or_create(
    session: Session, actor: Actor, patient: fileformat.Patient
) -> tuple[PatientRow, bool]:
    checked = patients.validated(patient)
    existing = session.scalars(
        select(PatientRow)
        .where(
            PatientRow.search_key == patients.search_key(checked.name),
            PatientRow.date_of_birth == checked.date_of_birth,
        )
        .order_by(PatientRow.id)
        .limit(1)
    ).first()
    if existing is None:
        return patients.add_patient(session, actor, checked), True
    newer = replace(
        checked,
        name=existing.name,
        fitzpatrick=checked.fitzpatrick
        if checked.fitzpatrick is not None
        else existing.fitzpatrick,
        email=checked.email or existing.email,
        phone=checked.phone or existing.phone,
    )
    patients.update_row(session, actor, existing, newer)
    return existing, False


def existing_or_new_patient(
    session: Session, actor: Actor, patient: fileformat.Patient
) -> PatientRow:
    """The stored patient with this name and date of birth, or a newly registered one.

    A stored patient's contact details are never changed here: a signed record is
    filed under the patient as registered; correcting their details is its own action.
    """
    checked = patients.validated(patient)
    existing = _same_patient(session, checked)
    return existing if existing is not None else patients.add_patient(session, actor, checked)


def _same_patient(session: Session, patient: fileformat.Patient) -> PatientRow | None:
    return session.scalars(
        select(PatientRow)
        .where(
            PatientRow.search_key == patients.search_key(patient.name),
            PatientRow.date_of_birth == patient.date_of_birth,
        )
        .order_by(PatientRow.id)
        .limit(1)
    ).first()


def export_consultation(db: Database, actor: Actor, consultation_id: int) -> Consultation:
    require(actor, "patient.export")
    require(actor, "history.read")
    with db.Session.begin() as session:
        row = consultations.load(session, consultation_id)
        result = consultations.to_record(session, row).consultation
        if not result.areas:
            raise InvalidField("areas", "the consultation has no areas yet; nothing to export")
        audit.record(
            session,
            actor,
            "consultation.export",
            patient_id=row.patient_id,
            detail={"consultation": row.id},
        )
        return result


def export_file(db: Database, actor: Actor, consultation_id: int, path: str | Path) -> Path:
    """Write the consultation as a consult/1 file (atomically)."""
    return fileformat.save(export_consultation(db, actor, consultation_id), path)
