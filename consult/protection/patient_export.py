"""Everything the clinic holds about one patient, in one zip (a subject access request).

    export_patient(db, actor, patient_id, "ana-souza.zip")

The zip holds:

    manifest.json                 who exported what and when; every file's SHA-256
    patient.json                  contact details
    consultations/<id>.json       each consultation as a consult/1 file
    consultations/index.json      the app's own details (status, screening, override)
    quotes/<id>.json              each quote with its lines (money as exact strings)
    consents/<id>-<kind>.pdf      the signed PDFs exactly as stored
    consents/index.json           their details and the SHA-256 recorded at signing
    consents/SHA256SUMS           `sha256sum -c` checks the PDFs
    sessions/<id>.json            each treatment session: entries, lots, adverse events,
                                  the re-screening's answers and verdict, amendment links
    sessions/<id>-<number>.pdf    each signed session's sealed record exactly as stored
    sessions/SHA256SUMS           `sha256sum -c` checks those PDFs
    bookings.json                 the patient's bookings (times in UTC, as stored)
    photos/<id>.jpg               before/after photographs as stored (hidden ones too:
                                  they are the patient's data, kept after a withdrawal)
    photos/index.json             what each shows (area, view, before/after, date, session)
    photos/SHA256SUMS             `sha256sum -c` checks the photos
    audit-events.json             every audit event about this patient

It is read in one transaction, so it is one consistent moment of the record, and it
is selected by the patient's id alone, never by name, so a patient with a similar
name can never leak in. The export itself is audited (`patient.export`).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consult import __version__
from consult.access import Actor, require
from consult.clinical import fileformat
from consult.protection.files import publish, temporary_beside
from consult.storage import audit, consultations, course, patients, quotes
from consult.storage.db import Database
from consult.storage.models import AuditEvent
from consult.storage.models.clinical import ConsentRecord
from consult.storage.models.clinical import Consultation as ConsultationRow
from consult.storage.models.clinical import Quote as QuoteRow
from consult.storage.models.course import Booking, TreatmentSession
from consult.storage.models.photos import Photo

EXPORT_FORMAT = "consult-patient-export/1"
PERMISSION = "patient.export"


@dataclass(frozen=True)
class ExportReport:
    file: Path
    sha256: str
    consultations: int
    quotes: int
    consents: int
    audit_events: int
    sessions: int = 0
    bookings: int = 0
    photos: int = 0


def export_patient(
    db: Database, actor: Actor, patient_id: int, zip_path: str | Path
) -> ExportReport:
    """Write the patient's complete record to `zip_path` (atomically) and audit it."""
    require(actor, PERMISSION)
    target = Path(zip_path)
    with temporary_beside(target) as temporary:
        with db.Session.begin() as session:
            files, counts = _collect(session, patient_id)
            files["manifest.json"] = _manifest(actor, patient_id, files)
            _write_zip(files, temporary)
            digest = hashlib.sha256(temporary.read_bytes()).hexdigest()
            # Same transaction as the read: the audit event names exactly this snapshot.
            audit.record(
                session,
                actor,
                "patient.export",
                patient_id=patient_id,
                detail={"file": target.name, "sha256": digest, **counts},
            )
        # Only once the export is on record may the file appear.
        publish(temporary, target)
    return ExportReport(target, digest, **counts)


# --------------------------------------------------------------------------- reading


def _collect(session: Session, patient_id: int) -> tuple[dict[str, bytes], dict[str, int]]:
    """The export's files by name, and how many of each kind of record they hold."""
    patient = patients.to_record(patients.load_row(session, patient_id))
    files: dict[str, bytes] = {"patient.json": _json(asdict(patient))}
    counts: dict[str, int] = {}
    for kind, collector in (
        ("consultations", _consultation_files),
        ("quotes", _quote_files),
        ("consents", _consent_files),
        ("sessions", _session_files),
        ("bookings", _booking_files),
        ("photos", _photo_files),
    ):
        found, counts[kind] = collector(session, patient_id)
        files.update(found)
    events = _audit_events(session, patient_id)
    files["audit-events.json"] = _json(events)
    counts["audit_events"] = len(events)
    return files, counts


def _consultation_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    rows = session.scalars(
        select(ConsultationRow)
        .where(ConsultationRow.patient_id == patient_id)
        .order_by(ConsultationRow.id)
    )
    files: dict[str, bytes] = {}
    index = []
    for row in rows:
        record = consultations.to_record(session, row)
        files[f"consultations/{record.id}.json"] = fileformat.dumps(record.consultation).encode()
        details = asdict(record)
        del details["consultation"]  # it is the consult/1 file beside this index
        index.append(details)
    if index:
        files["consultations/index.json"] = _json(index)
    return files, len(index)


def _quote_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    rows = session.scalars(
        select(QuoteRow)
        .where(QuoteRow.patient_id == patient_id)
        .options(selectinload(QuoteRow.lines))
        .order_by(QuoteRow.id)
    )
    files = {f"quotes/{row.id}.json": _json(asdict(quotes.to_record(row))) for row in rows}
    return files, len(files)


def _consent_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    rows = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.patient_id == patient_id)
        .order_by(ConsentRecord.id)
    )
    files: dict[str, bytes] = {}
    index = []
    sums = []
    for row in rows:
        name = f"{row.id}-{row.kind}.pdf"
        actual = hashlib.sha256(row.pdf).hexdigest()
        files[f"consents/{name}"] = row.pdf
        sums.append(f"{actual}  {name}\n")
        index.append(
            {
                "file": name,
                "id": row.id,
                "consultation_id": row.consultation_id,
                "kind": row.kind,
                "sha256_at_signing": row.sha256,
                # Exported as stored, with the truth said: a mismatch means the stored
                # bytes were altered after signing.
                "matches_sha256_at_signing": actual == row.sha256,
                "signed_at": row.signed_at,
                "patient_signed_name": row.patient_signed_name,
                "practitioner_id": row.practitioner_id,
                "supersedes_id": row.supersedes_id,
                "created_at": row.created_at,
            }
        )
    if index:
        files["consents/index.json"] = _json(index)
        files["consents/SHA256SUMS"] = "".join(sums).encode()
    return files, len(index)


def _session_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    """Each session as JSON (with what the patient answered at its re-screening) and each
    signed one's sealed PDF as stored, with a checksum list like the consents'."""
    rows = session.scalars(
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(TreatmentSession.id)
    ).all()
    files: dict[str, bytes] = {}
    sums = []
    for row in rows:
        details = asdict(course.session_record(session, row, {}))
        # The answers themselves, not only which questions changed.
        details["changes_answers"] = row.changes or {}
        details["screening"] = row.screening or {}
        if row.pdf is not None:
            name = f"{row.id}-{row.document_number}.pdf"
            actual = hashlib.sha256(row.pdf).hexdigest()
            files[f"sessions/{name}"] = row.pdf
            sums.append(f"{actual}  {name}\n")
            details["pdf"] = name
            details["matches_sha256_at_signing"] = actual == row.sha256
        files[f"sessions/{row.id}.json"] = _json(details)
    if sums:
        files["sessions/SHA256SUMS"] = "".join(sums).encode()
    return files, len(rows)


def _booking_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    rows = session.scalars(
        select(Booking).where(Booking.patient_id == patient_id).order_by(Booking.starts_at)
    ).all()
    if not rows:
        return {}, 0
    found = [
        {
            "id": row.id,
            "consultation_id": row.consultation_id,
            "practitioner_id": row.practitioner_id,
            "session_number": row.session_number,
            "starts_at": row.starts_at,
            "status": row.status,
            "waits_for_clearance": row.waits_for_clearance,
        }
        for row in rows
    ]
    return {"bookings.json": _json(found)}, len(found)
def _photo_files(session: Session, patient_id: int) -> tuple[dict[str, bytes], int]:
    rows = session.scalars(
        select(Photo).where(Photo.patient_id == patient_id).order_by(Photo.id)
    )
    files: dict[str, bytes] = {}
    index = []
    sums = []
    for row in rows:
        name = f"{row.id}.jpg"
        files[f"photos/{name}"] = row.image
        sums.append(f"{row.sha256}  {name}\n")
        index.append(
            {
                "file": name,
                "id": row.id,
                "consultation_id": row.consultation_id,
                "session_id": row.session_id,
                "area": row.area,
                "view": row.view,
                "stage": row.stage,
                "taken_on": row.taken_on,
                "width": row.width,
                "height": row.height,
                "sha256": row.sha256,
                "imported_at": row.imported_at,
            }
        )
    if index:
        files["photos/index.json"] = _json(index)
        files["photos/SHA256SUMS"] = "".join(sums).encode()
    return files, len(index)


def _audit_events(session: Session, patient_id: int) -> list[dict[str, Any]]:
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
    )
    return [
        {
            "id": event.id,
            "at": event.at,
            "username": event.username,
            "workstation": event.workstation,
            "action": event.action,
            "outcome": event.outcome,
            "detail": json.loads(event.detail),
        }
        for event in events
    ]


# --------------------------------------------------------------------------- writing


def _manifest(actor: Actor, patient_id: int, files: dict[str, bytes]) -> bytes:
    return _json(
        {
            "format": EXPORT_FORMAT,
            "patient_id": patient_id,
            "exported_at": datetime.now(UTC),
            "exported_by": actor.username,
            "workstation": actor.workstation,
            "consult_version": __version__,
            "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
        }
    )


def _write_zip(files: dict[str, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=_plain) + "\n").encode()


def _plain(value: Any) -> Any:
    """Dates as ISO 8601, money as exact decimal strings (never a float)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the export")
