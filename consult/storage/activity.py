"""Audit events for what happens around a record rather than to a row of it.

Printing a signed document or a blank consent form, saving a copy of a document to a
file and going on despite a screening verdict change no stored row, yet the audit
trail must show them (HIPAA audit controls: every view, creation, change, export,
print, signature and screening override is recorded). Each function checks the
actor's permission (a saved copy, like a print, is a copy handed out:
documents.print), makes sure the consultation belongs to the patient named, and
writes one event in its own transaction. A blank form names no patient, so only
forms.print_blank is checked for it.

`present_at_signing` moves the quote stored at signing on to "presented", unless it is
waiting for a manager's approval (or was refused it), which the lifecycle forbids.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consult.access import Actor, require
from consult.clinical.rules import SEVERITIES
from consult.errors import InvalidField
from consult.pricing import lifecycle
from consult.protection.safe_text import check_text
from consult.records.quotes import QuoteRecord
from consult.storage import audit, consultations, quotes
from consult.storage.db import Database
from consult.storage.models.clinical import CONSENT_KINDS

# Only these verdicts stop a consultation; going on past them is an override.
OVERRIDDEN_VERDICTS = ("clearance", "defer", "decline")
MAX_REASON = 2000


def record_print(
    db: Database,
    actor: Actor,
    *,
    patient_id: int,
    document_kind: str,
    consultation_id: int,
) -> int:
    """Audit that a stored document of the consultation was sent to a printer."""
    require(actor, "documents.print")
    if document_kind not in CONSENT_KINDS:
        raise InvalidField(
            "document_kind", f'"{document_kind}" is not one of {", ".join(CONSENT_KINDS)}'
        )
    with db.Session.begin() as session:
        _check_belongs(session, consultation_id, patient_id)
        return audit.record(
            session,
            actor,
            "documents.print",
            patient_id=patient_id,
            detail={"consultation": consultation_id, "kind": document_kind},
        )


def record_blank_form_print(db: Database, actor: Actor, *, form_id: str | None = None) -> int:
    """Audit that a blank consent form (no patient on it) was sent to a printer.

    `form_id` names the version of the wording printed (FORM-…), so a paper form
    signed later can be matched to the text the patient read.
    """
    require(actor, "forms.print_blank")
    detail = {"form": form_id.strip()} if form_id and form_id.strip() else None
    with db.Session.begin() as session:
        return audit.record(session, actor, "forms.print_blank", detail=detail)


def record_export(
    db: Database,
    actor: Actor,
    *,
    patient_id: int,
    document_kind: str,
    consultation_id: int,
    file_name: str,
) -> int:
    """Audit that a copy of a stored document was saved to a file outside the database."""
    require(actor, "documents.print")
    if document_kind not in CONSENT_KINDS:
        raise InvalidField(
            "document_kind", f'"{document_kind}" is not one of {", ".join(CONSENT_KINDS)}'
        )
    name = file_name.strip()
    if not name:
        raise InvalidField("file_name", "is empty")
    with db.Session.begin() as session:
        _check_belongs(session, consultation_id, patient_id)
        return audit.record(
            session,
            actor,
            "documents.export",
            patient_id=patient_id,
            detail={"consultation": consultation_id, "kind": document_kind, "file": name},
        )


def record_screening_override(
    db: Database,
    actor: Actor,
    *,
    patient_id: int,
    consultation_id: int,
    verdict: str,
    reason: str,
) -> int:
    """Audit that the practitioner went on despite `verdict`, and why."""
    require(actor, "screening.override")
    if verdict not in OVERRIDDEN_VERDICTS:
        allowed = ", ".join(OVERRIDDEN_VERDICTS)
        known = "a verdict" if verdict in SEVERITIES else "not a verdict"
        raise InvalidField("verdict", f'"{verdict}" is {known} that needs an override ({allowed})')
    text = check_text(reason, "reason", multiline=True).strip()
    if not text:
        raise InvalidField("reason", "say why the consultation goes on despite the verdict")
    if len(text) > MAX_REASON:
        raise InvalidField("reason", f"is longer than {MAX_REASON} characters")
    with db.Session.begin() as session:
        _check_belongs(session, consultation_id, patient_id)
        return audit.record(
            session,
            actor,
            "screening.override",
            patient_id=patient_id,
            detail={"consultation": consultation_id, "verdict": verdict, "reason": text},
        )


def present_at_signing(db: Database, actor: Actor, quote: QuoteRecord) -> QuoteRecord:
    """The signed quote presented to the patient, or unchanged while approval blocks it."""
    if quote.status != lifecycle.DRAFT or quote.approval in (lifecycle.PENDING, lifecycle.REJECTED):
        return quote
    return quotes.change_status(
        db, actor, quote.id, lifecycle.PRESENT, expected_version=quote.version
    )


def _check_belongs(session: Session, consultation_id: int, patient_id: int) -> None:
    consultation = consultations.load(session, consultation_id)
    if consultation.patient_id != patient_id:
        raise InvalidField(
            "consultation_id", f"consultation {consultation_id} is not one of this patient's"
        )
