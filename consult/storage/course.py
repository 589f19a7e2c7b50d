"""Devices, product lots, treatment sessions and bookings: rows in, frozen records out.

Only consult.services calls these, inside the use case's one transaction; they check
what the database alone cannot (a lot typed twice is one lot, a session's entries name
a device that exists) and build the records of consult.records. Permission checks and
audit events are the services' part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import distinct, func, select, union_all
from sqlalchemy.orm import Session

from consult.clinical import fileformat
from consult.clinical.fileformat import HistoryEntry
from consult.errors import ConsultError, InvalidField
from consult.protection.safe_text import check_text
from consult.records.course import (
    AdverseEventRecord,
    BookingRecord,
    DeviceRecord,
    LotInput,
    LotRecord,
    RecallHit,
    SessionEntryRecord,
    SessionRecord,
    SessionSummary,
)
from consult.storage.models import Patient, User
from consult.storage.models.course import (
    DEVICE_KINDS,
    LOT_KINDS,
    AdverseEvent,
    Booking,
    Device,
    ProductLot,
    SessionEntry,
    TreatmentSession,
)

MAX_NAME = 200
MAX_LOT_NUMBER = 80
MAX_SERIAL = 100


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field, "is required")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidField(field, f"is longer than {limit} characters")
    return check_text(text, field)  # printed on recall lists; PostgreSQL refuses a NUL


# --------------------------------------------------------------------------- devices


def add_device(session: Session, name: str, kind: str, serial: str) -> Device:
    name = _text(name, "device.name", MAX_NAME)
    serial = _text(serial, "device.serial", MAX_SERIAL)
    if kind not in DEVICE_KINDS:
        raise InvalidField("device.kind", f'"{kind}" is not one of {", ".join(DEVICE_KINDS)}')
    existing = session.scalar(select(Device).where(Device.name == name, Device.serial == serial))
    if existing is not None:
        raise InvalidField("device.serial", f"{name} with serial {serial} is already registered")
    row = Device(name=name, kind=kind, serial=serial, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row


def load_device(session: Session, device_id: int) -> Device:
    row = session.get(Device, device_id) if isinstance(device_id, int) else None
    if row is None:
        raise InvalidField("device", f"device {device_id} is not in the clinic's device list")
    return row


def all_devices(session: Session) -> list[Device]:
    return list(session.scalars(select(Device).order_by(Device.name, Device.serial)))


def device_record(row: Device) -> DeviceRecord:
    return DeviceRecord(row.id, row.name, row.kind, row.serial)


# --------------------------------------------------------------------------- lots


def checked_lot(lot: LotInput, field: str = "lot") -> LotInput:
    """`lot` with its text tidied, or InvalidField naming what is wrong."""
    if lot.kind not in LOT_KINDS:
        raise InvalidField(f"{field}.kind", f'"{lot.kind}" is not one of {", ".join(LOT_KINDS)}')
    if not isinstance(lot.expiry, date):
        raise InvalidField(f"{field}.expiry", "must be a date")
    return LotInput(
        maker=_text(lot.maker, f"{field}.maker", MAX_NAME),
        product=_text(lot.product, f"{field}.product", MAX_NAME),
        kind=lot.kind,
        lot_number=_text(lot.lot_number, f"{field}.lot_number", MAX_LOT_NUMBER),
        expiry=lot.expiry,
    )


def find_or_add_lot(session: Session, lot: LotInput, field: str = "lot") -> tuple[ProductLot, bool]:
    """The stored lot (maker, product, lot number) or a new one; True when it was added.

    A lot typed again with another expiry or kind is refused: the same lot of the same
    product cannot expire on two dates, and a silent choice would mislead a recall.
    """
    lot = checked_lot(lot, field)
    row = session.scalar(
        select(ProductLot).where(
            ProductLot.maker == lot.maker,
            ProductLot.product == lot.product,
            ProductLot.lot_number == lot.lot_number,
        )
    )
    if row is not None:
        if row.expiry != lot.expiry or row.kind != lot.kind:
            raise InvalidField(
                f"{field}.expiry",
                f"lot {lot.lot_number} of {lot.maker} {lot.product} is registered as a "
                f"{row.kind} expiring {row.expiry.isoformat()}, not a {lot.kind} expiring "
                f"{lot.expiry.isoformat()}",
            )
        return row, False
    row = ProductLot(
        maker=lot.maker,
        product=lot.product,
        kind=lot.kind,
        lot_number=lot.lot_number,
        expiry=lot.expiry,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row, True


def lot_record(row: ProductLot, sessions_used: int = 0) -> LotRecord:
    return LotRecord(
        row.id, row.maker, row.product, row.kind, row.lot_number, row.expiry, sessions_used
    )


def _lot_uses() -> Any:
    """(session_id, lot_id) for every lot an entry names, in any of its three columns."""
    parts = [
        select(SessionEntry.session_id, column.label("lot_id")).where(column.is_not(None))
        for column in (
            SessionEntry.needle_lot_id,
            SessionEntry.serum_lot_id,
            SessionEntry.numbing_lot_id,
        )
    ]
    return union_all(*parts).subquery("lot_uses")


def lots_with_use(session: Session) -> list[LotRecord]:
    uses = _lot_uses()
    counts = (
        select(uses.c.lot_id, func.count(distinct(uses.c.session_id)).label("used"))
        .group_by(uses.c.lot_id)
        .subquery("counts")
    )
    rows = session.execute(
        select(ProductLot, func.coalesce(counts.c.used, 0))
        .outerjoin(counts, counts.c.lot_id == ProductLot.id)
        .order_by(ProductLot.product, ProductLot.lot_number, ProductLot.maker)
    )
    return [lot_record(row, int(used)) for row, used in rows]


def recall(session: Session, lot_number: str, product: str | None) -> list[RecallHit]:
    """Every session whose entries used a lot with this number (and product, if given)."""
    number = _text(lot_number, "lot", MAX_LOT_NUMBER)
    query = select(ProductLot).where(func.lower(ProductLot.lot_number) == number.casefold())
    if product is not None:
        wanted = _text(product, "product", MAX_NAME)
        query = query.where(func.lower(ProductLot.product) == wanted.casefold())
    lots = {row.id: row for row in session.scalars(query)}
    if not lots:
        return []
    uses = _lot_uses()
    session_ids = session.scalars(
        select(uses.c.session_id).where(uses.c.lot_id.in_(list(lots))).distinct()
    ).all()
    rows = session.scalars(
        select(TreatmentSession)
        .where(TreatmentSession.id.in_(list(session_ids)))
        .order_by(TreatmentSession.session_date, TreatmentSession.id)
    ).all()
    return [_recall_hit(session, row, lots) for row in rows]


def _recall_hit(
    session: Session, row: TreatmentSession, lots: Mapping[int, ProductLot]
) -> RecallHit:
    entries = _entries(session, row.id)
    used: set[int] = {
        lot_id
        for entry in entries
        for lot_id in (entry.needle_lot_id, entry.serum_lot_id, entry.numbing_lot_id)
        if lot_id is not None and lot_id in lots
    }
    devices = {entry.device_id: load_device(session, entry.device_id) for entry in entries}
    return RecallHit(
        session_id=row.id,
        patient_id=row.patient_id,
        patient_name=_patient(session, row.patient_id).name,
        session_date=row.session_date,
        practitioner=_user_name(session, row.practitioner_id),
        areas=tuple(dict.fromkeys(entry.area for entry in entries)),
        devices=tuple(f"{device.name} ({device.serial})" for device in devices.values()),
        lots=tuple(
            f"{lots[lot_id].maker} {lots[lot_id].product} lot {lots[lot_id].lot_number}"
            for lot_id in sorted(used)
        ),
        status=row.status,
        document_number=row.document_number,
        amends_id=row.amends_id,
    )


# --------------------------------------------------------------------------- sessions


def history_json(changes: Mapping[str, HistoryEntry]) -> dict[str, Any]:
    """The changed history entries as consult/1 writes them (procedure kinds included)."""
    return fileformat.history_out(changes)


def load_session(session: Session, session_id: int) -> TreatmentSession:
    row = session.get(TreatmentSession, session_id) if isinstance(session_id, int) else None
    if row is None:
        raise ConsultError(f"session {session_id} does not exist")
    return row


def _entries(session: Session, session_id: int) -> list[SessionEntry]:
    return list(
        session.scalars(
            select(SessionEntry)
            .where(SessionEntry.session_id == session_id)
            .order_by(SessionEntry.id)
        )
    )


def entries_of(session: Session, session_id: int) -> list[SessionEntry]:
    return _entries(session, session_id)


def adverse_events_of(session: Session, session_id: int) -> list[AdverseEvent]:
    return list(
        session.scalars(
            select(AdverseEvent)
            .where(AdverseEvent.session_id == session_id)
            .order_by(AdverseEvent.id)
        )
    )


def _patient(session: Session, patient_id: int) -> Patient:
    row = session.get(Patient, patient_id)
    if row is None:
        raise ConsultError(f"patient {patient_id} does not exist")
    return row


def _user_name(session: Session, user_id: int | None) -> str:
    row = session.get(User, user_id) if user_id is not None else None
    return row.full_name if row is not None else ""


def _lot(session: Session, lot_id: int | None) -> LotRecord | None:
    if lot_id is None:
        return None
    row = session.get(ProductLot, lot_id)
    return lot_record(row) if row is not None else None


def session_record(
    session: Session, row: TreatmentSession, planned: Mapping[str, tuple[Any, Any]]
) -> SessionRecord:
    """The whole session; `planned` maps an area to the plan's (min, max) depth in mm."""
    screening = row.screening or {}
    entries = tuple(
        SessionEntryRecord(
            id=entry.id,
            area=entry.area,
            device=device_record(load_device(session, entry.device_id)),
            needle_lot=_lot(session, entry.needle_lot_id),
            depth_mm=entry.depth_mm,
            planned_min_mm=planned.get(entry.area, (None, None))[0],
            planned_max_mm=planned.get(entry.area, (None, None))[1],
            passes=entry.passes,
            rf_energy=entry.rf_energy or "",
            rf_pulse_ms=entry.rf_pulse_ms,
            rf_tip=entry.rf_tip or "",
            serum_lot=_lot(session, entry.serum_lot_id),
            numbing_lot=_lot(session, entry.numbing_lot_id),
            erythema=entry.erythema,
            pinpoint_bleeding=entry.pinpoint_bleeding,
            notes=entry.notes,
            depth_outside_plan=entry.depth_outside_plan,
            expired_lot=entry.expired_lot,
        )
        for entry in _entries(session, row.id)
    )
    events = tuple(
        AdverseEventRecord(
            event.id,
            event.happened,
            event.action_taken,
            _user_name(session, event.recorded_by),
            event.recorded_at,
        )
        for event in adverse_events_of(session, row.id)
    )
    return SessionRecord(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=_patient(session, row.patient_id).name,
        consultation_id=row.consultation_id,
        session_date=row.session_date,
        practitioner_id=row.practitioner_id,
        practitioner=_user_name(session, row.practitioner_id),
        status=row.status,
        areas=tuple(row.areas),
        changes=tuple(row.changes or {}),
        verdict=str(screening.get("verdict", "")),
        findings=tuple(
            str(finding.get("message", "")) for finding in screening.get("findings", [])
        ),
        override_reason=row.override_reason,
        entries=entries,
        adverse_events=events,
        amends_id=row.amends_id,
        amendment_reason=row.amendment_reason,
        document_number=row.document_number,
        sha256=row.sha256,
        signed_at=row.signed_at,
        version=row.version,
    )


def summaries(session: Session, patient_id: int) -> list[SessionSummary]:
    rows = session.scalars(
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(TreatmentSession.session_date.desc(), TreatmentSession.id.desc())
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    flagged = set(
        session.scalars(
            select(SessionEntry.session_id).where(
                SessionEntry.session_id.in_(ids),
                SessionEntry.depth_outside_plan | SessionEntry.expired_lot,
            )
        )
    ) | set(
        session.scalars(select(AdverseEvent.session_id).where(AdverseEvent.session_id.in_(ids)))
    )
    names = {
        user.id: user.full_name
        for user in session.scalars(
            select(User).where(User.id.in_({row.practitioner_id for row in rows}))
        )
    }
    return [
        SessionSummary(
            id=row.id,
            session_date=row.session_date,
            practitioner=names.get(row.practitioner_id, ""),
            status=row.status,
            areas=tuple(row.areas),
            document_number=row.document_number,
            amends_id=row.amends_id,
            flagged=row.id in flagged,
        )
        for row in rows
    ]


def signed_sessions_for(session: Session, consultation_id: int) -> list[TreatmentSession]:
    """The consultation's signed sessions that are not themselves amendments."""
    return list(
        session.scalars(
            select(TreatmentSession)
            .where(
                TreatmentSession.consultation_id == consultation_id,
                TreatmentSession.status == "signed",
                TreatmentSession.amends_id.is_(None),
            )
            .order_by(TreatmentSession.session_date)
        )
    )


# --------------------------------------------------------------------------- bookings


def load_booking(session: Session, booking_id: int) -> Booking:
    row = session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    if row is None:
        raise ConsultError(f"booking {booking_id} does not exist")
    return row


def booking_record(session: Session, row: Booking, zone: tzinfo) -> BookingRecord:
    return BookingRecord(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=_patient(session, row.patient_id).name,
        consultation_id=row.consultation_id,
        practitioner_id=row.practitioner_id,
        practitioner=_user_name(session, row.practitioner_id),
        session_number=row.session_number,
        starts_at=row.starts_at.astimezone(zone),
        status=row.status,
        waits_for_clearance=row.waits_for_clearance,
        version=row.version,
    )


def open_bookings_before(session: Session, end: datetime) -> list[Booking]:
    """Proposed and booked sessions starting before `end` (overdue ones included)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.status.in_(("proposed", "booked")), Booking.starts_at < end)
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def bookings_for(session: Session, consultation_id: int, statuses: Iterable[str]) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.consultation_id == consultation_id, Booking.status.in_(list(statuses)))
            .order_by(Booking.starts_at)
        )
    )


def session_numbers_taken(rows: Sequence[Booking]) -> set[int]:
    return {row.session_number for row in rows if row.session_number is not None}


def next_open_booking(session: Session, patient_id: int, after: datetime) -> Booking | None:
    """The patient's first proposed or booked appointment starting after `after`."""
    return session.scalars(
        select(Booking)
        .where(
            Booking.patient_id == patient_id,
            Booking.status.in_(("proposed", "booked")),
            Booking.starts_at > after,
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(1)
    ).first()
