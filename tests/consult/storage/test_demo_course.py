"""`consult demo` makes a living course: sealed sessions, shared and expired lots, Due."""

from __future__ import annotations

from datetime import date

from consult.app.demo import build_demo
from consult.services import accounts, bookings, course, lots
from consult.storage import Database

TODAY = date(2026, 12, 16)


def test_the_demo_course_is_used_through_the_services(db: Database):
    summary = build_demo(db, patients=120, seed=3, today=TODAY)
    assert summary.course is not None
    assert summary.course.sessions >= 10
    assert summary.course.amendments == 3
    password = next(a.password for a in summary.accounts if a.username == "manager")
    manager = accounts.sign_in(db, "manager", password, workstation="test")

    listed = lots.list_lots(manager)
    assert [lot.lot_number for lot in listed if lot.expired_on(TODAY)] == ["HA-0298"]
    busiest = max(listed, key=lambda lot: lot.sessions_used)
    hits = lots.recall(manager, busiest.lot_number)
    assert len(hits) == busiest.sessions_used
    assert len({hit.patient_id for hit in hits}) >= 2

    due = bookings.due_this_week(manager, today=TODAY)
    assert {"due", "waiting for clearance"} <= {item.kind for item in due}

    patient_id = hits[0].patient_id
    sessions = course.list_sessions(manager, patient_id)
    assert sessions and {s.status for s in sessions} == {"signed"}
    pdf = course.session_pdf(manager, sessions[0].id)
    assert pdf.startswith(b"%PDF-")

    amended = [
        s for p in {h.patient_id for h in lots.recall(manager, busiest.lot_number)}
        for s in course.list_sessions(manager, p) if s.amends_id is not None
    ]
    for amendment in amended:
        record = course.open_session(manager, amendment.id)
        assert record.amendment_reason
        assert course.open_session(manager, amendment.amends_id).status == "signed"
