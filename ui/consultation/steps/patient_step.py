"""Step 1: who, when and which treatment."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QLabel, QWidget

from consult.clinical.catalogue import catalogue
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.widgets.dates import date_format, show_date


class PatientStep(Step):
    title = "Patient"

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self.note("Check the patient's details and choose today's treatment.")
        self.identity = QLabel(self)
        self.identity.setObjectName("subtitle")
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(date_format())
        self.treatment = QComboBox(self)
        for treatment_id, label in catalogue().treatments.items():
            self.treatment.addItem(label, treatment_id)
        form = QFormLayout()
        form.addRow("Patient", self.identity)
        form.addRow("Consultation date", self.date)
        form.addRow("Treatment", self.treatment)
        self.layout_.addLayout(form)
        self.layout_.addStretch(1)
        self.enter()
        self.date.dateChanged.connect(self._date_changed)
        self.treatment.currentIndexChanged.connect(self._treatment_changed)

    def enter(self) -> None:
        patient = self.draft.patient
        day = self.draft.consultation_date
        age = self.draft.consultation().patient.age_on(day)
        self.identity.setText(
            f"{patient.name}, born {show_date(patient.date_of_birth)} (age {age})"
        )
        self.date.blockSignals(True)
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.date.blockSignals(False)
        self.treatment.blockSignals(True)
        self.treatment.setCurrentIndex(max(0, self.treatment.findData(self.draft.treatment)))
        self.treatment.blockSignals(False)

    @Slot(QDate)
    def _date_changed(self, value: QDate) -> None:
        self.draft.consultation_date = date(value.year(), value.month(), value.day())
        self.enter()
        self.changed.emit()

    @Slot(int)
    def _treatment_changed(self, _index: int) -> None:
        self.draft.treatment = self.treatment.currentData()
        self.changed.emit()

    def blocker(self) -> str | None:
        if self.draft.consultation_date < self.draft.patient.date_of_birth:
            return "The consultation date is before the patient's date of birth."
        return None
