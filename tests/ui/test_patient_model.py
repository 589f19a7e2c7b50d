"""The patient table model: correct for Qt's model tester, and shows what it was given."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt

from consult.storage.patients import PatientRecord
from ui.patients.model import COLUMNS, PatientRole, PatientTableModel
from ui.widgets.dates import show_date


def _record(number: int, name: str, phone: str | None = None) -> PatientRecord:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return PatientRecord(number, name, date(1980, 1, number), None, None, phone, now, now, 1)


def test_model_passes_qt_model_tester(qtmodeltester):
    model = PatientTableModel()
    model.set_patients([_record(1, "Ana Souza", "+1 555 0100"), _record(2, "Zoë Ångström")])
    qtmodeltester.check(model, force_py=True)


def test_empty_model_passes_qt_model_tester(qtmodeltester):
    qtmodeltester.check(PatientTableModel(), force_py=True)


def test_rows_show_name_date_and_phone_and_carry_the_record():
    model = PatientTableModel()
    ana = _record(2, "Ana Souza", "+1 555 0100")
    model.set_patients([ana])
    row = [model.data(model.index(0, column)) for column in range(len(COLUMNS))]
    assert row == ["Ana Souza", show_date(date(1980, 1, 2)), "+1 555 0100", ""]
    assert model.data(model.index(0, 0), PatientRole) is ana
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Date of birth"
    assert model.row_of(2) == 0
    assert model.row_of(99) == -1
