"""The course's screens in the app: the card's Sessions tab and the "Due" workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
    assert tab_titles(detail.tabs) == ["Consultations", "Quotes", "Signed consents", "Sessions"]
    detail.show_patient(patient_record(mara, course.patient_id))
    assert detail.sessions.model.rowCount() == 0  # not asked for while the tab is hidden
    with qtbot.waitSignal(detail.sessions.loaded, timeout=30000):
        detail.tabs.setCurrentWidget(detail.sessions)
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
