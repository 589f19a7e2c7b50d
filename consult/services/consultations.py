"""Consultations: start, keep as a draft, reopen, list, and exchange as consult/1 files."""

from __future__ import annotations

from pathlib import Path

from consult.clinical.fileformat import Consultation
from consult.records import ImportResult
from consult.records.consultations import ConsultationRecord, ConsultationSummary
from consult.services.acting import SignedIn, use_case
from consult.storage import activity, consultations, exchange
from consult.storage.consultations import ScreeningLike


@use_case("consultations.start")
def start(
    user: SignedIn, patient_id: int, consultation: Consultation, *, step: int = 0
) -> ConsultationRecord:
    return consultations.create_draft(
        user.database, user.actor, patient_id, consultation, step=step
    )


@use_case("consultations.open")
def open_consultation(user: SignedIn, consultation_id: int) -> ConsultationRecord:
    return consultations.get_consultation(user.database, user.actor, consultation_id)


@use_case("consultations.list")
def list_for_patient(user: SignedIn, patient_id: int) -> tuple[ConsultationSummary, ...]:
    return tuple(consultations.list_for_patient(user.database, user.actor, patient_id))


@use_case("consultations.save_draft")
def save_draft(
    user: SignedIn,
    consultation_id: int,
    *,
    expected_version: int,
    consultation: Consultation,
    step: int | None = None,
    override_reason: str | None = None,
    screening: ScreeningLike | None = None,
) -> int:
    """Save the draft as it stands; returns its new version for the next save."""
    return consultations.save_draft(
        user.database,
        user.actor,
        consultation_id,
        expected_version=expected_version,
        consultation=consultation,
        step=step,
        override_reason=override_reason,
        screening=screening,
    )


@use_case("consultations.override_screening")
def override_screening(
    user: SignedIn, *, patient_id: int, consultation_id: int, verdict: str, reason: str
) -> int:
    """Record the practitioner's reason for going on past a verdict that stops treatment."""
    return activity.record_screening_override(
        user.database,
        user.actor,
        patient_id=patient_id,
        consultation_id=consultation_id,
        verdict=verdict,
        reason=reason,
    )


@use_case("consultations.import")
def import_consultation(
    user: SignedIn,
    consultation: Consultation,
    *,
    source: str = "",
    existing: str | None = None,
    expected_version: int | None = None,
) -> ImportResult:
    """Store a consult/1 consultation as a draft; a registered patient is never merged
    silently (PatientAlreadyRegistered until `existing` says what to do)."""
    return exchange.import_consultation(
        user.database,
        user.actor,
        consultation,
        source=source,
        existing=existing,
        expected_version=expected_version,
    )


@use_case("consultations.import")
def import_file(user: SignedIn, path: str | Path, *, existing: str | None = None) -> ImportResult:
    return exchange.import_file(user.database, user.actor, path, existing=existing)


@use_case("consultations.export")
def export_file(user: SignedIn, consultation_id: int, path: str | Path) -> Path:
    return exchange.export_file(user.database, user.actor, consultation_id, path)
