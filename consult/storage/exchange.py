"""Import and export of consult/1 files (shared/spec/consultation-format.md).

Import: the file is validated by consult.clinical.fileformat and the consultation is stored as
a draft for the practitioner to review. A patient not yet registered (by name, ignoring
case and accents, and date of birth) is registered from the file. For one who is, no
silent merge: a file could belong to a namesake born the same day, or carry a typo in
an e-mail address, and a history attached to the wrong person is a clinical danger.
The import is refused (PatientAlreadyRegistered, showing both) unless told what to do
with `existing`:

- "keep": the consultation goes to the registered patient, whose contact details stay;
- "file": it goes to the registered patient, whose contact details are updated from
  the file (e-mail, phone, Fitzpatrick type, where the file gives them);
- "new": the file's patient is registered as a new patient.

Export writes a stored consultation back as a consult/1 file that imports to the same
thing, unknown keys included.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.access import Actor, require
from consult.clinical import fileformat
from consult.clinical.fileformat import Consultation
from consult.errors import InvalidField
from consult.records import (
    EXISTING_CHOICES,
    KEEP_STORED,
    NEW_PATIENT,
    ImportResult,
    PatientAlreadyRegistered,
)
from consult.storage import audit, consultations, patients
from consult.storage.db import Database
from consult.storage.locking import check_version
from consult.storage.models import Patient as PatientRow


def import_file(
    db: Database,
    actor: Actor,
    path: str | Path,
    *,
    practitioner_id: int | None = None,
    existing: str | None = None,
    expected_version: int | None = None,
) -> ImportResult:
    """Read, validate and store a consult/1 file (an error names the bad field)."""
    return import_consultation(
        db,
        actor,
        fileformat.load(path),
        practitioner_id=practitioner_id,
        source=Path(path).name,
        existing=existing,
        expected_version=expected_version,
    )


def import_consultation(
    db: Database,
    actor: Actor,
    consultation: Consultation,
    *,
    practitioner_id: int | None = None,
    source: str = "",
    existing: str | None = None,
    expected_version: int | None = None,
) -> ImportResult:
    """Store the consultation; for a registered patient, only as `existing` says.

    `expected_version` is the registered patient's version the practitioner saw when
    choosing; a record changed since is refused (StaleRecord), never overwritten.
    """
    require(actor, "patient.write_contact")
    require(actor, "consultation.write")
    require(actor, "history.write")
    if existing is not None and existing not in EXISTING_CHOICES:
        raise InvalidField(
            "existing", f'"{existing}" is not one of {", ".join(EXISTING_CHOICES)}'
        )
    with db.Session.begin() as session:
        patient_row, created, updated = _patient_for(
            session, actor, consultation.patient, existing, expected_version
        )
        row = consultations.add_consultation(
            session, actor, patient_row.id, consultation, practitioner_id=practitioner_id
        )
        detail: dict[str, object] = {
            "consultation": row.id, "file": source, "patient_created": created,
        }
        if existing is not None:
            detail["existing"] = existing
        audit.record(
            session, actor, "consultation.import", patient_id=patient_row.id, detail=detail
        )
        return ImportResult(patient_row.id, row.id, created, row.version, tuple(updated))


def _patient_for(
    session: Session,
    actor: Actor,
    patient: fileformat.Patient,
    existing: str | None,
    expected_version: int | None,
) -> tuple[PatientRow, bool, list[str]]:
    """The patient row the consultation goes to, whether it is new, and what changed."""
    checked = patients.validated(patient)
    match = registered_match(session, checked)
    if match is None or existing == NEW_PATIENT:
        return patients.add_patient(session, actor, checked), True, []
    if existing is None:
        raise PatientAlreadyRegistered(patients.to_record(match), checked)
    if expected_version is not None:
        check_version(match.version, expected_version, f"patient {match.name}")
    if existing == KEEP_STORED:
        return match, False, []
    from_file = replace(
        checked,
        name=match.name,  # the name as registered (the file may use other capitals)
        fitzpatrick=checked.fitzpatrick if checked.fitzpatrick is not None else match.fitzpatrick,
        email=checked.email or match.email,
        phone=checked.phone or match.phone,
    )
    return match, False, patients.update_row(session, actor, match, from_file)


def registered_match(session: Session, patient: fileformat.Patient) -> PatientRow | None:
    """The registered patient with this name (ignoring case and accents) and birth date."""
    return session.scalars(
        select(PatientRow)
        .where(
            PatientRow.search_key == patients.search_key(patient.name),
            PatientRow.date_of_birth == patient.date_of_birth,
        )
        .order_by(PatientRow.id)
        .limit(1)
    ).first()


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
