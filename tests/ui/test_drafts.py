"""Every change is a saved draft: closing the app (or losing it) keeps the consultation."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from consult.storage import Database, consultations, settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, answer_the_rest_no
from tests.helpers.signing import signed
from ui.shell.app import build_main_window, context_for

pytestmark = OFFSCREEN_SIZE_HINTS


def _open_window(qtbot, db, user):
    main = build_main_window(signed(db, user), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    return main


def _start_for(qtbot, window, patient):
    window.start_consultation(patient)
    wizard = window.consultation
    # The draft's first save runs on the pool; an override needs the stored consultation.
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)
    return wizard


def test_a_draft_survives_closing_the_window_and_reopening_the_database(
    qtbot, db, manager, ana, tmp_path
):
    window = _open_window(qtbot, db, manager)
    wizard = _start_for(qtbot, window, ana)
    wizard.next()
    qtbot.mouseClick(wizard.steps[1].rows["smoker"].yes, Qt.MouseButton.LeftButton)
    wizard.next()
    canvas = wizard.steps[2].map.canvas
    wizard.steps[2].map.show_view("face")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.area_position("chin").toPoint())
    qtbot.mouseClick(
        wizard.steps[2].cards["chin"].concerns["acne_scars"], Qt.MouseButton.LeftButton
    )
    window.close()  # closing flushes the draft at once, without waiting for the debounce

    url = str(db.url)
    db.close()
    reopened = Database.open(url)
    try:
        actor = context_for(signed(reopened, manager)).actor
        [summary] = consultations.list_for_patient(reopened, actor, ana.id)
        assert summary.status == "draft"
        record = consultations.get_consultation(reopened, actor, summary.id)
        assert record.draft_step == 2
        assert [(a.area, a.concerns) for a in record.consultation.areas] == [
            ("chin", ("acne_scars",))
        ]
        assert record.consultation.history["smoker"].present

        again = _open_window(qtbot, reopened, manager)
        again.resume_consultation(ana, summary.id)
        resumed = again.consultation
        assert resumed.current() == 2
        assert resumed.steps[2].map.selected() == ("chin",)
        assert resumed.steps[2].cards["chin"].chosen_concerns() == ("acne_scars",)
        assert resumed.steps[1].rows["smoker"].yes.isChecked()
        again.close()
    finally:
        reopened.close()


def test_changes_are_saved_while_working_without_closing(qtbot, db, manager, ana, context):
    window = _open_window(qtbot, db, manager)
    wizard = _start_for(qtbot, window, ana)
    wizard.next()
    qtbot.mouseClick(wizard.steps[1].rows["rosacea"].yes, Qt.MouseButton.LeftButton)

    def stored_history():
        [summary] = consultations.list_for_patient(db, context.actor, ana.id)
        return consultations.get_consultation(db, context.actor, summary.id).consultation.history

    qtbot.waitUntil(lambda: "rosacea" in stored_history(), timeout=30_000)


def test_going_on_past_a_defer_verdict_needs_a_written_reason(qtbot, db, manager, ana, context):
    window = _open_window(qtbot, db, manager)
    wizard = _start_for(qtbot, window, ana)
    wizard.draft.consultation_date = date(2026, 11, 20)
    wizard.go_to(1)
    pregnant = wizard.steps[1].rows["pregnant"]
    qtbot.mouseClick(pregnant.yes, Qt.MouseButton.LeftButton)
    answer_the_rest_no(qtbot, wizard.steps[1])
    wizard.go_to(2)
    canvas = wizard.steps[2].map.canvas
    wizard.steps[2].map.show_view("face")
    qtbot.mouseClick(
        canvas, Qt.MouseButton.LeftButton, pos=canvas.area_position("cheeks").toPoint()
    )
    wizard.go_to(3)
    screening = wizard.steps[3]
    assert screening.result.verdict in ("defer", "decline")
    assert screening.reason.isVisible()
    assert not wizard.go_to(4)
    assert wizard.current() == 3
    assert "reason" in wizard.status.text()
    qtbot.keyClicks(screening.reason, "Obstetrician's written clearance seen and filed.")
    assert wizard.go_to(4)
    wizard.flush_draft()
    [summary] = consultations.list_for_patient(db, context.actor, ana.id)
    record = consultations.get_consultation(db, context.actor, summary.id)
    assert record.override_reason == "Obstetrician's written clearance seen and filed."
    window.close()


def test_the_patient_card_offers_the_unfinished_consultation(qtbot, db, manager, ana):
    window = _open_window(qtbot, db, manager)
    wizard = _start_for(qtbot, window, ana)
    # The record is created on a worker, so the page opens before it exists.
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)
    draft_id = wizard.draft.consultation_id
    qtbot.mouseClick(wizard.close_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.home
    qtbot.keyClicks(window.patients.search_box, "souza")
    qtbot.waitUntil(lambda: window.patients.model.rowCount() == 1, timeout=30_000)
    window.patients.table.selectRow(0)
    detail = window.patients.detail
    qtbot.waitUntil(detail.resume_button.isVisible, timeout=30_000)
    assert "draft, not finished" in detail.consultations.item(0).text()
    qtbot.mouseClick(detail.resume_button, Qt.MouseButton.LeftButton)
    assert window.consultation is not None
    assert window.consultation.draft.consultation_id == draft_id
    window.close()
