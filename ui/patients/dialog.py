"""New and edit patient: contact details, checked field by field before saving.

A new patient whose name and date of birth match a registered one is not saved at
once: a warning shows the existing record and offers to open it instead (the dialog
then ends with OPEN_EXISTING and `existing`), or to create a second record anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError, InvalidField
from consult.protection.safe_text import check_text
from ui.widgets.dates import date_hint, parse_date, show_date
from ui.widgets.forms import ErrorLabel, dialog_footer

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
# (name, date of birth) -> the patients already registered with both
FindExisting = Callable[[str, date], list[Any]]
# The dialog's result when the user chose to open an existing record instead.
OPEN_EXISTING = 2


class PatientDialog(QDialog):
    """`save` receives the checked values and returns the stored patient record;
    `find_existing`, for a new patient, finds records with the same name and birth date."""

    def __init__(
        self,
        save: SavePatient,
        parent: QWidget | None = None,
        patient: Any = None,
        find_existing: FindExisting | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit patient" if patient is not None else "New patient")
        self.setMinimumWidth(440)
        self._save = save
        self._find_existing = find_existing if patient is None else None
        self._second_record_confirmed = False
        self.duplicate_warning: DuplicateWarning | None = None
        self.existing: Any = None
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
        self.save_button = dialog_footer(self, layout, "Save", self.submit)

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
        name = check_text(self.name.text(), "name").strip()
        if not name:
            raise InvalidField("name", "is required")
        born = parse_date(self.date_of_birth.text(), "date_of_birth", required=True)
        if born is not None and born > date.today():
            raise InvalidField("date_of_birth", f"{show_date(born)} is in the future")
        email = check_text(self.email.text(), "email").strip() or None
        if email is not None and "@" not in email:
            raise InvalidField("email", f'"{email}" is not an e-mail address')
        return {
            "name": name,
            "date_of_birth": born,
            "fitzpatrick": self.fitzpatrick.currentData(),
            "email": email,
            "phone": check_text(self.phone.text(), "phone").strip() or None,
        }

    @Slot()
    def submit(self) -> None:
        try:
            values = self.values()
            if self._warned_of_duplicates(values):
                return
            self.saved = self._save(values)
        except ConsultError as error:
            self.error.show_error(error, LABELS)
            return
        self.accept()

    def _warned_of_duplicates(self, values: dict[str, Any]) -> bool:
        """Whether a warning about an existing record was shown instead of saving."""
        if self._find_existing is None or self._second_record_confirmed:
            return False
        matches = self._find_existing(values["name"], values["date_of_birth"])
        if not matches:
            return False
        self.duplicate_warning = DuplicateWarning(matches, self)
        self.duplicate_warning.chosen.connect(self._duplicate_choice)
        self.duplicate_warning.open()
        return True

    @Slot(str)
    def _duplicate_choice(self, choice: str) -> None:
        warning, self.duplicate_warning = self.duplicate_warning, None
        if choice == DuplicateWarning.OPEN and warning is not None:
            self.existing = warning.matches[0]
            self.done(OPEN_EXISTING)
        elif choice == DuplicateWarning.CREATE:
            self._second_record_confirmed = True
            self.submit()


class DuplicateWarning(QMessageBox):
    """"This patient may already be registered": open the record, create anyway, or go back."""

    OPEN, CREATE, BACK = "open", "create", "back"
    chosen = Signal(str)

    def __init__(self, matches: list[Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.matches = matches
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Patient already registered?")
        first = matches[0]
        self.setText(
            f"{first.name}, born {show_date(first.date_of_birth)}, is already registered."
            if len(matches) == 1
            else f"{len(matches)} patients named {first.name}, born "
            f"{show_date(first.date_of_birth)}, are already registered."
        )
        self.setInformativeText(
            "\n".join(_describe(match) for match in matches)
            + "\n\nOpen the existing record, so the patient's history stays in one place?"
        )
        self.open_button: QPushButton = self.addButton(
            "Open the existing record", QMessageBox.ButtonRole.AcceptRole
        )
        self.create_button: QPushButton = self.addButton(
            "Create a second record", QMessageBox.ButtonRole.DestructiveRole
        )
        self.back_button: QPushButton = self.addButton(
            "Back", QMessageBox.ButtonRole.RejectRole
        )
        self.setDefaultButton(self.open_button)
        self.buttonClicked.connect(self._clicked)

    @Slot(QAbstractButton)
    def _clicked(self, button: QAbstractButton) -> None:
        if button is self.open_button:
            self.chosen.emit(self.OPEN)
        elif button is self.create_button:
            self.chosen.emit(self.CREATE)
        else:
            self.chosen.emit(self.BACK)


def _describe(patient: Any) -> str:
    details = [f"record {patient.id}", f"born {show_date(patient.date_of_birth)}"]
    details.extend(value for value in (patient.phone, patient.email) if value)
    return f"{patient.name}: " + ", ".join(details)
