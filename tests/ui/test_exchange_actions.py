"""The File menu's exchange actions, driven as a user would, on a real clinic database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget
from sqlalchemy import select

from consult.clinical import fileformat
from consult.storage import consultations, exchange, patients, users
from consult.storage.models import AuditEvent
from consult.storage.models import Patient as PatientRow
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.patients.page import PatientsPage
from ui.shell.app import context_for
from ui.shell.exchange_actions import ExchangeActions
from ui.widgets.dates import show_date

pytestmark = OFFSCREEN_SIZE_HINTS
PASSWORD = "a long enough password"


class Shown:
    """Stands in for QMessageBox's static functions: records what the user would read."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, _parent, _title: str, text: str, *rest) -> QMessageBox.StandardButton:
        self.messages.append(text)
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def shown(monkeypatch) -> dict[str, Shown]:
    boxes = {"information": Shown(), "warning": Shown(), "critical": Shown()}
    for name, box in boxes.items():
        monkeypatch.setattr(QMessageBox, name, box)
    return boxes


def choose_file(monkeypatch, path: Path) -> None:
    """The next open or save dialog answers with `path`."""
    answer = staticmethod(lambda *args, **kwargs: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)


def make_actions(qtbot, context) -> ExchangeActions:
    window = QWidget()
    qtbot.addWidget(window)
    return ExchangeActions(context, window)


def context_with_role(db, context, role: str):
    user = users.create_user(
        db,
        context.actor,
        username=role,
        full_name=f"{role.title()} Person",
        role=role,
        password=PASSWORD,
    )
    return context_for(signed(db, user))


def audit_actions(db) -> list[str]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def example_files(examples: Path) -> list[Path]:
    found = sorted(examples.glob("*.json"))
    assert found, f"no consult/1 examples in {examples}"
    return found


def import_through_the_menu(qtbot, monkeypatch, actions: ExchangeActions, path: Path) -> str:
    choose_file(monkeypatch, path)
    with qtbot.waitSignal(actions.finished, timeout=30_000) as finished:
        actions.import_action.trigger()
    return finished.args[0]


# --------------------------------------------------------------------------- import


def test_importing_each_spec_example_registers_its_patient(
    qtbot, monkeypatch, db, context, examples, shown
):
    actions = make_actions(qtbot, context)
    for example in example_files(examples):
        expected = fileformat.load(example)
        message = import_through_the_menu(qtbot, monkeypatch, actions, example)

        with db.Session() as session:
            row = session.scalars(
                select(PatientRow).where(PatientRow.name == expected.patient.name)
            ).one()
        assert row.date_of_birth == expected.patient.date_of_birth
        [stored] = consultations.list_for_patient(db, context.actor, row.id)
        assert stored.status == "draft"
        assert f"{expected.patient.name} was registered as a new patient" in message
        assert example.name in message
        assert f"consultation of {show_date(expected.consultation_date)} is stored as a draft" in (
            message
        )
        assert shown["information"].messages[-1] == message
    assert audit_actions(db).count("consultation.import") == len(example_files(examples))


def _same_patient_other_details(examples: Path, tmp_path: Path) -> Path:
    document = json.loads(example_files(examples)[0].read_text("utf-8"))
    document["patient"]["email"] = "not.ana@example.org"
    document["patient"]["phone"] = "+1 555 0199"
    document["consultation_date"] = "2026-12-01"
    path = tmp_path / "again.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def _ask_about_a_registered_patient(qtbot, monkeypatch, db, context, examples, tmp_path):
    """Import the example, then a file for the same patient: the question is open."""
    actions = make_actions(qtbot, context)
    first = example_files(examples)[0]
    import_through_the_menu(qtbot, monkeypatch, actions, first)
    choose_file(monkeypatch, _same_patient_other_details(examples, tmp_path))
    actions.import_action.trigger()
    qtbot.waitUntil(lambda: actions.question is not None, timeout=30_000)
    with db.Session() as session:
        row = session.scalars(select(PatientRow)).one()
    return actions, actions.question, row


def _contact(db) -> list[tuple[str, str | None, str | None]]:
    with db.Session() as session:
        rows = session.scalars(select(PatientRow).order_by(PatientRow.id))
        return [(row.name, row.email, row.phone) for row in rows]


def test_a_file_for_a_registered_patient_shows_both_and_changes_nothing_yet(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    actions, question, row = _ask_about_a_registered_patient(
        qtbot, monkeypatch, db, context, examples, tmp_path
    )
    assert question.cells[("email", "stored")].text() == row.email
    assert question.cells[("email", "file")].text() == "not.ana@example.org"
    assert question.cells[("phone", "file")].text() == "+1 555 0199"
    assert question.cells[("name", "stored")].text() == row.name
    assert _contact(db) == [(row.name, row.email, row.phone)]
    assert len(consultations.list_for_patient(db, context.actor, row.id)) == 1

    with qtbot.waitSignal(actions.cancelled, timeout=30_000):
        question.reject()

    assert _contact(db) == [(row.name, row.email, row.phone)]
    assert len(consultations.list_for_patient(db, context.actor, row.id)) == 1
    assert actions.question is None


def test_keeping_the_stored_details_adds_only_the_consultation(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    actions, question, row = _ask_about_a_registered_patient(
        qtbot, monkeypatch, db, context, examples, tmp_path
    )
    with qtbot.waitSignal(actions.finished, timeout=30_000) as finished:
        question.keep_button.click()
    assert f"added to the records of {row.name}, whose contact details were kept" in (
        finished.args[0]
    )
    assert _contact(db) == [(row.name, row.email, row.phone)]
    assert len(consultations.list_for_patient(db, context.actor, row.id)) == 2


def test_using_the_files_details_updates_them(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    actions, question, row = _ask_about_a_registered_patient(
        qtbot, monkeypatch, db, context, examples, tmp_path
    )
    with qtbot.waitSignal(actions.imported, timeout=30_000) as imported:
        question.file_button.click()
    assert imported.args[0].patient_id == row.id
    assert _contact(db) == [(row.name, "not.ana@example.org", "+1 555 0199")]
    assert "whose e-mail, phone now come from the file" in shown["information"].messages[-1]


def test_a_different_patient_is_registered_beside_the_first(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    actions, question, row = _ask_about_a_registered_patient(
        qtbot, monkeypatch, db, context, examples, tmp_path
    )
    with qtbot.waitSignal(actions.imported, timeout=30_000) as imported:
        question.new_button.click()
    assert imported.args[0].patient_created
    assert _contact(db) == [
        (row.name, row.email, row.phone), (row.name, "not.ana@example.org", "+1 555 0199"),
    ]


def test_a_bad_file_is_refused_with_the_field_named_line(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    document = json.loads((examples / "rf-with-history.json").read_text("utf-8"))
    document["history"]["isotretinoin"]["date"] = "2026-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), "utf-8")
    actions = make_actions(qtbot, context)
    choose_file(monkeypatch, bad)

    with qtbot.waitSignal(actions.failed, timeout=30_000) as failed:
        actions.import_action.trigger()
        # The answer comes through the event loop, so the job is still on record here.
        assert not actions.import_action.isEnabled()

    [line] = shown["warning"].messages
    assert line == failed.args[0]
    assert line.startswith("history.isotretinoin.date: ")
    assert "2026-02-30" in line and "\n" not in line and "Traceback" not in line
    assert shown["critical"].messages == [] and shown["information"].messages == []
    with db.Session() as session:
        assert session.scalars(select(PatientRow)).all() == []
    assert actions.import_action.isEnabled()  # ready for the corrected file


def test_cancelling_the_file_dialog_does_nothing(qtbot, monkeypatch, db, context, shown):
    actions = make_actions(qtbot, context)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    actions.import_action.trigger()
    assert not actions._worker.busy()
    assert shown["information"].messages == shown["warning"].messages == []


# --------------------------------------------------------------------------- export


def test_an_exported_consultation_loads_back_as_the_imported_file(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    example = examples / "rf-with-history.json"
    result = exchange.import_file(db, context.actor, example)
    actions = make_actions(qtbot, context)
    actions.set_selection(result.patient_id, result.consultation_id)
    choose_file(monkeypatch, tmp_path / "marek")  # typed without the extension

    with qtbot.waitSignal(actions.finished, timeout=30_000) as finished:
        actions.export_action.trigger()

    written = tmp_path / "marek.json"
    assert fileformat.load(written) == fileformat.load(example)
    assert json.loads(written.read_text("utf-8")) == json.loads(example.read_text("utf-8"))
    assert str(written) in finished.args[0]
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left beside it
    assert audit_actions(db)[-1] == "consultation.export"


def test_exporting_a_consultation_without_areas_says_why(
    qtbot, monkeypatch, db, context, ana, tmp_path, shown
):
    patient = fileformat.Patient(ana.name, ana.date_of_birth)
    empty = fileformat.Consultation(ana.created_at.date(), patient, "microneedling", ())
    draft = consultations.create_draft(db, context.actor, ana.id, empty)
    actions = make_actions(qtbot, context)
    actions.set_selection(ana.id, draft.id)
    choose_file(monkeypatch, tmp_path / "empty.json")

    with qtbot.waitSignal(actions.failed, timeout=30_000):
        actions.export_action.trigger()

    assert shown["warning"].messages == [
        "areas: the consultation has no areas yet; nothing to export"
    ]
    assert not (tmp_path / "empty.json").exists()


def test_the_patient_zip_holds_only_that_patient(
    qtbot, monkeypatch, db, context, examples, tmp_path, shown
):
    first, second = (
        exchange.import_file(db, context.actor, example) for example in example_files(examples)[:2]
    )
    name = patients.get_patient(db, context.actor, first.patient_id).name
    other = patients.get_patient(db, context.actor, second.patient_id).name
    actions = make_actions(qtbot, context)
    actions.set_selection(first.patient_id, None)
    target = tmp_path / "request.zip"
    choose_file(monkeypatch, target)

    with qtbot.waitSignal(actions.finished, timeout=30_000) as finished:
        actions.patient_export_action.trigger()

    message = finished.args[0]
    assert str(target) in message and name in message and "only this patient" in message
    counts = "(1 consultation, 0 quotes, 0 signed consents, 0 treatment sessions, 0 photos, "
    assert counts in message
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        patient = json.loads(archive.read("patient.json"))
        everything = b"".join(archive.read(member) for member in names)
    assert manifest["patient_id"] == first.patient_id
    assert patient["name"] == name
    assert f"consultations/{first.consultation_id}.json" in names
    assert f"consultations/{second.consultation_id}.json" not in names
    assert other.encode() not in everything
    assert audit_actions(db)[-1] == "patient.export"


# --------------------------------------------------------------------------- who and when


def test_the_exports_wait_for_a_selection(qtbot, context):
    actions = make_actions(qtbot, context)
    assert actions.import_action.isEnabled()
    assert not actions.export_action.isEnabled()
    assert not actions.patient_export_action.isEnabled()
    actions.set_selection(4, None)
    assert actions.patient_export_action.isEnabled() and not actions.export_action.isEnabled()
    actions.set_selection(4, 9)
    assert actions.export_action.isEnabled()
    actions.set_selection(None, 9)  # no patient: no consultation either
    assert not actions.export_action.isEnabled()
    assert not actions.patient_export_action.isEnabled()


def test_reception_has_none_of_the_actions(qtbot, db, context):
    reception = context_with_role(db, context, "reception")
    actions = make_actions(qtbot, reception)
    actions.set_selection(1, 1)
    for action in actions.actions():
        assert not action.isVisible() and not action.isEnabled()


def test_a_practitioner_may_import_and_export(qtbot, db, context):
    practitioner = context_with_role(db, context, "practitioner")
    actions = make_actions(qtbot, practitioner)
    actions.set_selection(1, 1)
    for action in actions.actions():
        assert action.isVisible() and action.isEnabled()


def test_the_actions_go_into_a_menu(qtbot, context):
    actions = make_actions(qtbot, context)
    menu = QMenu("&File")
    actions.add_to(menu)
    assert [action.text() for action in menu.actions()] == [
        "Import consultation file…",
        "Export consultation file…",
        "Export patient records (zip)…",
    ]


def test_following_the_patients_page_picks_up_patient_and_consultation(
    qtbot, db, context, examples
):
    result = exchange.import_file(db, context.actor, examples / "acne-scars.json")
    name = patients.get_patient(db, context.actor, result.patient_id).name
    window = QWidget()
    qtbot.addWidget(window)
    page = PatientsPage(context, window)
    actions = ExchangeActions(context, window)
    actions.follow(page)

    page.search_box.setText(name)
    qtbot.waitUntil(lambda: page.model.row_of(result.patient_id) >= 0, timeout=30_000)
    page.table.selectRow(page.model.row_of(result.patient_id))
    assert actions.patient_id == result.patient_id and actions.consultation_id is None
    qtbot.waitUntil(lambda: page.detail.consultations.count() == 1, timeout=30_000)
    page.detail.consultations.setCurrentRow(0)

    assert actions.consultation_id == result.consultation_id
    assert actions.export_action.isEnabled()
    page.table.clearSelection()
    assert actions.patient_id is None and not actions.patient_export_action.isEnabled()
