"""A second record for a registered patient is caught; a manager merges two records."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from consult.clinical.fileformat import Patient
from consult.storage import patients
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.patients.dialog import OPEN_EXISTING, PatientDialog
from ui.patients.merge import MergeDialog
from ui.widgets.dates import show_date

pytestmark = OFFSCREEN_SIZE_HINTS


def _new_patient_dialog(qtbot, context, saved: list):
    def save(values):
        record = patients.create_patient(context.user.database, context.actor, Patient(**values))
        saved.append(record)
        return record

    def find_existing(name, born):
        return patients.find_duplicates(context.user.database, context.actor, name, born)

    dialog = PatientDialog(save, None, find_existing=find_existing)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "ana  SOUZA")
    qtbot.keyClicks(dialog.date_of_birth, show_date(date(1989, 4, 2)))
    return dialog


def test_the_same_name_and_birth_date_offers_the_existing_record(qtbot, context, ana):
    saved: list = []
    dialog = _new_patient_dialog(qtbot, context, saved)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    warning = dialog.duplicate_warning
    assert warning is not None and warning.isVisible()
    assert "Ana Souza, born" in warning.text()
    assert f"record {ana.id}" in warning.informativeText()
    with qtbot.waitSignal(dialog.finished, timeout=30000) as finished:
        qtbot.mouseClick(warning.open_button, Qt.MouseButton.LeftButton)
    assert finished.args == [OPEN_EXISTING]
    assert dialog.existing.id == ana.id
    assert saved == []  # nothing was created


def test_a_second_record_can_still_be_created_on_purpose(qtbot, context, ana):
    saved: list = []
    dialog = _new_patient_dialog(qtbot, context, saved)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        qtbot.mouseClick(dialog.duplicate_warning.create_button, Qt.MouseButton.LeftButton)
    assert [record.name for record in saved] == ["ana  SOUZA"]
    assert len(patients.find_duplicates(context.user.database, context.actor, "Ana Souza",
                                        date(1989, 4, 2))) == 2


def test_back_leaves_the_form_as_typed(qtbot, context, ana):
    saved: list = []
    dialog = _new_patient_dialog(qtbot, context, saved)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.duplicate_warning.back_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0 and saved == []
    assert dialog.name.text() == "ana  SOUZA"


def test_a_manager_merges_after_seeing_both_records(qtbot, context, ana):
    second = patients.create_patient(
        context.user.database, context.actor, Patient("Ana Souza", date(1989, 4, 2), None, None,
                                           "+1 555 0199"))
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = MergeDialog(context, ana, parent)
    assert not dialog.merge_button.isEnabled()
    assert dialog.candidates.count() == 1  # the same name and birth date, found at once
    dialog.candidates.setCurrentRow(0)
    assert "+1 555 0100" in dialog.first.text() and "+1 555 0199" in dialog.second.text()
    assert f"keeps record {ana.id}" in dialog.summary.text()
    qtbot.mouseClick(dialog.keep_second, Qt.MouseButton.LeftButton)
    assert f"keeps record {second.id}" in dialog.summary.text()
    assert "cannot be undone" in dialog.summary.text()
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert dialog.merged.id == second.id
    remaining = patients.find_duplicates(
        context.user.database, context.actor, "Ana Souza", date(1989, 4, 2)
    )
    assert [record.id for record in remaining] == [second.id]


def test_only_a_manager_sees_the_merge_button(qtbot, db, context, manager):
    from consult.storage import users
    from ui.patients.page import PatientDetail
    from ui.shell.app import context_for

    reception = users.create_user(db, context.actor, username="rita", full_name="Rita",
                                  role="reception", password="a long reception passphrase")
    for ctx, visible in ((context, True), (context_for(signed(db, reception)), False)):
        parent = QWidget()
        qtbot.addWidget(parent)
        detail = PatientDetail(ctx, parent)
        assert detail.merge_button.isVisibleTo(parent) is visible
