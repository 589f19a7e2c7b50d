"""A read-only table over rows computed before they are shown.

Screens that list a handful of records (a patient's sessions, this week's bookings, the
lots, a recall's hits) hand the model a tuple of rows, each the cells' texts and the
record it stands for (its payload). `data()` only indexes into those tuples, so painting
never computes, formats or queries anything. `payload(row)` gives the record back for
the screen's buttons; `table_view(...)` makes the read-only, one-row-selecting view they
all share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
PayloadRole = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Row:
    """One row: its cells' texts, one per header, and the record it shows."""

    cells: tuple[str, ...]
    payload: Any = None


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: tuple[Row, ...] = ()

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show `rows` in place of those held; each has one cell per header."""
        width = len(self._headers)
        for number, row in enumerate(rows):
            if len(row.cells) != width:
                raise ValueError(f"row {number} has {len(row.cells)} cells for {width} headers")
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def payload(self, row: int) -> Any:
        return self._rows[row].payload

    def payloads(self) -> tuple[Any, ...]:
        return tuple(row.payload for row in self._rows)

    def cells(self, row: int) -> tuple[str, ...]:
        return self._rows[row].cells

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()].cells[index.column()]
        if role == PayloadRole:
            return self._rows[index.row()].payload
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def table_view(model: RowsModel, parent: QWidget, name: str) -> QTableView:
    """A read-only view selecting one whole row at a time, columns fitted to their text."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    # Columns as wide as their text (a product or a record number is never cut short), the
    # last one taking the room left; these listings hold tens of rows, so measuring is cheap.
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setAccessibleName(name)
    view.setTabKeyNavigation(False)
    return view


def selected_row(view: QTableView) -> int | None:
    """The selected row's number, or None."""
    selection = view.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    return rows[0].row() if rows else None
