"""Signed consent and treatment-plan PDFs, kept exactly as they were signed.

A record is written once with the PDF's SHA-256 and never changed (database triggers
refuse UPDATE and DELETE). A correction is an amendment: a new record that names the
one it supersedes, so the original stays readable next to it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField
from consult.records.consultations import ConsentInfo
from consult.storage import audit, consultations
from consult.storage.db import Database
from consult.storage.models.clinical import CONSENT_KINDS, ConsentRecord
from consult.storage.models.clinical import Consultation as ConsultationRow

PDF_MAGIC = b"%PDF-"
MAX_PDF_BYTES = 50 * 1024 * 1024


def store(
    db: Database,
    actor: Actor,
    consultation_id: int,
    kind: str,
    pdf: bytes,
    *,
    signed_at: datetime | None = None,
    patient_signed_name: str | None = None,
    supersedes_id: int | None = None,
) -> ConsentInfo:
    """Keep a finished PDF; with `supersedes_id` it is an amendment of that record."""
    require(actor, "consent.sign")
    _check(kind, pdf, signed_at)
    with db.Session.begin() as session:
        consultation = consultations.load(session, consultation_id)
        return add_record(
            session,
            actor,
            consultation,
            kind,
            pdf,
            signed_at=signed_at,
            patient_signed_name=patient_signed_name,
            supersedes_id=supersedes_id,
        )


def add_record(
    session: Session,
    actor: Actor,
    consultation: ConsultationRow,
    kind: str,
    pdf: bytes,
    *,
    signed_at: datetime | None = None,
    patient_signed_name: str | None = None,
    supersedes_id: int | None = None,
    document_number: str | None = None,
) -> ConsentInfo:
    """Keep a finished PDF inside an open transaction (and audit it)."""
    require(actor, "consent.sign")
    _check(kind, pdf, signed_at)
    if supersedes_id is not None:
        _check_supersedes(session, supersedes_id, consultation, kind)
    row = ConsentRecord(
        consultation_id=consultation.id,
        patient_id=consultation.patient_id,
        kind=kind,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed_at=signed_at,
        patient_signed_name=(patient_signed_name or "").strip() or None,
        practitioner_id=actor.user_id,
        supersedes_id=supersedes_id,
        document_number=document_number,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    detail: dict[str, object] = {"record": row.id, "kind": kind, "sha256": row.sha256}
    if document_number:
        detail["number"] = document_number
    audit.record(
        session,
        actor,
        "consent.amend" if supersedes_id else "consent.store",
        patient_id=row.patient_id,
        detail=detail,
    )
    return _info(row, len(pdf))


def amend(
    db: Database,
    actor: Actor,
    original_id: int,
    pdf: bytes,
    *,
    signed_at: datetime | None = None,
    patient_signed_name: str | None = None,
) -> ConsentInfo:
    """A corrected document replacing `original_id`, which stays stored unchanged."""
    with db.Session() as session:
        original = _load(session, original_id)
        consultation_id, kind = original.consultation_id, original.kind
    return store(
        db,
        actor,
        consultation_id,
        kind,
        pdf,
        signed_at=signed_at,
        patient_signed_name=patient_signed_name,
        supersedes_id=original_id,
    )


def _check(kind: str, pdf: bytes, signed_at: datetime | None) -> None:
    if kind not in CONSENT_KINDS:
        raise InvalidField("kind", f'"{kind}" is not one of {", ".join(CONSENT_KINDS)}')
    if not isinstance(pdf, bytes) or not pdf.startswith(PDF_MAGIC):
        raise InvalidField("pdf", "is not a PDF document")
    if len(pdf) > MAX_PDF_BYTES:
        raise InvalidField("pdf", f"is larger than {MAX_PDF_BYTES // 1024 // 1024} MB")
    if signed_at is not None and signed_at.tzinfo is None:
        raise InvalidField("signed_at", "must carry its time zone")


def _check_supersedes(
    session: Session, original_id: int, consultation: ConsultationRow, kind: str
) -> None:
    """An amendment replaces a record of the same kind, for the same patient, once."""
    original = _load(session, original_id)
    if original.patient_id != consultation.patient_id or original.kind != kind:
        raise InvalidField(
            "supersedes_id", f"record {original_id} is not a {kind} of this patient"
        )
    replacement = replacement_of(session, original_id)
    if replacement is not None:
        by = f" by {replacement.document_number}" if replacement.document_number else ""
        raise InvalidField(
            "supersedes_id",
            f"{original.document_number or original_id} was already replaced{by}; "
            "amend the newest version",
        )


def by_number(session: Session, number: str) -> ConsentRecord | None:
    """The stored document printed with `number`, if any."""
    return session.scalar(
        select(ConsentRecord)
        .options(defer(ConsentRecord.pdf))
        .where(ConsentRecord.document_number == number)
    )


def plan_of(session: Session, consultation_id: int) -> ConsentRecord | None:
    """The newest treatment plan stored with the consultation."""
    return _newest(session, consultation_id, "plan")


def consent_of(session: Session, consultation_id: int) -> ConsentRecord | None:
    """The newest consent stored with the consultation."""
    return _newest(session, consultation_id, "consent")


def replacement_of(session: Session, record_id: int) -> ConsentRecord | None:
    """The amendment that replaced the record, if one did."""
    return session.scalar(
        select(ConsentRecord)
        .options(defer(ConsentRecord.pdf))
        .where(ConsentRecord.supersedes_id == record_id)
        .limit(1)
    )


def _newest(session: Session, consultation_id: int, kind: str) -> ConsentRecord | None:
    return session.scalar(
        select(ConsentRecord)
        .options(defer(ConsentRecord.pdf))
        .where(ConsentRecord.consultation_id == consultation_id, ConsentRecord.kind == kind)
        .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def get_pdf(db: Database, actor: Actor, record_id: int) -> bytes:
    """The stored PDF, checked against the SHA-256 taken when it was stored."""
    require(actor, "consent.read")
    with db.Session.begin() as session:
        row = _load(session, record_id)
        if hashlib.sha256(row.pdf).hexdigest() != row.sha256:
            raise ConsultError(
                f"stored document {record_id} does not match its fingerprint; "
                "it was altered in the database"
            )
        audit.record(
            session, actor, "consent.view", patient_id=row.patient_id, detail={"record": row.id}
        )
        return row.pdf


def list_for_patient(db: Database, actor: Actor, patient_id: int) -> list[ConsentInfo]:
    """The patient's stored documents, newest first."""
    require(actor, "consent.read")
    with db.Session.begin() as session:
        rows = session.execute(
            select(ConsentRecord, func.length(ConsentRecord.pdf))
            .options(defer(ConsentRecord.pdf))
            .where(ConsentRecord.patient_id == patient_id)
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
        )
        found = [_info(row, size) for row, size in rows]
        audit.record(
            session, actor, "consent.list", patient_id=patient_id, detail={"results": len(found)}
        )
        return found


def _load(session: Session, record_id: int) -> ConsentRecord:
    row = session.get(ConsentRecord, record_id)
    if row is None:
        raise ConsultError(f"stored document {record_id} does not exist")
    return row


def _info(row: ConsentRecord, size: int) -> ConsentInfo:
    return ConsentInfo(
        id=row.id,
        consultation_id=row.consultation_id,
        patient_id=row.patient_id,
        kind=row.kind,
        sha256=row.sha256,
        size=size,
        signed_at=row.signed_at,
        patient_signed_name=row.patient_signed_name,
        practitioner_id=row.practitioner_id,
        supersedes_id=row.supersedes_id,
        created_at=row.created_at,
        document_number=row.document_number,
    )
