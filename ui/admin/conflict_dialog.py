"""When two seats edited the same record: both versions side by side, the user decides.

A save refused with `StaleRecord` (the record was saved first elsewhere) must never end in a
silent overwrite nor in lost typing. The dialog shows, field by field, the version
now in the database ("theirs") next to the one being saved ("mine"); fields that
differ are marked in words ("differs") and in bold, not by colour alone. The user
keeps theirs (reload), overwrites with mine (saved on top of their version, which
the caller re-reads first) or cancels and keeps editing.

    choice = resolve_conflict(self, {"name": "Name", "phone": "Phone"}, mine, theirs)
    if choice == "mine": save again with the fresh version number
    elif choice == "theirs": reload the record into the form
    else: leave the form as it is (nothing saved)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from PySide6.QtCore import Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.dates import show_date, show_datetime

Choice = Literal["mine", "theirs"]
DIFFERS = "≠ differs"
BLANK = "(blank)"
THEIRS_HEADER = "Saved meanwhile (theirs)"
MINE_HEADER = "Yours, not saved (mine)"


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine


def display_value(value: object) -> str:
    """A field's value as the user would type it; blank and absent look the same."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return show_datetime(value)
    if isinstance(value, date):
        return show_date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(display_value(item) for item in value) or BLANK
    return str(value)


def compare(
    field_labels: Mapping[str, str], mine: Mapping[str, object], theirs: Mapping[str, object]
) -> list[FieldComparison]:
    """One row per field: the labelled fields in their order, then any others by name."""
    unlabelled = sorted((set(mine) | set(theirs)) - set(field_labels))
    fields = [*field_labels, *unlabelled]
    return [
        FieldComparison(
            field,
            field_labels.get(field, field),
            display_value(theirs.get(field)),
            display_value(mine.get(field)),
        )
        for field in fields
    ]


def saved_by(author: str) -> str:
    """Who saved the other version, as the start of a sentence; never "someone else"."""
    if not author:
        return "This record was saved again"
    if author.startswith("you"):
        return f"You saved this record {author.removeprefix('you').lstrip(', ')}"
    return f"{author} saved this record"


def summary(rows: list[FieldComparison], author: str = "") -> str:
    changed = [row.label for row in rows if row.differs]
    if not changed:
        return f"{saved_by(author)} meanwhile, with the same values as yours."
    fields = "1 field differs" if len(changed) == 1 else f"{len(changed)} fields differ"
    return (
        f"{saved_by(author)} while you were editing it. {fields}: "
        f"{', '.join(changed)}. Choose which version to keep; nothing has been overwritten."
    )


def headers(author: str) -> tuple[str, str, str, str]:
    theirs = f"Saved by {author} (theirs)" if author else THEIRS_HEADER
    if author.startswith("you"):
        theirs = "Saved in your other window (theirs)"
    return ("", "Field", theirs, MINE_HEADER)


class ConflictDialog(QDialog):
    """Theirs and mine side by side; `choice` is "mine", "theirs" or None (cancelled)."""

    def __init__(
        self,
        field_labels: Mapping[str, str],
        mine: Mapping[str, object],
        theirs: Mapping[str, object],
        parent: QWidget | None = None,
        author: str = "",
    ) -> None:
        super().__init__(parent)
        self.author = author
        self.setWindowTitle("This record was saved meanwhile")
        self.setMinimumWidth(640)
        self.choice: Choice | None = None
        self.rows = compare(field_labels, mine, theirs)
        self.summary_label = QLabel(summary(self.rows, author), self)
        self.summary_label.setWordWrap(True)
        self.table = self._table()
        self.theirs_button = QPushButton("Keep theirs (reload)", self)
        self.mine_button = QPushButton("Overwrite with mine", self)
        self.cancel_button = QPushButton("Cancel (keep editing)", self)
        self.theirs_button.setToolTip("Discard your changes and show the saved version")
        self.mine_button.setToolTip("Save your version on top of theirs")
        # Enter must not pick a version: the safe default only closes the dialog.
        self.cancel_button.setDefault(True)
        self._lay_out()
        self.theirs_button.clicked.connect(self._choose_theirs)
        self.mine_button.clicked.connect(self._choose_mine)
        self.cancel_button.clicked.connect(self.reject)

    def _table(self) -> QTableWidget:
        labels = headers(self.author)
        table = QTableWidget(len(self.rows), len(labels), self)
        table.setHorizontalHeaderLabels(labels)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for number, row in enumerate(self.rows):
            cells = (DIFFERS if row.differs else "", row.label, row.theirs, row.mine)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if row.differs:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(number, column, item)
        return table

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.theirs_button)
        buttons.addWidget(self.mine_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    @Slot()
    def _choose_theirs(self) -> None:
        self._choose("theirs")

    @Slot()
    def _choose_mine(self) -> None:
        self._choose("mine")

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = None
        super().reject()


def resolve_conflict(
    parent: QWidget | None,
    field_labels: Mapping[str, str],
    mine: Mapping[str, object],
    theirs: Mapping[str, object],
    author: str = "",
) -> Choice | None:
    """Ask which version to keep after a StaleRecord; None means the user cancelled.

    `author` is the StaleRecord's: who saved the other version.
    """
    dialog = ConflictDialog(field_labels, mine, theirs, parent, author)
    try:
        dialog.exec()
        return dialog.choice
    finally:
        dialog.deleteLater()
