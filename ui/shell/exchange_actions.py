"""The "File" menu's exchange actions: consult/1 files in and out, a patient's zip.

    exchange = ExchangeActions(context, window)
    exchange.add_to(window.menuBar().addMenu("&File"))
    exchange.follow(window.patients)      # or call exchange.set_selection(...) yourself

Each action asks for a file, hands the work to the core on the thread pool
(consult.services.consultations and protection: both check the role and
audit what they did) and says in a sentence what happened. A bad file is refused
with its one-line, field-named reason; nothing half-written is ever left behind.

A file whose patient is already registered is never merged silently: the registered
details and the file's are shown side by side (ExistingPatientDialog) and the
practitioner chooses to keep the stored details, use the file's, or register a new
patient; cancelling stores nothing.

An action the role may not use is hidden; one that needs a patient or a consultation
is greyed out until one is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.access import Actor
from consult.clinical import fileformat
from consult.clinical.fileformat import Consultation
from consult.records import (
    KEEP_STORED,
    NEW_PATIENT,
    USE_FILE,
    ImportResult,
    PatientAlreadyRegistered,
)
from consult.services import patients
from consult.services.acting import SignedIn
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.dates import show_date

# What each action needs the role to allow (the core checks it again when it runs).
IMPORT_PERMISSIONS = ("patient.write_contact", "consultation.write", "history.write")
EXPORT_PERMISSIONS = ("patient.export", "history.read")
PATIENT_EXPORT_PERMISSIONS = ("patient.export",)
JSON_FILTER = "Consultation files (*.json)"
ZIP_FILTER = "Zip archives (*.zip)"


def _consultations() -> ModuleType:
    """The consultation services, loaded on the thread pool when a file is first read or
    written: they bring screening and pricing with them (start-up time)."""
    return importlib.import_module("consult.services.consultations")


def documents_folder() -> Path:
    """Where files are offered to be saved (ui.widgets.pdf_output, which loads Qt's PDF
    and printing modules: only when a file dialog opens)."""
    from ui.widgets.pdf_output import documents_folder as folder

    return folder()


def _allowed(actor: Actor, permissions: tuple[str, ...]) -> bool:
    return all(actor.may(permission) for permission in permissions)


class ExchangeActions(QObject):
    # Emitted after the user has been told: the sentence they read.
    finished = Signal(str)
    failed = Signal(str)
    # A consultation file was imported (consult.records.ImportResult), so the
    # window can show the patient it went to.
    imported = Signal(object)
    # The practitioner closed the already-registered question without choosing: nothing
    # was imported.
    cancelled = Signal()

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.window = parent
        self.patient_id: int | None = None
        self.consultation_id: int | None = None
        self._followed_detail: Any = None  # the followed page's detail pane (see follow())
        self._worker = Worker(self)
        self.question: ExistingPatientDialog | None = None  # open while the user chooses
        self._asked: _Choose | None = None  # what that question is about
        self._permitted: dict[QAction, bool] = {}
        self.import_action = self._action("Import consultation file…", IMPORT_PERMISSIONS)
        self.export_action = self._action("Export consultation file…", EXPORT_PERMISSIONS)
        self.patient_export_action = self._action(
            "Export patient records (zip)…", PATIENT_EXPORT_PERMISSIONS
        )
        self.import_action.triggered.connect(self.import_consultation)
        self.export_action.triggered.connect(self.export_consultation)
        self.patient_export_action.triggered.connect(self.export_patient_records)
        self._refresh()

    def _action(self, text: str, permissions: tuple[str, ...]) -> QAction:
        action = QAction(text, self)
        permitted = _allowed(self.context.actor, permissions)
        # Hidden, not just greyed out: the role will never be able to use it.
        action.setVisible(permitted)
        self._permitted[action] = permitted
        return action

    def actions(self) -> list[QAction]:
        return [self.import_action, self.export_action, self.patient_export_action]

    def add_to(self, menu: QMenu) -> None:
        for action in self.actions():
            menu.addAction(action)

    # ------------------------------------------------------------------ selection

    @Slot(object, object)
    def set_selection(self, patient_id: int | None, consultation_id: int | None) -> None:
        """The patient and consultation now chosen in the window (None: none chosen)."""
        self.patient_id = patient_id
        self.consultation_id = consultation_id if patient_id is not None else None
        self._refresh()

    def follow(self, page: Any) -> None:
        """Keep the selection in step with a ui.patients.page.PatientsPage.

        The page shows the chosen patient in `page.detail` (`.patient`) and their
        consultations in `page.detail.consultations`, each item holding its record.
        """
        self._followed_detail = page.detail
        page.table.selectionModel().selectionChanged.connect(self._follow_detail)
        page.detail.consultations.currentItemChanged.connect(self._follow_detail)

    @Slot()
    def _follow_detail(self) -> None:
        from ui.patients.page import RecordRole

        detail = self._followed_detail
        patient = detail.patient
        item: QListWidgetItem | None = detail.consultations.currentItem()
        record = item.data(RecordRole) if item is not None else None
        self.set_selection(
            patient.id if patient is not None else None,
            record.id if record is not None else None,
        )

    def _refresh(self) -> None:
        idle = not self._worker.busy()
        needs = {
            self.import_action: True,
            self.export_action: self.consultation_id is not None,
            self.patient_export_action: self.patient_id is not None,
        }
        for action, chosen in needs.items():
            action.setEnabled(self._permitted[action] and idle and chosen)

    # ------------------------------------------------------------------ the actions

    @Slot()
    def import_consultation(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self.window, "Import a consultation file", str(documents_folder()), JSON_FILTER
        )
        if path:
            self._run(partial(_import, self.context.user, Path(path)))

    @Slot()
    def export_consultation(self) -> None:
        consultation_id = self.consultation_id
        if consultation_id is None:
            return
        suggested = documents_folder() / f"consultation-{consultation_id}.json"
        target = self._save_path("Export the consultation file", suggested, JSON_FILTER)
        if target is not None:
            self._run(partial(_export, self.context.user, consultation_id, target))

    @Slot()
    def export_patient_records(self) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        suggested = documents_folder() / f"patient-{patient_id}-records.zip"
        target = self._save_path("Export the patient's records", suggested, ZIP_FILTER)
        if target is not None:
            self._run(partial(_export_patient, self.context.user, patient_id, target))

    def _save_path(self, title: str, suggested: Path, name_filter: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self.window, title, str(suggested), name_filter)
        if not path:
            return None
        target = Path(path)
        # The static dialog adds no extension; a file without one would not open by
        # double-click, nor be offered by the import dialog.
        return target if target.suffix else target.with_suffix(suggested.suffix)

    def _run(self, work: Callable[[], tuple[str, Any] | _Choose]) -> None:
        if self._worker.busy():
            return
        self._worker.start(work, self._done, self._problem)
        self._refresh()

    @Slot(object)
    def _done(self, outcome: tuple[str, Any] | _Choose) -> None:
        if isinstance(outcome, _Choose):
            self._refresh()
            self._ask(outcome)
            return
        message, result = outcome
        self._refresh()
        QMessageBox.information(self.window, "Consult", message)
        if isinstance(result, ImportResult):
            self.imported.emit(result)
        self.finished.emit(message)

    def _ask(self, choose: _Choose) -> None:
        """Show both patients; the import goes on only once the practitioner chooses."""
        dialog = ExistingPatientDialog(choose.question.stored, choose.question.incoming,
                                       self.window)
        self.question = dialog
        self._asked = choose
        dialog.chosen.connect(self._chosen)
        dialog.finished.connect(self._question_closed)
        dialog.open()

    @Slot(str)
    def _chosen(self, existing: str) -> None:
        """Import the file as first read, as the practitioner chose, on the version seen."""
        asked = self._asked
        if asked is None:
            return
        self._asked = None
        version = asked.question.stored.version
        self._run(
            partial(_import, self.context.user, asked.path, asked.consultation, existing, version)
        )

    @Slot(int)
    def _question_closed(self, result: int) -> None:
        dialog = self.question
        self.question = None
        self._asked = None
        if dialog is not None:
            if result != QDialog.DialogCode.Accepted:
                self.cancelled.emit()
            dialog.deleteLater()

    @Slot(object)
    def _problem(self, error: BaseException) -> None:
        self._refresh()
        show_problem(self.window, error)
        self.failed.emit(str(error))


# ---------------------------------------------------------------------- on the pool


@dataclass(frozen=True)
class _Choose:
    """The file's patient is registered: what the practitioner is asked to decide on."""

    path: Path
    consultation: Consultation  # as read the first time: the same data is imported
    question: PatientAlreadyRegistered


def _import(
    user: SignedIn,
    path: Path,
    consultation: Consultation | None = None,
    existing: str | None = None,
    expected_version: int | None = None,
) -> tuple[str, ImportResult] | _Choose:
    consultation = consultation or fileformat.load(path)
    try:
        result = _consultations().import_consultation(
            user, consultation, source=path.name, existing=existing,
            expected_version=expected_version,
        )
    except PatientAlreadyRegistered as question:
        return _Choose(path, consultation, question)
    # The name as the clinic registered it (the file may spell it in other capitals).
    name = patients.open_patient(user, result.patient_id).name
    who = _who(name, result, existing)
    message = (
        f"Imported {path.name}: {who}. The consultation of "
        f"{show_date(consultation.consultation_date)} is stored as a draft "
        "for the practitioner to review."
    )
    return message, result


def _who(name: str, result: ImportResult, existing: str | None) -> str:
    if result.patient_created:
        again = " (another patient of the same name and birth date)" if existing else ""
        return f"{name} was registered as a new patient{again}"
    if result.contact_updated:
        fields = ", ".join(FIELD_WORDS[field] for field in result.contact_updated)
        return (f"it was added to the records of {name}, whose {fields} now "
                "come from the file")
    return f"it was added to the records of {name}, whose contact details were kept"


FIELD_WORDS = {
    "name": "name", "date_of_birth": "date of birth", "fitzpatrick": "skin type",
    "email": "e-mail", "phone": "phone",
}


def _export(user: SignedIn, consultation_id: int, target: Path) -> tuple[str, Path]:
    written = _consultations().export_file(user, consultation_id, target)
    return f"The consultation was written to {written} (a consult/1 file).", written


def _export_patient(user: SignedIn, patient_id: int, target: Path) -> tuple[str, Any]:
    # Imported here, on the worker: it brings the quote and consultation stores with it,
    # a fifth of what the main window's code costs to load, for a rarely used action.
    from consult.services import protection

    name = patients.open_patient(user, patient_id).name
    report = protection.export_patient_records(user, patient_id, target)
    held = ", ".join(
        (
            _count(report.consultations, "consultation"),
            _count(report.quotes, "quote"),
            _count(report.consents, "signed consent"),
            _count(report.sessions, "treatment session"),
            _count(report.photos, "photo"),
            _count(report.audit_events, "audit event"),
        )
    )
    message = (
        f"The records of {name} were written to {report.file}. The zip holds only this "
        f"patient's records ({held}). It is not encrypted: hand it over securely."
    )
    return message, report


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


# ---------------------------------------------------------------------- the question


ANSWER = "existingPatientAnswer"  # the choice a button of the question stands for


class ExistingPatientDialog(QDialog):
    """The registered patient and the file's, side by side, and three ways on.

    `chosen` carries the core's answer word (consult.records.EXISTING_CHOICES);
    Cancel imports nothing.
    """

    chosen = Signal(str)

    ROWS = (
        ("name", "Name"),
        ("date_of_birth", "Date of birth"),
        ("fitzpatrick", "Skin type (Fitzpatrick)"),
        ("email", "E-mail"),
        ("phone", "Phone"),
    )

    def __init__(self, stored: patients.PatientRecord, incoming: fileformat.Patient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("This patient is already registered")
        self.setMinimumWidth(620)
        self.cells: dict[tuple[str, str], QLabel] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{stored.name}, born {show_date(stored.date_of_birth)}, is already registered. "
            "If the file is about the same person, choose whose contact details are right; "
            "if it is someone else of the same name and birth date, register a new patient.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._comparison(stored, incoming))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.keep_button = self._choice(buttons, "Keep stored details",
                                        KEEP_STORED)
        self.file_button = self._choice(buttons, "Use the file's details",
                                        USE_FILE)
        self.new_button = self._choice(buttons, "New patient",
                                       NEW_PATIENT)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _comparison(self, stored: patients.PatientRecord,
                    incoming: fileformat.Patient) -> QGridLayout:
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Registered</b>", self), 0, 1)
        grid.addWidget(QLabel("<b>In the file</b>", self), 0, 2)
        for row, (key, label) in enumerate(self.ROWS, start=1):
            grid.addWidget(QLabel(label, self), row, 0)
            values = (_shown(getattr(stored, key)), _shown(getattr(incoming, key)))
            for column, (side, value) in enumerate(zip(("stored", "file"), values,
                                                       strict=True), start=1):
                cell = QLabel(value, self)
                cell.setTextFormat(Qt.TextFormat.PlainText)  # a name is never markup
                if values[0] != values[1]:
                    cell.setStyleSheet("font-weight: bold;")
                self.cells[(key, side)] = cell
                grid.addWidget(cell, row, column)
        return grid

    def _choice(self, buttons: QDialogButtonBox, text: str, answer: str) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setProperty(ANSWER, answer)
        button.clicked.connect(self._choose)
        return button

    @Slot()
    def _choose(self) -> None:
        self.chosen.emit(self.sender().property(ANSWER))
        self.accept()


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, date):
        return show_date(value)
    return str(value)
