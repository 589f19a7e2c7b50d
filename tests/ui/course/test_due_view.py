"""Due's booking actions: another time, the patient's .ics, cancelling after a question."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from sqlalchemy import select

from consult.services import bookings
from consult.storage.models.course import Booking
from tests.helpers.course import signed_course
from tests.helpers.signing import signed
from ui.course.due_view import DueView

LEFT = Qt.MouseButton.LeftButton
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def due(qtbot, holder, db, manager):
    """Due as of 1 Jun 2027 with one booking made by hand (3 May 2027, 09:00 London)."""
    from ui.widgets import dates

    dates.use_clinic(dates.DEFAULT_LOCALE, "Europe/London")
    mara = signed(db, manager)
    course = signed_course(mara)
    for booking in bookings.due_this_week(mara, today=date(2027, 6, 1)):
        bookings.cancel(mara, booking.booking.id)  # only the hand-made one stays
    bookings.add_booking(mara, course.patient_id, datetime(2027, 5, 3, 9, 0, tzinfo=LONDON))
    view = DueView(mara, holder, today=date(2027, 6, 1))
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.refresh()
    view.table.selectRow(0)
    return view


def starts(db) -> list[tuple[datetime, str]]:
    with db.Session() as session:
        rows = session.scalars(select(Booking).where(Booking.status != "cancelled")).all()
        return [(row.starts_at.astimezone(UTC), row.status) for row in rows]


def test_booking_at_another_time_in_the_clinics_zone(qtbot, due, db):
    qtbot.mouseClick(due.move_button, LEFT)
    dialog = due.time_dialog
    assert dialog is not None and dialog.windowTitle() == "Book Ana Souza"
    dialog.when.setDateTime(QDateTime(QDate(2027, 6, 2), QTime(14, 30)))
    with qtbot.waitSignal(due.loaded, timeout=30000):
        dialog.accept()
    # 14:30 in London in June is 13:30 UTC (summer time).
    assert starts(db) == [(datetime(2027, 6, 2, 13, 30, tzinfo=UTC), "booked")]


def test_the_patients_calendar_file_says_only_the_appointment(qtbot, due, tmp_path):
    target = tmp_path / "appointment.ics"
    with qtbot.waitSignal(due.saved, timeout=30000):
        due.save_ics_to(target)
    (event,) = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Appointment at Harbour Skin Clinic"
    assert "Ana" not in target.read_text(encoding="utf-8")
    assert due.note.text() == f"Saved the patient's calendar file to {target}."


def test_cancelling_asks_first(qtbot, due, db, confirmations):
    confirmations.answer = False
    qtbot.mouseClick(due.cancel_button, LEFT)
    assert confirmations.asked[-1][0] == "Cancel the booking?"
    assert [status for _at, status in starts(db)] == ["booked"]
    confirmations.answer = True
    with qtbot.waitSignal(due.loaded, timeout=30000):
        qtbot.mouseClick(due.cancel_button, LEFT)
    assert starts(db) == []
    assert due.model.rowCount() == 0
