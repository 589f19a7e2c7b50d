"""Merging two records of one patient (managers): find the other, compare, confirm.

The dialog starts from the patient on screen and lists records with the same name and
date of birth (any other can be found by search). Choosing one shows both side by
side with which is kept and what moves; "Merge" is pressed on that comparison, so
the manager confirms with both records in front of them. The core
(consult.services.patients.merge) checks the role and both versions.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.services import patients
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.shell.style import make_primary
from ui.widgets.dates import show_date

RecordRole = Qt.ItemDataRole.UserRole + 3
CANDIDATES = 20


class MergeDialog(QDialog):
    def __init__(self, context: AppContext, patient: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge patient records")
        self.setMinimumWidth(620)
        self.context = context
        self.patient = patient
        self.other: Any = None
        self.merged: Any = None  # the kept record, once merged
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find the other record: name, date of birth or phone")
        self.find_button = QPushButton("Find", self)
        self.candidates = QListWidget(self)
        self.candidates.setAccessibleName("Other records")
        self.first = QLabel(self)
        self.second = QLabel(self)
        self.keep_first = QRadioButton("Keep this record", self)
        self.keep_second = QRadioButton("Keep this record", self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.merge_button = make_primary(
            self.buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        )
        self._build()
        self._candidates(patients.find_duplicates(
            context.user, patient.name, patient.date_of_birth
        ))

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Merge {self.patient.name}'s record with another record "
                                "of the same person.", self))
        finder = QHBoxLayout()
        finder.addWidget(self.search, 1)
        finder.addWidget(self.find_button)
        layout.addLayout(finder)
        layout.addWidget(self.candidates)
        both = QGridLayout()
        for column, (label, keep) in enumerate(
            ((self.first, self.keep_first), (self.second, self.keep_second))
        ):
            label.setObjectName("card")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setAlignment(Qt.AlignmentFlag.AlignTop)
            both.addWidget(label, 0, column)
            both.addWidget(keep, 1, column)
        layout.addLayout(both)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.first.setText(_card(self.patient))
        self.keep_first.setChecked(True)
        for widget in (self.second, self.keep_first, self.keep_second, self.merge_button):
            widget.setEnabled(False)
        self.find_button.clicked.connect(self.find)
        self.search.returnPressed.connect(self.find)
        self.candidates.currentItemChanged.connect(self._chosen)
        self.keep_first.toggled.connect(self._describe)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def find(self) -> None:
        try:
            found = patients.search(
                self.context.user, self.search.text(), limit=CANDIDATES
            )
        except ConsultError as error:
            show_problem(self, error)
            return
        self._candidates(found)

    def _candidates(self, found: list[Any]) -> None:
        self.candidates.clear()
        for record in found:
            if record.id == self.patient.id:
                continue
            item = QListWidgetItem(_line(record), self.candidates)
            item.setData(RecordRole, record)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        self.other = item.data(RecordRole) if item is not None else None
        self.second.setText(_card(self.other) if self.other is not None else "")
        for widget in (self.second, self.keep_first, self.keep_second, self.merge_button):
            widget.setEnabled(self.other is not None)
        self._describe()

    @Slot()
    def _describe(self) -> None:
        if self.other is None:
            self.summary.setText("Choose the other record above.")
            return
        kept, removed = self.kept_and_removed()
        self.summary.setText(
            f"Merging keeps record {kept.id} ({kept.name}) and moves the consultations, "
            f"medical histories, quotes and signed documents of record {removed.id} "
            f"({removed.name}) to it; record {removed.id} is then removed. Signed documents "
            "keep the name they were signed with. This cannot be undone."
        )

    def kept_and_removed(self) -> tuple[Any, Any]:
        if self.keep_first.isChecked():
            return self.patient, self.other
        return self.other, self.patient

    @Slot()
    def merge(self) -> None:
        if self.other is None:
            return
        kept, removed = self.kept_and_removed()
        try:
            result = patients.merge(
                self.context.user, kept.id, removed.id,
                keep_version=kept.version, remove_version=removed.version,
            )
        except ConsultError as error:
            show_problem(self, error)
            return
        self.merged = result.kept
        self.accept()


def _line(record: Any) -> str:
    return f"{record.name}, born {show_date(record.date_of_birth)} (record {record.id})"


def _card(record: Any) -> str:
    lines = [
        f"Record {record.id}",
        record.name,
        f"Born {show_date(record.date_of_birth)}",
        f"Phone: {record.phone or 'not recorded'}",
        f"E-mail: {record.email or 'not recorded'}",
        f"Registered {show_date(record.created_at.astimezone().date())}",
    ]
    return "\n".join(lines)
