"""The treatment sessions of a course: start, record, sign, amend, view.

- **Start** re-screens: the consultation's history updated with the changes since the
  last visit ("any changes since your last visit?"), screened by the same rule table
  with every window counted from the session date. While that screening blocks the
  session's areas (a defer or decline on them, or a clearance still missing) the session
  does not start, unless the practitioner records an override reason (audited).
- **Record** one entry per area: a depth outside the plan's range or an expired lot is
  refused unless the practitioner confirms it, and is then stored flagged.
- **Sign** with the practitioner's ink signature (the consent's ink rule): the record's
  PDF is built and sealed outside the write lock, then stored with its own `SR-`
  number in one transaction; from then on the database refuses any change to the
  session or its entries. A correction is an amendment: a new draft linked to it.
- Every view of a session record is an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from consult.clinic import setup as clinic
from consult.clinical.catalogue import catalogue
from consult.clinical.depths import suggested_depth
from consult.clinical.fileformat import Consultation, HistoryEntry
from consult.clinical.screening import ScreeningResult, screen
from consult.documents import numbers
from consult.documents.gate import needs_clearance, stopped_areas
from consult.documents.ink import require_ink
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.protection.safe_text import check_text
from consult.records.course import EntryInput, SessionRecord, SessionSummary
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consultations
from consult.storage import course as store
from consult.storage.models import Patient as PatientRow
from consult.storage.models.clinical import Consultation as ConsultationRow
from consult.storage.models.course import AdverseEvent, SessionEntry, TreatmentSession
from consult.storage.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from consult.records import StoredSettings

SEAL_REASON = "Signed treatment session record"
MAX_TEXT = 2000
MAX_DEPTH_MM = Decimal("5.0")
NEEDLE_KINDS = ("cartridge", "tip")


@dataclass(frozen=True)
class SessionStart:
    """A session to start: the consultation it follows, its date and areas (all the
    consultation's when empty), the answers to "any changes since your last visit?"
    (history entries as the consultation's history holds them) and, to go on past a
    blocking re-screening, the practitioner's reason."""

    consultation_id: int
    session_date: date
    areas: tuple[str, ...] = ()
    changes: Mapping[str, HistoryEntry] = field(default_factory=dict)
    override_reason: str = ""


# --------------------------------------------------------------------------- start


@use_case("course.start")
def start_session(user: SignedIn, start: SessionStart) -> SessionRecord:
    """A new draft session after the re-screening; refused while it blocks the areas."""
    with transaction(user) as session:
        row = consultations.load(session, start.consultation_id)
        if row.status != "completed":
            raise ConsultError(
                f"consultation {row.id} has no signed consent yet; sign it before sessions"
            )
        if not isinstance(start.session_date, date):
            raise InvalidField("session_date", "must be a date")
        if start.session_date < row.consultation_date:
            raise InvalidField(
                "session_date",
                f"{start.session_date.isoformat()} is before the consultation "
                f"({row.consultation_date.isoformat()})",
            )
        planned = consultations.as_consultation(row, _row_patient(session, row))
        areas = _session_areas(planned, start.areas)
        screening = _rescreen(planned, start.session_date, areas, start.changes)
        reason = _checked_override(user, screening, areas, start.override_reason)
        now = datetime.now(UTC)
        session_row = TreatmentSession(
            patient_id=row.patient_id,
            consultation_id=row.id,
            practitioner_id=user.actor.user_id,
            session_date=start.session_date,
            status="draft",
            areas=list(areas),
            changes=store.history_json(start.changes),
            screening=screening.to_json(),
            override_reason=reason,
            created_at=now,
            updated_at=now,
        )
        session.add(session_row)
        session.flush()
        if reason:
            audit.record(
                session,
                user.actor,
                "screening.override",
                patient_id=row.patient_id,
                detail={"session": session_row.id, "verdict": screening.verdict, "reason": reason},
            )
        audit.record(
            session,
            user.actor,
            "course.start",
            patient_id=row.patient_id,
            detail={
                "session": session_row.id,
                "consultation": row.id,
                "date": start.session_date.isoformat(),
                "verdict": screening.verdict,
                "changes": sorted(start.changes),
            },
        )
        return store.session_record(session, session_row, _planned_depths(planned))


def _row_patient(session: Session, row: ConsultationRow) -> PatientRow:
    from consult.storage import patients

    return patients.load_row(session, row.patient_id)


def _session_areas(planned: Consultation, wanted: tuple[str, ...]) -> tuple[str, ...]:
    in_plan = tuple(request.area for request in planned.areas)
    if not wanted:
        return in_plan
    for area in wanted:
        if area not in in_plan:
            raise InvalidField("areas", f'"{area}" is not in the plan ({", ".join(in_plan)})')
    return tuple(dict.fromkeys(wanted))


def _rescreen(
    planned: Consultation,
    session_date: date,
    areas: tuple[str, ...],
    changes: Mapping[str, HistoryEntry],
) -> ScreeningResult:
    """The rule table on the history updated with the changes, as of the session date."""
    for key, entry in changes.items():
        if not isinstance(entry, HistoryEntry):
            raise InvalidField(f"changes.{key}", "must be a history answer")
        if entry.note is not None:  # checked as a consultation's notes are
            check_text(entry.note, f"changes.{key}.note", multiline=True)
    updated = replace(
        planned,
        consultation_date=session_date,
        areas=tuple(request for request in planned.areas if request.area in areas),
        history={**planned.history, **changes},
    )
    return screen(updated)


def _checked_override(
    user: SignedIn, screening: ScreeningResult, areas: tuple[str, ...], override_reason: str
) -> str | None:
    blocked = stopped_areas(screening, areas)
    clearance = needs_clearance(screening)
    if not blocked and not clearance:
        return None
    reason = (override_reason or "").strip()
    if not reason:
        why = "; ".join(
            finding.message
            for finding in screening.findings
            if finding.severity in ("clearance", "defer", "decline")
        )
        what = (
            f"blocks {', '.join(sorted(blocked))}"
            if blocked
            else "needs a physician's clearance first"
        )
        raise ConsultError(
            f"the re-screening ({screening.verdict}) {what}: {why}; record an override "
            "reason to go ahead"
        )
    if len(reason) > MAX_TEXT:
        raise InvalidField("override_reason", f"is longer than {MAX_TEXT} characters")
    check_text(reason, "override_reason", multiline=True)
    if not user.actor.may("screening.override"):
        raise PermissionDenied(f"{user.username} is not allowed to override the screening")
    return reason


def _planned_depths(planned: Consultation) -> dict[str, tuple[Decimal, Decimal]]:
    """The plan's depth range per area, from the depth table for its concerns."""
    ranges: dict[str, tuple[Decimal, Decimal]] = {}
    for request in planned.areas:
        try:
            depth = suggested_depth(request.area, request.concerns, planned.treatment)
        except ConsultError:
            continue  # an area the depth table does not know has no range to hold to
        ranges[request.area] = (depth.min_mm, depth.max_mm)
    return ranges


def _planned_for(session: Session, row: TreatmentSession) -> dict[str, tuple[Decimal, Decimal]]:
    consultation = consultations.load(session, row.consultation_id)
    return _planned_depths(
        consultations.as_consultation(consultation, _row_patient(session, consultation))
    )


# --------------------------------------------------------------------------- record


def _draft(session: Session, session_id: int) -> TreatmentSession:
    row = store.load_session(session, session_id)
    if row.status != "draft":
        raise ConsultError(
            f"session {row.id} is signed and cannot change; record a correction as an amendment"
        )
    return row


def _touch(row: TreatmentSession) -> None:
    row.updated_at = datetime.now(UTC)


@use_case("course.record_entry")
def record_entry(user: SignedIn, session_id: int, entry: EntryInput) -> SessionRecord:
    """What was done on one area (replacing what a draft held for that area)."""
    with transaction(user) as session:
        row = _draft(session, session_id)
        planned = _planned_for(session, row)
        values = _entry_values(user, session, row, entry, planned)
        for old in store.entries_of(session, row.id):
            if old.area == entry.area:
                session.delete(old)
        session.flush()
        new = SessionEntry(session_id=row.id, created_at=datetime.now(UTC), **values)
        session.add(new)
        _touch(row)
        session.flush()
        audit.record(
            session,
            user.actor,
            "course.record_entry",
            patient_id=row.patient_id,
            detail={
                "session": row.id,
                "area": entry.area,
                "depth_outside_plan": values["depth_outside_plan"],
                "expired_lot": values["expired_lot"],
            },
        )
        return store.session_record(session, row, planned)


def _entry_values(
    user: SignedIn,
    session: Session,
    row: TreatmentSession,
    entry: EntryInput,
    planned: Mapping[str, tuple[Decimal, Decimal]],
) -> dict[str, Any]:
    if not isinstance(entry, EntryInput):
        raise InvalidField("entry", "is missing")
    if entry.area not in row.areas:
        raise InvalidField("area", f'"{entry.area}" is not an area of this session')
    device = store.load_device(session, entry.device_id)
    _check_numbers(entry)
    if device.kind != "rf" and (entry.rf_energy or entry.rf_pulse_ms is not None or entry.rf_tip):
        raise InvalidField("rf_energy", f"{device.name} is a mechanical device, not RF")
    lots = _lots(user, session, row, entry)
    expired = [lot for lot in lots.values() if lot is not None and lot.expiry < row.session_date]
    if expired and not entry.confirm_expired_lot:
        names = ", ".join(
            f"{lot.product} lot {lot.lot_number} (expired {lot.expiry.isoformat()})"
            for lot in expired
        )
        raise InvalidField("confirm_expired_lot", f"{names}: confirm to use it; it is flagged")
    outside = _outside_plan(entry, planned)
    if outside and not entry.confirm_outside_plan:
        low, high = planned[entry.area]
        raise InvalidField(
            "depth_mm",
            f"{entry.depth_mm} mm is outside the plan's {low}–{high} mm for {entry.area}; "
            "confirm to record it; it is flagged",
        )
    return {
        "area": entry.area,
        "device_id": device.id,
        "needle_lot_id": lots["needle_lot"].id if lots["needle_lot"] else None,
        "serum_lot_id": lots["serum_lot"].id if lots["serum_lot"] else None,
        "numbing_lot_id": lots["numbing_lot"].id if lots["numbing_lot"] else None,
        "depth_mm": entry.depth_mm,
        "passes": entry.passes,
        "rf_energy": check_text(entry.rf_energy.strip(), "rf_energy") or None,
        "rf_pulse_ms": entry.rf_pulse_ms,
        "rf_tip": check_text(entry.rf_tip.strip(), "rf_tip") or None,
        "erythema": entry.erythema,
        "pinpoint_bleeding": bool(entry.pinpoint_bleeding),
        "notes": _limited(entry.notes, "notes"),
        "depth_outside_plan": outside,
        "expired_lot": bool(expired),
    }


def _check_numbers(entry: EntryInput) -> None:
    if (
        not isinstance(entry.erythema, int)
        or isinstance(entry.erythema, bool)
        or not (0 <= entry.erythema <= 3)
    ):
        raise InvalidField("erythema", f"{entry.erythema!r} must be 0, 1, 2 or 3")
    if not isinstance(entry.depth_mm, Decimal):
        raise InvalidField("depth_mm", "the depth used, in mm, is required")
    if not (Decimal(0) < entry.depth_mm <= MAX_DEPTH_MM) or entry.depth_mm != round(
        entry.depth_mm, 2
    ):
        raise InvalidField(
            "depth_mm",
            f"{entry.depth_mm} must be over 0 and at most {MAX_DEPTH_MM} mm, in hundredths",
        )
    if entry.passes is not None and (not isinstance(entry.passes, int) or entry.passes < 0):
        raise InvalidField("passes", f"{entry.passes!r} must be a whole number, 0 or more")
    if entry.rf_pulse_ms is not None and (
        not isinstance(entry.rf_pulse_ms, int) or entry.rf_pulse_ms <= 0
    ):
        raise InvalidField("rf_pulse_ms", f"{entry.rf_pulse_ms!r} must be a whole number of ms")
    if len(entry.rf_energy) > 40 or len(entry.rf_tip) > 80:
        raise InvalidField("rf_energy", "the RF settings are too long")


def _lots(
    user: SignedIn, session: Session, row: TreatmentSession, entry: EntryInput
) -> dict[str, Any]:
    """The entry's lots, each found or added (typing a new lot adds it, audited)."""
    wanted = {
        "needle_lot": (entry.needle_lot, NEEDLE_KINDS),
        "serum_lot": (entry.serum_lot, ("serum",)),
        "numbing_lot": (entry.numbing_lot, ("numbing",)),
    }
    found: dict[str, Any] = {}
    for name, (lot, kinds) in wanted.items():
        if lot is None:
            found[name] = None
            continue
        if lot.kind not in kinds:
            raise InvalidField(f"{name}.kind", f'"{lot.kind}" is not one of {", ".join(kinds)}')
        lot_row, added = store.find_or_add_lot(session, lot, name)
        if added:
            audit.record(
                session,
                user.actor,
                "lots.register",
                patient_id=row.patient_id,
                detail={
                    "lot": lot_row.id,
                    "number": lot_row.lot_number,
                    "product": lot_row.product,
                },
            )
        found[name] = lot_row
    return found


def _outside_plan(entry: EntryInput, planned: Mapping[str, tuple[Decimal, Decimal]]) -> bool:
    if entry.area not in planned or entry.depth_mm is None:
        return False
    low, high = planned[entry.area]
    return not (low <= entry.depth_mm <= high)


def _limited(text: str, field_name: str) -> str:
    if not isinstance(text, str):
        raise InvalidField(field_name, "must be text")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidField(field_name, f"is longer than {MAX_TEXT} characters")
    return check_text(text, field_name, multiline=True)


@use_case("course.record_adverse_event")
def record_adverse_event(
    user: SignedIn, session_id: int, happened: str, action_taken: str
) -> SessionRecord:
    """An adverse event and what was done about it (kept, never edited)."""
    happened = _limited(happened, "happened")
    action_taken = _limited(action_taken, "action_taken")
    if not happened:
        raise InvalidField("happened", "say what happened")
    if not action_taken:
        raise InvalidField("action_taken", "say what was done about it")
    with transaction(user) as session:
        row = store.load_session(session, session_id)
        event = AdverseEvent(
            session_id=row.id,
            happened=happened,
            action_taken=action_taken,
            recorded_by=user.actor.user_id,
            recorded_at=datetime.now(UTC),
        )
        session.add(event)
        session.flush()
        audit.record(
            session,
            user.actor,
            "course.adverse_event",
            patient_id=row.patient_id,
            detail={"session": row.id, "event": event.id},
        )
        return store.session_record(session, row, _planned_for(session, row))


# --------------------------------------------------------------------------- sign


@use_case("course.sign")
def sign_session(
    user: SignedIn, session_id: int, practitioner_signature: bytes | None
) -> SessionRecord:
    """Seal the session record with the practitioner's signature; immutable from then on."""
    if practitioner_signature is None:
        raise InvalidField("practitioner_signature", "the practitioner has not signed")
    require_ink(practitioner_signature, "practitioner_signature")
    settings = get_settings(user.database)
    clinic.require_set_up(settings.pricing)
    with transaction(user) as session:
        row = _draft(session, session_id)
        if row.practitioner_id != user.actor.user_id:
            raise InvalidField(
                "practitioner",
                "the practitioner who treated signs the record; sign in as them",
            )
        if not store.entries_of(session, row.id):
            raise ConsultError("record what was done on at least one area before signing")
        record = store.session_record(session, row, _planned_for(session, row))
        amends = (
            store.load_session(session, row.amends_id).document_number if row.amends_id else None
        )
        read_version = row.version
    signed_at = clinic.local_now(settings.pricing)
    number = numbers.new_document_number("session", signed_at.date())
    pdf = _sealed(record, settings, number, practitioner_signature, signed_at, amends)
    return _store_signed(user, session_id, read_version, pdf, number, signed_at)


def _sealed(
    record: SessionRecord,
    settings: StoredSettings,
    number: str,
    signature: bytes,
    signed_at: datetime,
    amends: str | None,
) -> bytes:
    from consult.documents.build import clinic_of
    from consult.documents.certificate import clinic_certificate
    from consult.documents.sealing import seal
    from consult.documents.session import build_session_record

    labels = {area: catalogue().area(area).label for area in record.areas}
    pdf = build_session_record(
        record,
        clinic_of(settings.pricing, settings.logo),
        number,
        area_labels=labels,
        practitioner_signature=signature,
        signed_at=signed_at,
        amends_number=amends,
    )
    return seal(pdf, clinic_certificate(settings.pricing.name), SEAL_REASON).pdf


def _store_signed(
    user: SignedIn, session_id: int, read_version: int, pdf: bytes, number: str, signed_at: datetime
) -> SessionRecord:
    import hashlib

    with transaction(user) as session:
        row = _draft(session, session_id)
        if row.version != read_version:
            raise ConsultError(
                f"session {row.id} changed while it was being sealed; review it and sign again"
            )
        row.status = "signed"
        row.pdf = pdf
        row.sha256 = hashlib.sha256(pdf).hexdigest()
        row.document_number = number
        row.signed_at = signed_at
        _touch(row)
        session.flush()
        audit.record(
            session,
            user.actor,
            "course.sign",
            patient_id=row.patient_id,
            detail={"session": row.id, "number": number, "sha256": row.sha256},
        )
        return store.session_record(session, row, _planned_for(session, row))


@use_case("course.amend")
def amend_session(user: SignedIn, session_id: int, reason: str) -> SessionRecord:
    """A new draft correcting a signed session (which stays as it was), linked to it."""
    reason = _limited(reason, "reason")
    if not reason:
        raise InvalidField("reason", "say what the amendment corrects")
    with transaction(user) as session:
        original = store.load_session(session, session_id)
        if original.status != "signed":
            raise ConsultError(f"session {original.id} is a draft; change it directly")
        now = datetime.now(UTC)
        row = TreatmentSession(
            patient_id=original.patient_id,
            consultation_id=original.consultation_id,
            practitioner_id=user.actor.user_id,
            session_date=original.session_date,
            status="draft",
            areas=list(original.areas),
            changes=dict(original.changes or {}),
            screening=dict(original.screening or {}),
            override_reason=original.override_reason,
            amends_id=original.id,
            amendment_reason=reason,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        for entry in store.entries_of(session, original.id):
            copied = {
                column.key: getattr(entry, column.key)
                for column in SessionEntry.__table__.columns
                if column.key not in ("id", "session_id", "created_at")
            }
            session.add(SessionEntry(session_id=row.id, created_at=now, **copied))
        session.flush()
        audit.record(
            session,
            user.actor,
            "course.amend",
            patient_id=row.patient_id,
            detail={"session": row.id, "amends": original.id, "reason": reason},
        )
        return store.session_record(session, row, _planned_for(session, row))


# --------------------------------------------------------------------------- views


@use_case("course.open")
def open_session(user: SignedIn, session_id: int) -> SessionRecord:
    """One session record (audited: every view of a session record is)."""
    with transaction(user) as session:
        row = store.load_session(session, session_id)
        audit.record(
            session,
            user.actor,
            "course.view",
            patient_id=row.patient_id,
            detail={"session": row.id},
        )
        return store.session_record(session, row, _planned_for(session, row))


@use_case("course.list")
def list_sessions(user: SignedIn, patient_id: int) -> tuple[SessionSummary, ...]:
    """The patient's sessions, newest first (audited)."""
    with transaction(user) as session:
        found = store.summaries(session, patient_id)
        audit.record(
            session,
            user.actor,
            "course.list",
            patient_id=patient_id,
            detail={"results": len(found)},
        )
        return tuple(found)


@use_case("course.pdf")
def session_pdf(user: SignedIn, session_id: int) -> bytes:
    """The sealed PDF of a signed session, checked against its stored fingerprint."""
    import hashlib

    with transaction(user) as session:
        row = store.load_session(session, session_id)
        if row.pdf is None or row.sha256 is None:
            raise ConsultError(f"session {row.id} is not signed yet; it has no sealed record")
        if hashlib.sha256(row.pdf).hexdigest() != row.sha256:
            raise ConsultError(
                f"session {row.id}'s record does not match its fingerprint; it was altered"
            )
        audit.record(
            session,
            user.actor,
            "course.view_pdf",
            patient_id=row.patient_id,
            detail={"session": row.id, "number": row.document_number},
        )
        return row.pdf


# --------------------------------------------------------------------------- the patient's paper

HANDOUT_DOCUMENTS = ("aftercare", "session_record")
HANDOUT_WAYS = ("print", "save")


@use_case("course.aftercare")
def aftercare_pdf(user: SignedIn, session_id: int) -> bytes:
    """The patient's aftercare sheet for a signed session, with the next appointment."""
    from datetime import time, timedelta

    from consult.documents.aftercare import AftercareInput, build_aftercare
    from consult.documents.build import clinic_of
    from consult.storage import patients

    settings = get_settings(user.database)
    clinic.require_set_up(settings.pricing)
    zone = clinic.zone_of(settings.pricing)
    with transaction(user) as session:
        row = store.load_session(session, session_id)
        if row.status != "signed":
            raise ConsultError(
                f"session {row.id} is not signed yet; sign it before handing out its aftercare"
            )
        day_after = datetime.combine(row.session_date + timedelta(days=1), time(0, 0), zone)
        booking = store.next_open_booking(session, row.patient_id, day_after)
        sheet = AftercareInput(
            patient_name=patients.load_row(session, row.patient_id).name,
            session_date=row.session_date,
            areas=tuple(_area_label(area) for area in row.areas),
            next_appointment=booking.starts_at.astimezone(zone) if booking else None,
            sheet_id=f"AC-{row.session_date:%Y%m%d}-{row.id}",
        )
        audit.record(
            session,
            user.actor,
            "course.aftercare",
            patient_id=row.patient_id,
            detail={"session": row.id, "next_booking": booking.id if booking else None},
        )
    return build_aftercare(sheet, clinic_of(settings.pricing, settings.logo))


def _area_label(area: str) -> str:
    try:
        return catalogue().area(area).label
    except KeyError:
        return area


@use_case("course.handout")
def record_handout(
    user: SignedIn, session_id: int, document: str, way: str, file_name: str = ""
) -> int:
    """Audit a session's paper leaving the app (printed, or saved to a file) before it does."""
    if document not in HANDOUT_DOCUMENTS:
        raise InvalidField("document", f'"{document}" is not one of {", ".join(HANDOUT_DOCUMENTS)}')
    if way not in HANDOUT_WAYS:
        raise InvalidField("way", f'"{way}" is not one of {", ".join(HANDOUT_WAYS)}')
    with transaction(user) as session:
        row = store.load_session(session, session_id)
        detail: dict[str, Any] = {"session": row.id, "document": document}
        if file_name:
            detail["file"] = _limited(file_name, "file_name")
        return audit.record(
            session,
            user.actor,
            "course.print" if way == "print" else "course.save",
            patient_id=row.patient_id,
            detail=detail,
        )
