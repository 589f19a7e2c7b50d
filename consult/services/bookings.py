"""Bookings for the course's sessions, "Due" this week, and the patient's .ics.

A booking is a date and time (with its time zone) for a session with a practitioner.
The plan's remaining sessions become proposed bookings at their earliest safe dates:
one interval after the last signed session (the consultation date for the first), and
never before a deferring finding of the consultation's screening says to rebook.
Reception sees "Due" and books; it never sees the clinical record (a booking carries
the patient's name and the time, nothing clinical).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from consult.clinic import setup as clinic
from consult.clinical.courses import plan_course
from consult.errors import ConsultError, InvalidField
from consult.records.course import DUE_KINDS, BookingRecord, DueItem
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consultations, patients
from consult.storage import course as store
from consult.storage.models import User
from consult.storage.models.course import Booking
from consult.storage.settings import get_settings

# Proposed bookings start at this local time until someone books a real one.
PROPOSED_AT = time(10, 0)
APPOINTMENT_MINUTES = 60
OPEN = ("proposed", "booked")


def _zone(user: SignedIn) -> tzinfo:
    return clinic.zone_of(get_settings(user.database).pricing)


@use_case("bookings.propose")
def propose_from_plan(user: SignedIn, consultation_id: int) -> tuple[BookingRecord, ...]:
    """The plan's sessions not yet signed or booked, as proposed bookings."""
    zone = _zone(user)
    with transaction(user) as session:
        row = consultations.load(session, consultation_id)
        if row.status != "completed":
            raise ConsultError(f"consultation {row.id} has no signed consent to book from")
        planned = consultations.as_consultation(row, patients.load_row(session, row.patient_id))
        course = plan_course(planned)
        done = store.signed_sessions_for(session, row.id)
        taken = store.session_numbers_taken(
            store.bookings_for(session, row.id, ("proposed", "booked", "done"))
        )
        earliest = _rebook_on(row.screening or {})
        previous = done[-1].session_date if done else None
        gap = timedelta(weeks=course.interval_weeks)
        made: list[Booking] = []
        for number in range(len(done) + 1, course.sessions + 1):
            day = previous + gap if previous else row.consultation_date
            day = max(day, earliest) if earliest else day
            previous = day
            if number in taken:
                continue
            made.append(
                _new_booking(
                    session,
                    row.patient_id,
                    datetime.combine(day, PROPOSED_AT, zone),
                    status="proposed",
                    consultation_id=row.id,
                    practitioner_id=row.practitioner_id,
                    session_number=number,
                    waits_for_clearance=_needs_clearance(row.screening or {}),
                )
            )
        audit.record(
            session,
            user.actor,
            "bookings.propose",
            patient_id=row.patient_id,
            detail={"consultation": row.id, "proposed": [item.id for item in made]},
        )
        return tuple(store.booking_record(session, item, zone) for item in made)


def _rebook_on(screening: dict[str, Any]) -> date | None:
    dates = [
        date.fromisoformat(finding["rebook_on"])
        for finding in screening.get("findings", [])
        if finding.get("rebook_on") and finding.get("severity") in ("defer", "decline")
    ]
    return max(dates) if dates else None


def _needs_clearance(screening: dict[str, Any]) -> bool:
    return any(finding.get("severity") == "clearance" for finding in screening.get("findings", []))


def _new_booking(session: Any, patient_id: int, starts_at: datetime, **values: Any) -> Booking:
    now = datetime.now(UTC)
    row = Booking(
        patient_id=patient_id, starts_at=starts_at, created_at=now, updated_at=now, **values
    )
    session.add(row)
    session.flush()
    return row


def _checked_start(starts_at: object) -> datetime:
    if not isinstance(starts_at, datetime):
        raise InvalidField("starts_at", "must be a date and time")
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise InvalidField("starts_at", "must carry its time zone")
    try:
        starts_at.astimezone(UTC)  # how it is stored
    except OverflowError:
        raise InvalidField("starts_at", f"{starts_at:%Y-%m-%d %H:%M} is out of range") from None
    return starts_at


def _checked_practitioner(session: Any, practitioner_id: int | None) -> int | None:
    if practitioner_id is None:
        return None
    account = session.get(User, practitioner_id)
    if account is None or not account.active or account.role not in ("practitioner", "manager"):
        raise InvalidField(
            "practitioner", f"account {practitioner_id} is not an active practitioner"
        )
    return practitioner_id


@use_case("bookings.book")
def book(
    user: SignedIn,
    booking_id: int,
    starts_at: datetime | None = None,
    practitioner_id: int | None = None,
) -> BookingRecord:
    """Confirm a proposed booking (at its time, or a new one); move a booked one."""
    zone = _zone(user)
    with transaction(user) as session:
        row = store.load_booking(session, booking_id)
        if row.status not in OPEN:
            raise ConsultError(f"booking {row.id} is {row.status}; it cannot be booked")
        if starts_at is not None:
            row.starts_at = _checked_start(starts_at)
        if practitioner_id is not None:
            row.practitioner_id = _checked_practitioner(session, practitioner_id)
        row.status = "booked"
        row.updated_at = datetime.now(UTC)
        session.flush()
        audit.record(
            session,
            user.actor,
            "bookings.book",
            patient_id=row.patient_id,
            detail={"booking": row.id, "starts_at": row.starts_at.isoformat()},
        )
        return store.booking_record(session, row, zone)


@use_case("bookings.add")
def add_booking(
    user: SignedIn, patient_id: int, starts_at: datetime, practitioner_id: int | None = None
) -> BookingRecord:
    """A booking made by hand (a session outside the plan's dates)."""
    zone = _zone(user)
    starts_at = _checked_start(starts_at)
    with transaction(user) as session:
        patient = patients.load_row(session, patient_id)
        row = _new_booking(
            session,
            patient.id,
            starts_at,
            status="booked",
            practitioner_id=_checked_practitioner(session, practitioner_id),
            waits_for_clearance=False,
        )
        audit.record(
            session,
            user.actor,
            "bookings.add",
            patient_id=patient.id,
            detail={"booking": row.id, "starts_at": starts_at.isoformat()},
        )
        return store.booking_record(session, row, zone)


def _set_status(user: SignedIn, booking_id: int, status: str, action: str) -> BookingRecord:
    zone = _zone(user)
    with transaction(user) as session:
        row = store.load_booking(session, booking_id)
        if row.status not in OPEN:
            raise ConsultError(f"booking {row.id} is already {row.status}")
        row.status = status
        row.updated_at = datetime.now(UTC)
        session.flush()
        audit.record(
            session, user.actor, action, patient_id=row.patient_id, detail={"booking": row.id}
        )
        return store.booking_record(session, row, zone)


@use_case("bookings.cancel")
def cancel(user: SignedIn, booking_id: int) -> BookingRecord:
    return _set_status(user, booking_id, "cancelled", "bookings.cancel")


@use_case("bookings.mark_done")
def mark_done(user: SignedIn, booking_id: int) -> BookingRecord:
    return _set_status(user, booking_id, "done", "bookings.mark_done")


@use_case("bookings.due")
def due_this_week(user: SignedIn, today: date | None = None) -> tuple[DueItem, ...]:
    """Open bookings up to the end of this week (Monday to Sunday, the clinic's clock):
    due this week, overdue (before today), or waiting for a clearance."""
    zone = _zone(user)
    today = today or datetime.now(zone).date()
    if not isinstance(today, date):
        raise InvalidField("today", "must be a date")
    week_end = today + timedelta(days=7 - today.weekday())
    end = datetime.combine(week_end, time(0, 0), zone)
    with transaction(user) as session:
        rows = store.open_bookings_before(session, end)
        items = []
        for row in rows:
            record = store.booking_record(session, row, zone)
            items.append(DueItem(record, _due_kind(record, today)))
        audit.record(session, user.actor, "bookings.due", detail={"results": len(items)})
        return tuple(items)


def _due_kind(record: BookingRecord, today: date) -> str:
    if record.waits_for_clearance:
        return DUE_KINDS[2]
    if record.starts_at.date() < today:
        return DUE_KINDS[1]
    return DUE_KINDS[0]


@use_case("bookings.export_ics")
def export_ics(user: SignedIn, booking_id: int) -> bytes:
    """The patient's calendar event: "Appointment at <clinic>", the time and address only."""
    from icalendar import Calendar, Event

    settings = get_settings(user.database).pricing
    clinic.require_set_up(settings)
    zone = clinic.zone_of(settings)
    with transaction(user) as session:
        row = store.load_booking(session, booking_id)
        if row.status not in OPEN:
            raise ConsultError(f"booking {row.id} is {row.status}; there is nothing to attend")
        starts = row.starts_at.astimezone(zone)
        uid = f"booking-{row.id}-{row.created_at:%Y%m%d%H%M%S}@consult"
        audit.record(
            session,
            user.actor,
            "bookings.export_ics",
            patient_id=row.patient_id,
            detail={"booking": row.id},
        )
    calendar = Calendar()
    calendar.add("prodid", "-//Consult//Appointment//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=APPOINTMENT_MINUTES))
    event.add("summary", f"Appointment at {settings.name}")
    event.add("location", " ".join(settings.address.split()))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


@use_case("bookings.next")
def next_for_patient(user: SignedIn, patient_id: int, after: datetime) -> BookingRecord | None:
    """The patient's first proposed or booked appointment starting after `after`."""
    zone = _zone(user)
    after = _checked_start(after)
    with transaction(user) as session:
        patient = patients.load_row(session, patient_id)
        row = store.next_open_booking(session, patient.id, after)
        audit.record(
            session,
            user.actor,
            "bookings.next",
            patient_id=patient.id,
            detail={"booking": row.id if row else None},
        )
        return store.booking_record(session, row, zone) if row else None
