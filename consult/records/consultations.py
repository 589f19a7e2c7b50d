"""Consultations and their signed consents, as the services hand them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consult.clinical.fileformat import Consultation

# --------------------------------------------------------------------------- consultations

@dataclass(frozen=True)
class ConsultationSummary:
    """One line of a patient's list of consultations (no medical history in it)."""

    id: int
    patient_id: int
    practitioner_id: int | None
    consultation_date: date
    treatment: str
    status: str
    screening_verdict: str | None
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class ConsultationRecord:
    id: int
    patient_id: int
    practitioner_id: int | None
    status: str
    consultation: Consultation  # the consult/1 view, patient details as stored now
    screening_verdict: str | None
    screening: Mapping[str, Any] | None = field(compare=False)
    override_reason: str | None
    draft_step: int
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def consultation_date(self) -> date:
        return self.consultation.consultation_date

    @property
    def treatment(self) -> str:
        return self.consultation.treatment


# --------------------------------------------------------------------------- consents

@dataclass(frozen=True)
class ConsentInfo:
    """A stored document's details, without the PDF bytes."""

    id: int
    consultation_id: int
    patient_id: int
    kind: str
    sha256: str
    size: int
    signed_at: datetime | None
    patient_signed_name: str | None
    practitioner_id: int | None
    supersedes_id: int | None
    created_at: datetime
    document_number: str | None = None  # printed on the sealed PDF
