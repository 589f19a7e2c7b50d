"""Recording a session in the app: re-screen, record, confirm, sign, aftercare, book next.

Driven through the page's own widgets on a real clinic database; the aftercare sheet is
read back with pdftotext.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from consult.records.course import LotInput
from consult.services import lots
from consult.storage.models import AuditEvent
from consult.storage.models.course import Booking, TreatmentSession
from tests.consult.documents.pdfs import flat, text_of
from tests.helpers.course import pen_of, signed_consultation
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, stroke
from tests.helpers.signing import signed
from ui.course.requests import SessionRequest
from ui.course.session_page import AFTER, RECORD, SIGN, START, SessionPage
from ui.widgets.dates import show_date

pytestmark = OFFSCREEN_SIZE_HINTS
SESSION_DAY = date(2026, 11, 27)
OLD_SERUM = LotInput("Lumen Labs", "HA serum", "serum", "HA-0042", date(2026, 10, 31))
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def mara(db, manager):
    return signed(db, manager)


@pytest.fixture
def page(qtbot, holder, mara):
    """The page for Ana Souza, after a signed consultation (cheeks, 1.0–2.0 mm planned)."""
    signed_consultation(mara)
    pen_of(mara)
    lots.register_lot(mara, OLD_SERUM)
    patient_id = _patient_id(mara)
    holder.resize(1280, 720)
    page = SessionPage(mara, SessionRequest(patient_id, "Ana Souza"), holder)
    page.resize(1280, 720)
    holder.show()
    qtbot.waitUntil(page.action_button.isEnabled, timeout=30000)
    page.start_form.set_date(SESSION_DAY)
    return page


def _patient_id(user) -> int:
    from consult.services import patients

    (ana,) = patients.search(user, "Ana Souza")
    return ana.id


def answer_no_to_every_change(page) -> None:
    for row in page.start_form.rows.values():
        row.no.click()


def start(qtbot, page) -> None:
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=RECORD.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)


def recorded_lines(page) -> list[str]:
    return [page.entries.item(row).text() for row in range(page.entries.count())]


def events(db, action: str) -> int:
    with db.Session() as session:
        return len(session.scalars(select(AuditEvent.id).where(AuditEvent.action == action)).all())


def test_a_whole_session_from_rescreening_to_the_next_booking(
    qtbot, page, db, confirmations, tmp_path
):
    # 1. Every change question must be answered before the session starts.
    qtbot.mouseClick(page.action_button, LEFT)
    assert page.stage() == START
    assert "asked again at each session" in page.error.text()
    answer_no_to_every_change(page)
    start(qtbot, page)
    assert recorded_lines(page) == [f"Re-screening on {show_date(SESSION_DAY)}: proceed"]

    # 2. A new cartridge lot typed in, a depth deeper than planned: asked, then flagged.
    form = page.entry_form
    form.needle_lot.choose_new()
    qtbot.keyClicks(form.needle_lot.maker, "Dermaworks")
    qtbot.keyClicks(form.needle_lot.product, "Nano 12 cartridge")
    qtbot.keyClicks(form.needle_lot.lot_number, "NC-7001")
    form.depth.setValue(2.5)
    form.passes.setValue(3)
    form.erythema.setCurrentIndex(2)
    form.bleeding.setChecked(True)
    qtbot.mouseClick(page.record_entry_button, LEFT)
    qtbot.waitUntil(lambda: page.entries.count() == 2, timeout=30000)
    assert confirmations.asked[-1][0] == "Depth outside the plan?"
    assert "2.50 mm is outside the plan's 1.0–2.0 mm" in confirmations.asked[-1][1]
    line = recorded_lines(page)[1]
    assert line.startswith("Cheeks: SkinPen Precision, lot NC-7001, 2.50 mm, 3 passes")
    assert "erythema 2/3; pinpoint bleeding [depth outside the plan]" in line
    assert any(lot.lot_number == "NC-7001" for lot in lots.list_lots(page.user))

    # An adverse event, with what was done about it.
    qtbot.keyClicks(page.happened, "Patient felt faint")
    qtbot.keyClicks(page.action_taken, "Lay flat, water, recovered in 5 minutes")
    qtbot.mouseClick(page.event_button, LEFT)
    qtbot.waitUntil(lambda: page.entries.count() == 3, timeout=30000)
    assert recorded_lines(page)[2].startswith("Adverse event: Patient felt faint")

    # 3. Signing needs ink on the pad and a confirmation.
    qtbot.mouseClick(page.action_button, LEFT)
    assert page.stage() == SIGN
    assert "Nano 12 cartridge" not in page.summary.text()  # words, not a parts list
    assert "Patient felt faint" in page.summary.text()
    qtbot.mouseClick(page.action_button, LEFT)
    assert page.error.text() == "Practitioner's signature: sign on the pad first."
    page.pad.show()
    stroke(page.pad, [(20, 60), (80, 40), (160, 90), (240, 50), (300, 80)])
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=AFTER.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)
    assert confirmations.asked[-1][0] == "Sign and seal the session record?"
    assert "Signed and sealed as SR-" in page.signed_note.text()
    with db.Session() as session:
        row = session.scalars(select(TreatmentSession)).one()
        assert (row.status, row.document_number is not None) == ("signed", True)

    # 4. The aftercare sheet, for the patient, with the next session the plan proposes.
    qtbot.mouseClick(page.aftercare_button, LEFT)
    qtbot.waitUntil(lambda: page.aftercare_dialog is not None, timeout=30000)
    text = flat(text_of(page.aftercare_dialog.pdf, tmp_path))
    assert "Ana Souza" in text and "Next appointment" in text
    assert "NC-7001" not in text and "faint" not in text
    assert events(db, "course.aftercare") == 1
    page.aftercare_dialog.close()

    # The next session booked from the page.
    assert "proposed for" in page.next_note.text()
    qtbot.mouseClick(page.book_button, LEFT)
    qtbot.waitUntil(lambda: page.booked_note.text().startswith("Booked for"), timeout=30000)
    with db.Session() as session:
        statuses = session.scalars(select(Booking.status).order_by(Booking.starts_at)).all()
    assert statuses[0] == "booked"


def test_a_blocking_rescreening_needs_an_override_reason(qtbot, page, db):
    answer_no_to_every_change(page)
    cold_sores = page.start_form.rows["cold_sores"]
    cold_sores.yes.click()
    status = cold_sores.follow_ups.status
    status.setCurrentIndex(status.findData("active"))
    with qtbot.waitSignal(page.failed, timeout=30000):
        qtbot.mouseClick(page.action_button, LEFT)
    assert page.stage() == START
    assert "record an override reason to go ahead" in page.error.text()
    qtbot.keyClicks(page.start_form.override, "Sore healed this morning; checked by the GP")
    start(qtbot, page)
    assert "(override: Sore healed this morning; checked by the GP)" in recorded_lines(page)[0]
    assert events(db, "screening.override") == 1


def test_an_expired_lot_is_not_used_unless_confirmed(qtbot, page, confirmations):
    answer_no_to_every_change(page)
    start(qtbot, page)
    form = page.entry_form
    assert form.serum_lot.choose_lot("HA-0042")
    assert "EXPIRED" in form.serum_lot.choice.currentText()
    form.needle_lot.choice.setCurrentIndex(0)  # none
    form.depth.setValue(1.5)
    confirmations.answer = False
    with qtbot.waitSignal(page.failed, timeout=30000):
        qtbot.mouseClick(page.record_entry_button, LEFT)
    assert confirmations.asked[-1][0] == "Use an expired lot?"
    assert "HA serum lot HA-0042 (expired 2026-10-31)" in confirmations.asked[-1][1]
    assert page.entries.count() == 1  # nothing recorded
    assert page.error.text() == (
        "Not recorded: HA serum lot HA-0042 (expired 2026-10-31). Choose another lot, or "
        "confirm using it."
    )
    confirmations.answer = True
    qtbot.mouseClick(page.record_entry_button, LEFT)
    qtbot.waitUntil(lambda: page.entries.count() == 2, timeout=30000)
    assert recorded_lines(page)[1].endswith("[expired lot]")


def test_a_new_lot_must_be_filled_in_whole(qtbot, page):
    answer_no_to_every_change(page)
    start(qtbot, page)
    page.entry_form.needle_lot.choose_new()
    page.entry_form.depth.setValue(1.5)
    qtbot.mouseClick(page.record_entry_button, LEFT)
    assert page.error.text() == "Needle cartridge or tip: maker: is required for a new lot"
    assert page.entries.count() == 1


def test_a_session_started_from_its_booking_marks_the_booking_attended(
    qtbot, holder, mara, db
):
    from consult.services import bookings

    consultation_id = signed_consultation(mara)
    pen_of(mara)
    first = bookings.propose_from_plan(mara, consultation_id)[0]
    request = SessionRequest(first.patient_id, first.patient_name,
                             consultation_id=consultation_id, booking_id=first.id)
    page = SessionPage(mara, request, holder)
    page.resize(1280, 720)
    holder.show()
    qtbot.waitUntil(page.action_button.isEnabled, timeout=30000)
    assert page.start_form.consultation.currentData() == consultation_id
    page.start_form.set_date(SESSION_DAY)
    answer_no_to_every_change(page)
    start(qtbot, page)
    page.entry_form.depth.setValue(1.5)
    qtbot.mouseClick(page.record_entry_button, LEFT)
    qtbot.waitUntil(lambda: page.entries.count() == 2, timeout=30000)
    qtbot.mouseClick(page.action_button, LEFT)
    stroke(page.pad, [(20, 60), (80, 40), (160, 90), (240, 50), (300, 80)])
    with qtbot.waitSignal(page.stage_shown, timeout=30000, check_params_cb=AFTER.__eq__):
        qtbot.mouseClick(page.action_button, LEFT)
    with db.Session() as session:
        assert session.get(Booking, first.id).status == "done"
    # The plan's next session is offered for booking.
    assert page.next_booking is not None and page.next_booking.session_number == 2


def test_refusals_name_the_field_in_the_pages_words(qtbot, page):
    answer_no_to_every_change(page)
    page.start_form.set_date(date(2026, 11, 1))  # before the consultation of 20 Nov
    with qtbot.waitSignal(page.failed, timeout=30000):
        qtbot.mouseClick(page.action_button, LEFT)
    assert page.error.text() == (
        "Session date: 2026-11-01 is before the consultation (2026-11-20)"
    )
    page.start_form.areas.item(0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(page.action_button, LEFT)
    assert page.error.text() == "Areas treated today: tick at least one area treated today"
    page.start_form.areas.item(0).setCheckState(Qt.CheckState.Checked)
    page.start_form.set_date(SESSION_DAY)
    start(qtbot, page)
    with qtbot.waitSignal(page.failed, timeout=30000):
        qtbot.mouseClick(page.event_button, LEFT)  # nothing typed
    assert page.error.text() == "What happened: say what happened"


def answer_sunburn(page, when: date) -> None:
    sunburn = page.start_form.rows["sunburn"]
    sunburn.yes.click()
    sunburn.follow_ups.date.setText(show_date(when))


def test_the_rescreening_counts_a_window_from_the_session_date(qtbot, page):
    answer_no_to_every_change(page)
    page.start_form.rows["sunburn"].yes.click()
    qtbot.mouseClick(page.action_button, LEFT)
    assert page.error.text() == "Sunburn or fresh tan: after a yes, answer “When was it?”"
    # Burnt five days before the session: the area waits two weeks from the burn.
    answer_sunburn(page, date(2026, 11, 22))
    with qtbot.waitSignal(page.failed, timeout=30000):
        qtbot.mouseClick(page.action_button, LEFT)
    assert "record an override reason to go ahead" in page.error.text()
    # Seventeen days before the session (ten before the consultation): the wait is over.
    answer_sunburn(page, date(2026, 11, 10))
    start(qtbot, page)
    assert recorded_lines(page)[0].startswith(f"Re-screening on {show_date(SESSION_DAY)}")
    assert "override" not in recorded_lines(page)[0]
