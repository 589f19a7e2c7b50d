"""Bookings from the plan, "Due" this week, and the patient's calendar file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from consult.errors import ConsultError, InvalidField
from consult.records.course import EntryInput
from consult.services import bookings, course, lots, signing
from consult.services.course import SessionStart
from consult.services.signing import SigningRequest
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png
from tests.helpers.signing import signed_in

INK = signature_png()
LISBON = ZoneInfo("Europe/Lisbon")


@pytest.fixture
def rita(clinic, reception):
    return signed_in(clinic, reception, "Rita")


def signed_consultation(user, history=None, **request) -> int:
    file = consultation(history)
    file = replace(file, patient=replace(file.patient, name="Ana Souza"))
    signed = signing.sign(user, SigningRequest(file, True, False, INK, INK, **request))
    return signed.consultation_id


def test_the_plan_becomes_proposed_bookings_once(pia):
    consultation_id = signed_consultation(pia)
    proposed = bookings.propose_from_plan(pia, consultation_id)
    assert [b.starts_at for b in proposed] == [
        datetime(2026, 11, 20, 10, 0, tzinfo=LISBON) + timedelta(weeks=4 * n) for n in range(4)
    ]
    assert [b.session_number for b in proposed] == [1, 2, 3, 4]
    assert {b.status for b in proposed} == {"proposed"}
    assert bookings.propose_from_plan(pia, consultation_id) == ()


def test_proposals_follow_the_last_signed_session(pia):
    consultation_id = signed_consultation(pia)
    pen = lots.register_device(pia, "SkinPen Precision", "mechanical", "SP-1")
    first = date(2026, 11, 27)
    draft = course.start_session(pia, SessionStart(consultation_id, first))
    course.record_entry(
        pia, draft.id, EntryInput("cheeks", pen.id, erythema=1, depth_mm=Decimal("1.25"))
    )
    course.sign_session(pia, draft.id, INK)
    proposed = bookings.propose_from_plan(pia, consultation_id)
    assert [(b.session_number, b.starts_at.date()) for b in proposed] == [
        (2, first + timedelta(weeks=4)),
        (3, first + timedelta(weeks=8)),
        (4, first + timedelta(weeks=12)),
    ]


def test_due_this_week_sorts_due_overdue_and_waiting_for_clearance(pia, rita):
    plain = bookings.propose_from_plan(pia, signed_consultation(pia))
    waiting = bookings.propose_from_plan(
        pia,
        signed_consultation(
            pia, {"anticoagulants": True}, override_reason="Clearance letter requested"
        ),
    )
    assert all(b.waits_for_clearance for b in waiting)
    due = bookings.due_this_week(rita, today=date(2026, 12, 16))
    kinds = {(item.booking.id, item.kind) for item in due}
    assert kinds == {
        (plain[0].id, "overdue"),
        (plain[1].id, "due"),
        (waiting[0].id, "waiting for clearance"),
        (waiting[1].id, "waiting for clearance"),
    }


def test_reception_books_and_cancels_but_a_time_needs_its_zone(pia, rita):
    proposed = bookings.propose_from_plan(pia, signed_consultation(pia))
    with pytest.raises(InvalidField, match=r"^starts_at: must carry its time zone"):
        bookings.book(rita, proposed[1].id, starts_at=datetime(2026, 12, 18, 15, 30))
    last_evening = datetime(9999, 12, 31, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    with pytest.raises(InvalidField, match=r"^starts_at: 9999-12-31 23:00 is out of range"):
        bookings.book(rita, proposed[1].id, starts_at=last_evening)  # past year 9999 in UTC
    booked = bookings.book(
        rita, proposed[1].id, starts_at=datetime(2026, 12, 18, 15, 30, tzinfo=LISBON)
    )
    assert (booked.status, booked.starts_at.hour) == ("booked", 15)
    cancelled = bookings.cancel(rita, proposed[1].id)
    assert cancelled.status == "cancelled"
    with pytest.raises(ConsultError, match="already cancelled"):
        bookings.cancel(rita, proposed[1].id)
    due_ids = {item.booking.id for item in bookings.due_this_week(rita, today=date(2026, 12, 16))}
    assert proposed[1].id not in due_ids


def test_the_patients_ics_says_only_appointment_time_and_address(pia, rita):
    proposed = bookings.propose_from_plan(pia, signed_consultation(pia))
    ics = bookings.export_ics(rita, proposed[0].id)
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["summary"]) == "Appointment at Clínica Aurora"
    assert str(event["location"]) == "12 Rua das Flores, Lisboa"
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 20, 10, 0, tzinfo=LISBON)
    assert start.utcoffset() == timedelta(0)  # Lisbon in winter, named by its zone
    assert b"Europe/Lisbon" in ics
    words = ics.decode("utf-8").casefold()
    for clinical in ("ana", "souza", "acne", "needl", "cheek", "session", "treatment"):
        assert clinical not in words


def test_a_booking_by_hand_names_a_practitioner_not_reception(pia, rita, reception):
    proposed = bookings.propose_from_plan(pia, signed_consultation(pia))
    when = datetime(2026, 12, 18, 9, 0, tzinfo=LISBON)
    with pytest.raises(InvalidField, match=r"^practitioner: "):
        bookings.add_booking(rita, proposed[0].patient_id, when, reception.user_id)
    made = bookings.add_booking(rita, proposed[0].patient_id, when, pia.actor.user_id)
    assert (made.status, made.practitioner, made.session_number) == ("booked", "Pia", None)
