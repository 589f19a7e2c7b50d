"""The patient list as a Qt table model over precomputed rows.

Rows arrive from a background search as plain frozen records; everything the view
asks for is computed once in `set_patients`, so `data()` only indexes tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from ui.widgets.dates import show_date

COLUMNS = ("Name", "Date of birth", "Phone", "E-mail")
PatientRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def _display(patient: Any) -> tuple[str, str, str, str]:
    born = patient.date_of_birth
    return (
        patient.name,
        show_date(born),
        patient.phone or "",
        patient.email or "",
    )


class PatientTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._patients: tuple[Any, ...] = ()
        self._rows: tuple[tuple[str, str, str, str], ...] = ()

    def set_patients(self, patients: Sequence[Any]) -> None:
        self.beginResetModel()
        self._patients = tuple(patients)
        self._rows = tuple(_display(patient) for patient in self._patients)
        self.endResetModel()

    def patient_at(self, row: int) -> Any | None:
        return self._patients[row] if 0 <= row < len(self._patients) else None

    def row_of(self, patient_id: int) -> int:
        for row, patient in enumerate(self._patients):
            if patient.id == patient_id:
                return row
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == PatientRole:
            return self._patients[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None
