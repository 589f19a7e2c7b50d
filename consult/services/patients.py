"""Patients: find, open, register and correct a patient's contact record."""

from __future__ import annotations

from datetime import date

from consult.clinical import fileformat
from consult.records import MergeResult, PatientRecord
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


@use_case("patients.find_duplicates")
def find_duplicates(user: SignedIn, name: str, date_of_birth: date) -> tuple[PatientRecord, ...]:
    """Patients already registered with this name and birth date (asked before a new one)."""
    return tuple(patients.find_duplicates(user.database, user.actor, name, date_of_birth))


@use_case("patients.merge")
def merge(
    user: SignedIn, keep_id: int, remove_id: int, *, keep_version: int, remove_version: int
) -> MergeResult:
    """Merge two records of one person after a manager confirmed both (audited)."""
    return patients.merge_patients(
        user.actor,
        user.database,
        keep_id,
        remove_id,
        keep_version=keep_version,
        remove_version=remove_version,
    )
