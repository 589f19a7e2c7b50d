"""The Sessions tab and the Due view, driven by qtbot on a real clinic database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from consult.records.course import EntryInput, LotInput
from consult.services import bookings, course, lots, signing
from consult.services.course import SessionStart
from consult.services.signing import SigningRequest
from consult.storage import users
from consult.storage.models import AuditEvent
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png
from tests.helpers.signing import signed
from ui.course.due_view import DueView
from ui.course.sessions_tab import SessionsTab

INK = signature_png()
TODAY = date(2026, 12, 16)
NEEDLES = LotInput("Dermaworks", "Nano 12 cartridge", "cartridge", "NC-2291", date(2027, 6, 30))


def a_course(db, manager):
    """A signed consultation for Ana Souza, one signed session, the rest proposed."""
    mara = signed(db, manager)
    file = consultation()
    file = replace(file, patient=replace(file.patient, name="Ana Souza"))
    signed_record = signing.sign(mara, SigningRequest(file, True, False, INK, INK))
    consultation_id = signed_record.consultation_id
    pen = lots.register_device(mara, "SkinPen Precision", "mechanical", "SP-1001")
    draft = course.start_session(mara, SessionStart(consultation_id, date(2026, 11, 20)))
    course.record_entry(
        mara, draft.id,
        EntryInput("cheeks", pen.id, erythema=2, needle_lot=NEEDLES, depth_mm=Decimal("1.50")),
    )
    course.sign_session(mara, draft.id, INK)
    bookings.propose_from_plan(mara, consultation_id)
    return mara, draft.patient_id


def reception_user(db, manager):
    record = users.create_user(
        db, manager.actor("test"), username="rita", full_name="Rita Reis", role="reception",
        password="correct horse battery",
    )
    return signed(db, record)


def view_count(db) -> int:
    with db.Session() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "course.view")
        )


def test_the_sessions_tab_lists_and_opens_a_session(qtbot, holder, db, manager):
    mara, patient_id = a_course(db, manager)
    tab = SessionsTab(mara, patient_id, holder)
    with qtbot.waitSignal(tab.loaded, timeout=30000):
        tab.refresh()
    assert tab.model.rowCount() == 1
    assert tab.model.cells(0)[3] == "Signed"
    assert tab.model.cells(0)[4].startswith("SR-")
    before = view_count(db)
    with qtbot.waitSignal(tab.opened, timeout=30000):
        tab.table.selectRow(0)
    text = tab.detail.toPlainText()
    assert "SkinPen Precision, lot NC-2291, 1.50 mm, erythema 2/3" in text
    assert view_count(db) == before + 1


def test_reception_gets_no_sessions_tab_content(qtbot, holder, db, manager):
    _, patient_id = a_course(db, manager)
    tab = SessionsTab(reception_user(db, manager), patient_id, holder)
    with qtbot.waitSignal(tab.loaded, timeout=30000):
        tab.refresh()
    assert tab.model.rowCount() == 0
    assert "rita (Reception) is not allowed" in tab.error.text()


def test_reception_sees_due_and_books_a_proposed_session(qtbot, holder, db, manager):
    mara, patient_id = a_course(db, manager)
    missed = datetime(2026, 12, 10, 15, 0, tzinfo=ZoneInfo("Europe/London"))
    bookings.add_booking(mara, patient_id, missed, mara.actor.user_id)
    view = DueView(reception_user(db, manager), holder, today=TODAY)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.refresh()
    rows = [view.model.cells(row) for row in range(view.model.rowCount())]
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("Ana Souza", "—", "Booked", "Overdue"),
        ("Ana Souza", "2", "Proposed", "Due this week"),
    ]
    assert not view.book_button.isEnabled()
    view.table.selectRow(0)
    assert not view.book_button.isEnabled()  # already booked
    view.table.selectRow(1)
    assert view.book_button.isEnabled()
    with qtbot.waitSignal(view.loaded, timeout=30000):
        qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    assert view.model.cells(1)[4] == "Booked"
    assert "acne" not in " ".join(" ".join(r) for r in rows).casefold()
