"""Two seats save the same patient: the second sees both versions and decides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from consult.access import Actor
from consult.clinical.fileformat import Patient
from consult.errors import StaleRecord
from consult.storage import Database, patients
from consult.storage.patients import PatientRecord
from ui.admin.conflict_dialog import (
    DIFFERS,
    ConflictDialog,
    compare,
    display_value,
    resolve_conflict,
)
from ui.widgets.dates import show_date

# The offscreen platform used by the tests cannot size native windows; harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LABELS = {
    "name": "Name",
    "date_of_birth": "Date of birth",
    "fitzpatrick": "Fitzpatrick type",
    "email": "E-mail",
    "phone": "Phone",
}
ANA = Patient("Ana Souza", date(1989, 4, 2), 3, "ana@example.org", "+1 555 0100")


def details(record: PatientRecord) -> dict[str, object]:
    return {field: getattr(record, field) for field in LABELS}


def answer_next_dialog(button: str, seen: list[ConflictDialog], tries: int = 200) -> None:
    """Once the modal ConflictDialog is up, note what it shows and click `button`."""

    def act(remaining: int) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ConflictDialog):
            seen.append(dialog)
            getattr(dialog, button).click()
        elif remaining:
            QTimer.singleShot(10, lambda: act(remaining - 1))

    QTimer.singleShot(0, lambda: act(tries))


def save_from_seat(
    db: Database, actor: Actor, read: PatientRecord, mine: dict[str, object],
    choose: Callable[[dict[str, object]], str | None],
) -> PatientRecord:
    """What a form does on Save: try; on StaleRecord re-read, ask, and act on the answer."""
    try:
        return patients.update(db, actor, read.id, expected_version=read.version, **mine)
    except StaleRecord:
        fresh = patients.get_patient(db, actor, read.id)
        choice = choose(details(fresh))
        if choice == "mine":
            return patients.update(db, actor, read.id, expected_version=fresh.version, **mine)
        return fresh


@pytest.fixture
def seats(database_url, db, manager, practitioner):
    """Two workstations: two Database objects on the same database, one patient."""
    second = Database.open(database_url)
    record = patients.create_patient(db, manager, ANA)
    yield (db, manager), (second, practitioner), record.id
    second.close()


@pytest.mark.parametrize(
    ("button", "expected_name", "expected_phone", "expected_version"),
    [
        ("mine_button", "Ana Souza-Lima", "+1 555 0199", 3),
        ("theirs_button", "Ana Souza", "+1 555 0142", 2),
    ],
)
def test_the_second_seat_decides_which_version_is_kept(
    qtbot, holder, seats, button, expected_name, expected_phone, expected_version
):
    (db_a, seat_a), (db_b, seat_b), patient_id = seats
    read_a = patients.get_patient(db_a, seat_a, patient_id)
    read_b = patients.get_patient(db_b, seat_b, patient_id)
    assert read_a.version == read_b.version == 1

    a_values = details(read_a) | {"phone": "+1 555 0142"}
    patients.update(db_a, seat_a, patient_id, expected_version=read_a.version, **a_values)
    b_values = details(read_b) | {"name": "Ana Souza-Lima", "phone": "+1 555 0199"}
    with pytest.raises(StaleRecord):
        patients.update(db_b, seat_b, patient_id, expected_version=read_b.version, **b_values)

    seen: list[ConflictDialog] = []
    answer_next_dialog(button, seen)
    save_from_seat(db_b, seat_b, read_b, b_values,
                   lambda theirs: resolve_conflict(holder, LABELS, b_values, theirs))

    shown = {row.field: row for row in seen[0].rows}
    assert (shown["phone"].theirs, shown["phone"].mine) == ("+1 555 0142", "+1 555 0199")
    assert (shown["name"].theirs, shown["name"].mine) == ("Ana Souza", "Ana Souza-Lima")
    assert [row.field for row in seen[0].rows if row.differs] == ["name", "phone"]
    final = patients.get_patient(db_a, seat_a, patient_id)
    assert (final.name, final.phone, final.version) == (
        expected_name, expected_phone, expected_version
    )


def test_cancelling_saves_nothing(qtbot, holder, seats):
    (db_a, seat_a), (db_b, seat_b), patient_id = seats
    read_b = patients.get_patient(db_b, seat_b, patient_id)
    a_values = details(read_b) | {"email": "ana@clinic.example"}
    patients.update(db_a, seat_a, patient_id, expected_version=1, **a_values)

    seen: list[ConflictDialog] = []
    answer_next_dialog("cancel_button", seen)
    b_values = details(read_b) | {"email": "ana.souza@example.org"}
    save_from_seat(db_b, seat_b, read_b, b_values,
                   lambda theirs: resolve_conflict(holder, LABELS, b_values, theirs))

    assert seen[0].choice is None
    final = patients.get_patient(db_a, seat_a, patient_id)
    assert (final.email, final.version) == ("ana@clinic.example", 2)


def test_changed_fields_are_marked_in_words_and_bold(qtbot):
    mine = {"name": "Ana", "phone": "1", "fitzpatrick": 3}
    theirs = {"name": "Ana", "phone": "2", "fitzpatrick": None}
    dialog = ConflictDialog({"name": "Name", "phone": "Phone", "fitzpatrick": "Type"},
                            mine, theirs)
    qtbot.addWidget(dialog)
    table = dialog.table
    cells = [[table.item(row, col).text() for col in range(4)] for row in range(3)]
    assert cells == [
        ["", "Name", "Ana", "Ana"],
        [DIFFERS, "Phone", "2", "1"],
        [DIFFERS, "Type", "(blank)", "3"],
    ]
    assert table.item(1, 1).font().bold()
    assert not table.item(0, 1).font().bold()
    assert "2 fields differ: Phone, Type" in dialog.summary_label.text()
    assert dialog.cancel_button.isDefault()


def test_escape_cancels(qtbot):
    dialog = ConflictDialog({"name": "Name"}, {"name": "a"}, {"name": "b"})
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.rejected, timeout=30_000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.choice is None


def test_fields_without_a_label_still_appear_and_values_read_as_typed():
    rows = compare({"name": "Name"}, {"name": "A", "zeta": [1, 2]},
                   {"name": "A", "alpha": date(2026, 1, 2)})
    assert [(row.label, row.theirs, row.mine) for row in rows] == [
        ("Name", "A", "A"),
        ("alpha", show_date(date(2026, 1, 2)), "(blank)"),
        ("zeta", "(blank)", "1, 2"),
    ]
    assert display_value(True) == "Yes"
    assert display_value("") == display_value(None) == "(blank)"


def _stale_save(db, actor, patient_id, read, values) -> StaleRecord:
    with pytest.raises(StaleRecord) as refused:
        patients.update(db, actor, patient_id, expected_version=read.version, **values)
    return refused.value


def test_the_conflict_names_the_other_user_who_saved(qtbot, holder, seats):
    (db_a, seat_a), (db_b, seat_b), patient_id = seats
    read_b = patients.get_patient(db_b, seat_b, patient_id)
    patients.update(db_a, seat_a, patient_id, expected_version=1,
                    **(details(read_b) | {"phone": "+1 555 0142"}))
    mine = details(read_b) | {"phone": "+1 555 0199"}
    stale = _stale_save(db_b, seat_b, patient_id, read_b, mine)

    theirs = details(patients.get_patient(db_b, seat_b, patient_id))
    dialog = ConflictDialog(LABELS, mine, theirs, holder, stale.author)
    header = dialog.table.horizontalHeaderItem(2).text()
    assert stale.author.startswith(f"Mara Manager ({seat_a.username}) on ")
    assert f"({seat_a.username}) on " in dialog.summary_label.text()
    assert f"({seat_a.username})" in header
    for text in (dialog.summary_label.text(), header, dialog.windowTitle(), str(stale)):
        assert "someone else" not in text.lower()


def test_the_same_user_in_two_windows_is_told_it_was_their_other_window(qtbot, holder, seats):
    (db_a, seat_a), _, patient_id = seats
    first = patients.get_patient(db_a, seat_a, patient_id)
    second = patients.get_patient(db_a, seat_a, patient_id)
    patients.update(db_a, seat_a, patient_id, expected_version=first.version,
                    **(details(first) | {"phone": "+1 555 0142"}))
    mine = details(second) | {"phone": "+1 555 0199"}
    stale = _stale_save(db_a, seat_a, patient_id, second, mine)

    theirs = details(patients.get_patient(db_a, seat_a, patient_id))
    dialog = ConflictDialog(LABELS, mine, theirs, holder, stale.author)
    assert dialog.summary_label.text().startswith("You saved this record in another window on ")
    assert dialog.table.horizontalHeaderItem(2).text() == "Saved in your other window (theirs)"
    assert "someone else" not in dialog.summary_label.text().lower()
