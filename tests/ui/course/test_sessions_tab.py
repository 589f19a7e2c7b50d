"""The Sessions tab's actions: the sealed record, the aftercare sheet, amending, a draft."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from consult.storage.models import AuditEvent
from tests.consult.documents.pdfs import flat, text_of
from tests.helpers.course import signed_course
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, stroke
from tests.helpers.signing import signed
from ui.course.session_page import AFTER, RECORD, SessionPage
from ui.course.sessions_tab import SessionsTab

pytestmark = OFFSCREEN_SIZE_HINTS
LEFT = Qt.MouseButton.LeftButton


def actions(db) -> list[str]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def tab(qtbot, holder, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara)
    tab = SessionsTab(mara, None, holder)
    holder.resize(1000, 700)
    tab.resize(1000, 700)
    holder.show()
    with qtbot.waitSignal(tab.loaded, timeout=30000):  # asked for at once: the tab is shown
        tab.set_patient(course.patient_id, "Ana Souza")
    return tab


def select_row(qtbot, tab, row: int) -> None:
    with qtbot.waitSignal(tab.opened, timeout=30000):
        tab.table.selectRow(row)


def test_a_signed_sessions_sealed_record_and_aftercare_open_from_the_tab(
    qtbot, tab, db, tmp_path
):
    assert not tab.record_button.isEnabled()  # nothing selected yet
    select_row(qtbot, tab, 0)
    assert tab.record_button.isEnabled() and tab.aftercare_button.isEnabled()
    assert not tab.draft_button.isEnabled()
    qtbot.mouseClick(tab.record_button, LEFT)
    qtbot.waitUntil(lambda: tab.dialog is not None, timeout=30000)
    record_text = flat(text_of(tab.dialog.pdf, tmp_path, "record.pdf"))
    assert "Treatment session record" in record_text and "SR-" in record_text
    assert "course.view_pdf" in actions(db)
    shown = tab.dialog
    qtbot.mouseClick(tab.aftercare_button, LEFT)
    qtbot.waitUntil(lambda: tab.dialog is not shown, timeout=30000)
    sheet = flat(text_of(tab.dialog.pdf, tmp_path, "sheet.pdf"))
    assert "Caring for your skin after treatment" in sheet and "Ana Souza" in sheet
    tab.dialog.handout.before_printing()  # what Print… runs before the pages go out
    assert actions(db)[-2:] == ["course.aftercare", "course.print"]


def test_amending_makes_a_linked_draft_carried_on_and_signed_on_the_page(
    qtbot, tab, holder, db
):
    select_row(qtbot, tab, 0)
    qtbot.mouseClick(tab.amend_button, LEFT)
    question = tab.dialog
    assert question.windowTitle() == "Amend the session"
    question.setTextValue("Depth was 1.25 mm, not 1.50 mm")
    with qtbot.waitSignal(tab.session_requested, timeout=30000) as asked:
        question.accept()
    request = asked.args[0]
    assert request.session_id is not None and request.patient_name == "Ana Souza"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=30000)
    statuses = [tab.model.cells(row)[3] for row in range(2)]
    assert "Draft (amendment)" in statuses

    # The draft carries the original's entry; corrected and signed on the page.
    page = SessionPage(tab._user, request, holder)
    page.resize(1280, 720)
    page.show()
    qtbot.waitUntil(lambda: page.stage() == RECORD and page.entries.count() == 2,
                    timeout=30000)
    assert "1.50 mm" in page.entries.item(1).text()
    page.entry_form.depth.setValue(1.25)
    qtbot.mouseClick(page.record_entry_button, LEFT)
    qtbot.waitUntil(lambda: "1.25 mm" in page.entries.item(1).text(), timeout=30000)
    assert page.entries.count() == 2  # the area's entry replaced, not added
    qtbot.mouseClick(page.action_button, LEFT)
    stroke(page.pad, [(20, 60), (80, 40), (160, 90), (240, 50), (300, 80)])
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=AFTER.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)
    with qtbot.waitSignal(tab.loaded, timeout=30000):
        tab.refresh()
    statuses = sorted(tab.model.cells(row)[3] for row in range(2))
    assert statuses == ["Signed", "Signed (amendment)"]


def test_a_draft_is_carried_on_from_the_tab(qtbot, holder, db, manager):
    mara = signed(db, manager)
    course = signed_course(mara, sign=False)
    tab = SessionsTab(mara, course.patient_id, holder)
    with qtbot.waitSignal(tab.loaded, timeout=30000):
        tab.refresh()
    select_row(qtbot, tab, 0)
    assert tab.draft_button.isEnabled() and not tab.record_button.isEnabled()
    with qtbot.waitSignal(tab.session_requested, timeout=30000) as asked:
        qtbot.mouseClick(tab.draft_button, LEFT)
    assert asked.args[0].session_id == course.session.id


def test_an_amendment_needs_to_say_what_it_corrects(qtbot, tab):
    select_row(qtbot, tab, 0)
    qtbot.mouseClick(tab.amend_button, LEFT)
    with qtbot.waitSignal(tab.loaded, timeout=30000):  # the refusal is reported
        tab.dialog.accept()
    assert tab.error.text() == "What the amendment corrects: say what the amendment corrects"
    assert tab.model.rowCount() == 1
