"""The "File" menu's exchange actions: consult/1 files in and out, a patient's zip.

    exchange = ExchangeActions(context, window)
    exchange.add_to(window.menuBar().addMenu("&File"))
    exchange.follow(window.patients)      # or call exchange.set_selection(...) yourself

Each action asks for a file, hands the work to the core on the thread pool
(consult.storage.exchange, consult.safety.patient_export: both check the role and
audit what they did) and says in a sentence what happened. A bad file is refused
with its one-line, field-named reason; nothing half-written is ever left behind.

An action the role may not use is hidden; one that needs a patient or a consultation
is greyed out until one is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QListWidgetItem, QMenu, QMessageBox, QWidget

from consult import fileformat
from consult.access import Actor
from consult.storage import exchange, patients
from ui.context import AppContext
from ui.dates import show_date
from ui.errors import show_problem
from ui.pdf_output import documents_folder
from ui.workers import Worker

# What each action needs the role to allow (the core checks it again when it runs).
IMPORT_PERMISSIONS = ("patient.write_contact", "consultation.write", "history.write")
EXPORT_PERMISSIONS = ("patient.export", "history.read")
PATIENT_EXPORT_PERMISSIONS = ("patient.export",)
JSON_FILTER = "Consultation files (*.json)"
ZIP_FILTER = "Zip archives (*.zip)"


def _allowed(actor: Actor, permissions: tuple[str, ...]) -> bool:
    return all(actor.may(permission) for permission in permissions)


class ExchangeActions(QObject):
    # Emitted after the user has been told: the sentence they read.
    finished = Signal(str)
    failed = Signal(str)
    # A consultation file was imported (consult.storage.exchange.ImportResult), so the
    # window can show the patient it went to.
    imported = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.window = parent
        self.patient_id: int | None = None
        self.consultation_id: int | None = None
        self._followed_detail: Any = None  # the followed page's detail pane (see follow())
        self._worker = Worker(self)
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
            self._run(partial(_import, self.context.db, self.context.actor, Path(path)))

    @Slot()
    def export_consultation(self) -> None:
        consultation_id = self.consultation_id
        if consultation_id is None:
            return
        suggested = documents_folder() / f"consultation-{consultation_id}.json"
        target = self._save_path("Export the consultation file", suggested, JSON_FILTER)
        if target is not None:
            db, actor = self.context.db, self.context.actor
            self._run(partial(_export, db, actor, consultation_id, target))

    @Slot()
    def export_patient_records(self) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        suggested = documents_folder() / f"patient-{patient_id}-records.zip"
        target = self._save_path("Export the patient's records", suggested, ZIP_FILTER)
        if target is not None:
            db, actor = self.context.db, self.context.actor
            self._run(partial(_export_patient, db, actor, patient_id, target))

    def _save_path(self, title: str, suggested: Path, name_filter: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self.window, title, str(suggested), name_filter)
        if not path:
            return None
        target = Path(path)
        # The static dialog adds no extension; a file without one would not open by
        # double-click, nor be offered by the import dialog.
        return target if target.suffix else target.with_suffix(suggested.suffix)

    def _run(self, work: Callable[[], tuple[str, Any]]) -> None:
        if self._worker.busy():
            return
        self._worker.start(work, self._done, self._problem)
        self._refresh()

    @Slot(object)
    def _done(self, outcome: tuple[str, Any]) -> None:
        message, result = outcome
        self._refresh()
        QMessageBox.information(self.window, "Consult", message)
        if isinstance(result, exchange.ImportResult):
            self.imported.emit(result)
        self.finished.emit(message)

    @Slot(object)
    def _problem(self, error: BaseException) -> None:
        self._refresh()
        show_problem(self.window, error)
        self.failed.emit(str(error))


# ---------------------------------------------------------------------- on the pool


def _import(db: Any, actor: Actor, path: Path) -> tuple[str, exchange.ImportResult]:
    consultation = fileformat.load(path)
    result = exchange.import_consultation(db, actor, consultation, source=path.name)
    # The name as the clinic registered it (the file may spell it in other capitals).
    name = patients.get_patient(db, actor, result.patient_id).name
    who = (
        f"{name} was registered as a new patient"
        if result.patient_created
        else f"it was added to the records of {name}, who was already registered "
        "(contact details the file gives were brought up to date)"
    )
    message = (
        f"Imported {path.name}: {who}. The consultation of "
        f"{show_date(consultation.consultation_date)} is stored as a draft "
        "for the practitioner to review."
    )
    return message, result


def _export(db: Any, actor: Actor, consultation_id: int, target: Path) -> tuple[str, Path]:
    written = exchange.export_file(db, actor, consultation_id, target)
    return f"The consultation was written to {written} (a consult/1 file).", written


def _export_patient(db: Any, actor: Actor, patient_id: int, target: Path) -> tuple[str, Any]:
    # Imported here, on the worker: it brings the quote and consultation stores with it,
    # a fifth of what the main window's code costs to load, for a rarely used action.
    from consult.safety.patient_export import export_patient

    name = patients.get_patient(db, actor, patient_id).name
    report = export_patient(db, actor, patient_id, target)
    held = ", ".join(
        (
            _count(report.consultations, "consultation"),
            _count(report.quotes, "quote"),
            _count(report.consents, "signed consent"),
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
