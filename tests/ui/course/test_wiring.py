"""The course's screens in the app: the card's Sessions tab and the "Due" workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import Qt

from consult.services import bookings
from consult.storage import settings, users
from tests.helpers.course import signed_course
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.course.due_view import DueView
from ui.patients.page import PatientDetail
from ui.shell.app import build_main_window, context_for

pytestmark = OFFSCREEN_SIZE_HINTS


def reception(db, manager):
    record = users.create_user(
        db, manager.actor("test"), username="rita", full_name="Rita Reis", role="reception",
        password="correct horse battery",
    )
    return signed(db, record)


def patient_record(user, patient_id):
    from consult.services import patients

    return patients.open_patient(user, patient_id)


def tab_titles(tabs) -> list[str]:
    return [tabs.tabText(index) for index in range(tabs.count())]


def test_the_card_lists_the_sessions_when_its_tab_is_opened(qtbot, holder, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    detail = PatientDetail(context_for(mara), holder)
    holder.show()
    assert tab_titles(detail.tabs) == [
        "Consultations", "Quotes", "Signed consents", "Sessions", "Photos"
    ]
    detail.show_patient(patient_record(mara, course.patient_id))
    assert detail.sessions.model.rowCount() == 0  # not asked for while the tab is hidden
    with qtbot.waitSignal(detail.sessions.loaded, timeout=30000):
        detail.tabs.setCurrentIndex(tab_titles(detail.tabs).index("Sessions"))
    assert detail.sessions.model.rowCount() == 1
    assert detail.sessions.model.cells(0)[3] == "Signed"
    assert detail.sessions.start_button.isVisible()


def test_reception_gets_no_sessions_tab_on_the_card(holder, db, manager):
    rita = reception(db, manager)
    detail = PatientDetail(context_for(rita), holder)
    assert detail.sessions is None
    assert detail.tabs.count() == 0


def test_reception_has_due_as_a_workspace_and_sees_the_week(qtbot, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    missed = datetime.now(UTC) - timedelta(days=1)
    bookings.add_booking(mara, course.patient_id, missed, mara.actor.user_id)
    rita = reception(db, manager)
    main = build_main_window(rita, settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    assert tab_titles(main.home) == ["Patients", "Due"]
    main.home.setCurrentIndex(1)
    due = main.home.widget(1)
    assert isinstance(due, DueView)
    qtbot.waitUntil(lambda: due.model.rowCount() > 0, timeout=30_000)
    assert due.model.cells(0)[1:] == ("Ana Souza", "Mara Quinn", "—", "Booked", "Overdue")
    assert not due.session_button.isVisible()  # reception books; it never records sessions


def test_start_session_on_the_card_opens_the_recording_page_and_back(qtbot, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    main = build_main_window(mara, settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    detail = main.patients.detail
    detail.show_patient(patient_record(mara, course.patient_id))
    with qtbot.waitSignal(detail.sessions.loaded, timeout=30000):
        detail.tabs.setCurrentIndex(tab_titles(detail.tabs).index("Sessions"))
    qtbot.mouseClick(detail.sessions.start_button, Qt.MouseButton.LeftButton)
    page = main.session_page
    assert page is not None and main.pages.currentWidget() is page
    assert page.title.text() == "Treatment session: Ana Souza"
    qtbot.waitUntil(page.action_button.isEnabled, timeout=30000)  # its consultation loaded
    with qtbot.waitSignal(detail.sessions.loaded, timeout=30000):
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert main.session_page is None and main.pages.currentWidget() is main.home


def test_due_starts_the_session_of_a_booking_from_the_plan(qtbot, holder, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    bookings.add_booking(mara, course.patient_id, datetime(2027, 5, 3, 9, 0, tzinfo=UTC))
    due = DueView(mara, holder, today=date(2027, 6, 1))  # every open booking is overdue then
    with qtbot.waitSignal(due.loaded, timeout=30000):
        due.refresh()
    by_hand = [row for row in range(due.model.rowCount())
               if due.model.payload(row).booking.consultation_id is None]
    from_plan = [row for row in range(due.model.rowCount())
                 if due.model.payload(row).booking.consultation_id is not None]
    assert len(by_hand) == 1 and from_plan
    due.table.selectRow(by_hand[0])
    assert not due.session_button.isEnabled()  # a booking made by hand follows no plan
    due.table.selectRow(from_plan[0])
    booking = due.model.payload(from_plan[0]).booking
    with qtbot.waitSignal(due.session_requested, timeout=30000) as asked:
        qtbot.mouseClick(due.session_button, Qt.MouseButton.LeftButton)
    request = asked.args[0]
    assert (request.patient_name, request.consultation_id, request.booking_id) == (
        "Ana Souza", course.consultation_id, booking.id
    )


def test_start_session_in_the_due_workspace_opens_the_recording_page(qtbot, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    (proposed, *_rest) = [
        item.booking for item in bookings.due_this_week(mara, today=date(2030, 1, 1))
    ]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    bookings.book(mara, proposed.id, yesterday)  # moved to yesterday: overdue this week
    main = build_main_window(mara, settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    main.home.setCurrentIndex(tab_titles(main.home).index("Due"))
    due = main.home.currentWidget()
    qtbot.waitUntil(lambda: due.model.rowCount() > 0, timeout=30_000)
    ids = [item.booking.id for item in due.model.payloads()]
    due.table.selectRow(ids.index(proposed.id))
    qtbot.mouseClick(due.session_button, Qt.MouseButton.LeftButton)
    page = main.session_page
    assert page is not None and main.pages.currentWidget() is page
    assert (page.request.booking_id, page.request.consultation_id) == (
        proposed.id, course.consultation_id
    )
    qtbot.waitUntil(page.action_button.isEnabled, timeout=30000)
    with qtbot.waitSignal(due.loaded, timeout=30000):  # Due is asked again on the way back
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert main.pages.currentWidget() is main.home
