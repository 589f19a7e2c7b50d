"""Patients: find, open, register and correct a patient's contact record."""

from __future__ import annotations

from consult import fileformat
from consult.records import PatientRecord
from consult.services.acting import SignedIn, use_case
from consult.storage import patients


@use_case("patients.search")
def search(user: SignedIn, text: str, limit: int = 50) -> tuple[PatientRecord, ...]:
    """Patients matching a name, a date of birth or phone digits (audited)."""
    return tuple(patients.search_patients(user.database, user.actor, text, limit))


@use_case("patients.open")
def open_patient(user: SignedIn, patient_id: int) -> PatientRecord:
    return patients.get_patient(user.database, user.actor, patient_id)


@use_case("patients.register")
def register(user: SignedIn, patient: fileformat.Patient) -> PatientRecord:
    return patients.create_patient(user.database, user.actor, patient)


@use_case("patients.correct")
def correct(
    user: SignedIn, patient_id: int, expected_version: int, patient: fileformat.Patient
) -> PatientRecord:
    """Save changed contact details; a stale version raises StaleRecord, never overwrites."""
    return patients.update_patient(user.database, user.actor, patient_id, expected_version, patient)
