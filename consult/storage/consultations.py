"""Consultations: a draft saved as it is typed, then completed; read back as consult/1.

A consultation holds the medical history, so reading one needs `consultation.read`
and `history.read` (reception has neither), and writing needs `consultation.write`.
Every save names the version it started from (optimistic locking): two workstations
editing one draft cannot overwrite each other. Each view and save is audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.access import Actor, require
from consult.clinical import fileformat
from consult.clinical.fileformat import AreaRequest, Consultation, HistoryEntry
from consult.errors import ConsultError, InvalidField
from consult.protection.safe_text import check_text
from consult.records.consultations import ConsultationRecord, ConsultationSummary
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.locking import check_version, flush_or_stale
from consult.storage.models.clinical import Consultation as ConsultationRow
from consult.storage.patients import load_row

_ENTRY_KEYS = ("status", "date", "areas", "note")
MAX_OVERRIDE_REASON = 2000


class ScreeningLike(Protocol):
    """What is stored of a screening: consult.clinical.screening.ScreeningResult."""

    @property
    def verdict(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...


# --------------------------------------------------------------------------- reading


def get_consultation(db: Database, actor: Actor, consultation_id: int) -> ConsultationRecord:
    require(actor, "consultation.read")
    require(actor, "history.read")
    with db.Session.begin() as session:
        row = load(session, consultation_id)
        audit.record(
            session,
            actor,
            "consultation.view",
            patient_id=row.patient_id,
            detail={"consultation": row.id},
        )
        return to_record(session, row)


def list_for_patient(db: Database, actor: Actor, patient_id: int) -> list[ConsultationSummary]:
    """The patient's consultations, newest first."""
    require(actor, "consultation.read")
    with db.Session.begin() as session:
        load_row(session, patient_id)
        rows = session.scalars(
            select(ConsultationRow)
            .where(ConsultationRow.patient_id == patient_id)
            .order_by(ConsultationRow.consultation_date.desc(), ConsultationRow.id.desc())
        )
        found = [_summary(row) for row in rows]
        audit.record(
            session,
            actor,
            "consultation.list",
            patient_id=patient_id,
            detail={"results": len(found)},
        )
        return found


def load(session: Session, consultation_id: int) -> ConsultationRow:
    row = session.get(ConsultationRow, consultation_id)
    if row is None:
        raise ConsultError(f"consultation {consultation_id} does not exist")
    return row


def to_record(session: Session, row: ConsultationRow) -> ConsultationRecord:
    patient = load_row(session, row.patient_id)
    return ConsultationRecord(
        id=row.id,
        patient_id=row.patient_id,
        practitioner_id=row.practitioner_id,
        status=row.status,
        consultation=as_consultation(row, patient),
        screening_verdict=row.screening_verdict,
        screening=row.screening,
        override_reason=row.override_reason,
        draft_step=row.draft_step,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _summary(row: ConsultationRow) -> ConsultationSummary:
    return ConsultationSummary(
        id=row.id,
        patient_id=row.patient_id,
        practitioner_id=row.practitioner_id,
        consultation_date=row.consultation_date,
        treatment=row.treatment,
        status=row.status,
        screening_verdict=row.screening_verdict,
        updated_at=row.updated_at,
        version=row.version,
    )


# --------------------------------------------------------------------------- consult/1


def as_consultation(row: ConsultationRow, patient: Any) -> Consultation:
    """The stored consultation as a consult/1 `Consultation`."""
    extra = row.extra or {}
    return Consultation(
        consultation_date=row.consultation_date,
        patient=fileformat.Patient(
            patient.name,
            patient.date_of_birth,
            patient.fitzpatrick,
            patient.email,
            patient.phone,
            dict(extra.get("patient", {})),
        ),
        treatment=row.treatment,
        areas=tuple(
            AreaRequest(item["area"], tuple(item.get("concerns", ()))) for item in row.areas
        ),
        history=history_from_json(row.history),
        extra=dict(extra.get("document", {})),
    )


def history_from_json(value: Mapping[str, Any]) -> dict[str, HistoryEntry]:
    """History as consult/1 writes it (stored by `fileformat.to_dict`) back to entries."""
    history: dict[str, HistoryEntry] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            history[key] = HistoryEntry(present=item, as_flag=True)
            continue
        history[key] = HistoryEntry(
            present=True,
            status=item.get("status"),
            date=date.fromisoformat(item["date"]) if item.get("date") else None,
            areas=tuple(item.get("areas", ())),
            note=item.get("note"),
            extra={k: v for k, v in item.items() if k not in _ENTRY_KEYS},
        )
    return history


def _columns(consultation: Consultation) -> dict[str, Any]:
    """The row's columns for a consult/1 consultation (the patient row is separate)."""
    if consultation.treatment not in _treatments():
        raise InvalidField("treatment", f'"{consultation.treatment}" is not a treatment')
    for key, entry in consultation.history.items():
        if entry.note is not None:
            check_text(entry.note, f"history.{key}.note", multiline=True)
    document = fileformat.to_dict(consultation)
    extra = {"document": dict(consultation.extra), "patient": dict(consultation.patient.extra)}
    columns = {
        "consultation_date": consultation.consultation_date,
        "treatment": consultation.treatment,
        "areas": document["areas"],
        "history": document["history"],
        "extra": extra,
    }
    for key in ("areas", "history", "extra"):
        _require_json(columns[key], key)
    return columns


def _treatments() -> Mapping[str, str]:
    from consult.clinical.catalogue import catalogue

    return catalogue().treatments


def _require_json(value: Any, name: str) -> None:
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidField(name, f"cannot be stored ({exc})") from None


# --------------------------------------------------------------------------- writing


def create_draft(
    db: Database,
    actor: Actor,
    patient_id: int,
    consultation: Consultation,
    *,
    step: int = 0,
    practitioner_id: int | None = None,
) -> ConsultationRecord:
    """Start a consultation for a stored patient; it is saved as a draft from the start."""
    require(actor, "consultation.write")
    with db.Session.begin() as session:
        row = add_consultation(
            session, actor, patient_id, consultation, step=step, practitioner_id=practitioner_id
        )
        return to_record(session, row)


def add_consultation(
    session: Session,
    actor: Actor,
    patient_id: int,
    consultation: Consultation,
    *,
    step: int = 0,
    practitioner_id: int | None = None,
    status: str = "draft",
) -> ConsultationRow:
    """Insert a consultation inside an open transaction (and audit it)."""
    load_row(session, patient_id)
    now = datetime.now(UTC)
    row = ConsultationRow(
        patient_id=patient_id,
        practitioner_id=practitioner_id if practitioner_id is not None else actor.user_id,
        status=status,
        draft_step=_step(step),
        created_at=now,
        updated_at=now,
        **_columns(consultation),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.create",
        patient_id=patient_id,
        detail={"consultation": row.id},
    )
    return row


def save_draft(
    db: Database,
    actor: Actor,
    consultation_id: int,
    *,
    expected_version: int,
    consultation: Consultation,
    step: int | None = None,
    override_reason: str | None = None,
    screening: ScreeningLike | None = None,
) -> int:
    """Save the draft as it stands now; returns its new version for the next save."""
    require(actor, "consultation.write")
    with db.Session.begin() as session:
        row = _editable(session, actor, consultation_id, expected_version)
        _update(session, actor, row, consultation, step, override_reason, screening)
        audit.record(
            session,
            actor,
            "consultation.save_draft",
            patient_id=row.patient_id,
            detail={"consultation": row.id, "version": row.version},
        )
        return row.version


def complete(
    db: Database,
    actor: Actor,
    consultation_id: int,
    *,
    expected_version: int,
    consultation: Consultation | None = None,
    override_reason: str | None = None,
    screening: ScreeningLike | None = None,
) -> int:
    """Mark the consultation completed (after a last save of its content, if given)."""
    with db.Session.begin() as session:
        row = load(session, consultation_id)
        complete_row(
            session,
            actor,
            row,
            expected_version=expected_version,
            consultation=consultation,
            override_reason=override_reason,
            screening=screening,
        )
        return row.version


def complete_row(
    session: Session,
    actor: Actor,
    row: ConsultationRow,
    *,
    expected_version: int,
    consultation: Consultation | None = None,
    override_reason: str | None = None,
    screening: ScreeningLike | None = None,
) -> ConsultationRow:
    """Complete a loaded draft inside an open transaction (and audit it)."""
    require(actor, "consultation.write")
    _check_editable(session, actor, row, expected_version)
    if consultation is not None or override_reason is not None or screening is not None:
        _update(session, actor, row, consultation, None, override_reason, screening)
    if not row.areas:
        raise InvalidField("areas", "choose at least one area before completing")
    row.status = "completed"
    row.updated_at = datetime.now(UTC)
    flush_or_stale(session, f"consultation {row.id}")
    audit.record(
        session,
        actor,
        "consultation.complete",
        patient_id=row.patient_id,
        detail={"consultation": row.id, "verdict": row.screening_verdict},
    )
    return row


def _editable(
    session: Session, actor: Actor, consultation_id: int, expected_version: int
) -> ConsultationRow:
    row = load(session, consultation_id)
    _check_editable(session, actor, row, expected_version)
    return row


def _check_editable(
    session: Session, actor: Actor, row: ConsultationRow, expected_version: int
) -> None:
    check_version(
        row.version,
        expected_version,
        f"consultation {row.id}",
        partial(
            audit.last_author, session, actor, action_prefix="consultation.",
            patient_id=row.patient_id, detail_key="consultation", record_id=row.id,
        ),
    )
    if row.status != "draft":
        raise ConsultError(
            f"consultation {row.id} is completed and can no longer be changed; "
            "start a new consultation instead"
        )


def _update(
    session: Session,
    actor: Actor,
    row: ConsultationRow,
    consultation: Consultation | None,
    step: int | None,
    override_reason: str | None,
    screening: ScreeningLike | None,
) -> None:
    if consultation is not None:
        for key, value in _columns(consultation).items():
            setattr(row, key, value)
    if step is not None:
        row.draft_step = _step(step)
    if override_reason is not None:
        row.override_reason = _override_reason(actor, override_reason)
    if screening is not None:
        result = screening.to_json()
        _require_json(result, "screening")
        row.screening_verdict = screening.verdict
        row.screening = result
    row.updated_at = datetime.now(UTC)
    flush_or_stale(session, f"consultation {row.id}")


def _override_reason(actor: Actor, reason: str) -> str | None:
    text = check_text(reason, "override_reason", multiline=True).strip()
    if not text:
        return None
    require(actor, "screening.override")
    if len(text) > MAX_OVERRIDE_REASON:
        raise InvalidField("override_reason", f"is longer than {MAX_OVERRIDE_REASON} characters")
    return text


def _step(step: int) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= 100:
        raise InvalidField("draft_step", f"{step!r} must be a whole number from 0 to 100")
    return step
