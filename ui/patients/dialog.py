"""New and edit patient: contact details, checked field by field before saving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError, InvalidField
from ui.dates import date_hint, parse_date, show_date
from ui.forms import ErrorLabel
from ui.style import make_primary

LABELS = {
    "name": "Name",
    "date_of_birth": "Date of birth",
    "fitzpatrick": "Skin type (Fitzpatrick)",
    "email": "E-mail",
    "phone": "Phone",
}
FITZPATRICK = (
    (None, "Not recorded"),
    (1, "I: always burns, never tans"),
    (2, "II: usually burns, tans minimally"),
    (3, "III: sometimes burns, tans uniformly"),
    (4, "IV: burns minimally, tans well"),
    (5, "V: rarely burns, tans profusely"),
    (6, "VI: never burns, deeply pigmented"),
)

SavePatient = Callable[[dict[str, Any]], Any]


class PatientDialog(QDialog):
    """`save` receives the checked values and returns the stored patient record."""

    def __init__(
        self, save: SavePatient, parent: QWidget | None = None, patient: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit patient" if patient is not None else "New patient")
        self.setMinimumWidth(440)
        self._save = save
        self.saved: Any = None
        self.name = QLineEdit(self)
        self.date_of_birth = QLineEdit(self)
        self.date_of_birth.setPlaceholderText(date_hint())
        self.fitzpatrick = QComboBox(self)
        for value, label in FITZPATRICK:
            self.fitzpatrick.addItem(label, value)
        self.email = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.error = ErrorLabel(self)
        self._build()
        if patient is not None:
            self._fill(patient)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        for key in LABELS:
            form.addRow(LABELS[key], getattr(self, key))
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = make_primary(
            buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _fill(self, patient: Any) -> None:
        self.name.setText(patient.name)
        self.date_of_birth.setText(show_date(patient.date_of_birth))
        self.fitzpatrick.setCurrentIndex(max(0, self.fitzpatrick.findData(patient.fitzpatrick)))
        self.email.setText(patient.email or "")
        self.phone.setText(patient.phone or "")

    def typed(self) -> dict[str, Any]:
        """Exactly what is in the fields now, unchecked (to put back with `restore`)."""
        texts = {key: getattr(self, key).text() for key in LABELS if key != "fitzpatrick"}
        return {**texts, "fitzpatrick": self.fitzpatrick.currentIndex()}

    def restore(self, typed: dict[str, Any]) -> None:
        for key, value in typed.items():
            if key == "fitzpatrick":
                self.fitzpatrick.setCurrentIndex(value)
            else:
                getattr(self, key).setText(value)

    def values(self) -> dict[str, Any]:
        """What was typed, checked; the first problem raises InvalidField naming its field."""
        name = self.name.text().strip()
        if not name:
            raise InvalidField("name", "is required")
        born = parse_date(self.date_of_birth.text(), "date_of_birth", required=True)
        if born is not None and born > date.today():
            raise InvalidField("date_of_birth", f"{show_date(born)} is in the future")
        email = self.email.text().strip() or None
        if email is not None and "@" not in email:
            raise InvalidField("email", f'"{email}" is not an e-mail address')
        return {
            "name": name,
            "date_of_birth": born,
            "fitzpatrick": self.fitzpatrick.currentData(),
            "email": email,
            "phone": self.phone.text().strip() or None,
        }

    @Slot()
    def submit(self) -> None:
        try:
            self.saved = self._save(self.values())
        except ConsultError as error:
            self.error.show_error(error, LABELS)
            return
        self.accept()
