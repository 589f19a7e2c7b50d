"""The patient card's "Sessions" tab: the course's sessions, and one opened to read.

Lists the patient's sessions newest first (date, practitioner, areas, status, the
sealed record's number, a flag for a confirmed depth outside the plan, an expired lot
or an adverse event). Selecting one opens it through consult.services.course, which
audits the view. From here a practitioner starts a session, carries on with a draft,
reads a signed session's sealed record, prints its aftercare sheet, or amends it.
Calls run off the GUI thread; a refusal is shown in words.

The list is asked for only while the tab is on screen: each listing is an audit event,
and a receptionist or a practitioner browsing patients should not leave one per click.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QInputDialog,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError
from consult.services.acting import SignedIn
from ui.course.requests import SessionRequest
from ui.shell.errors import log_unexpected
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel
from ui.widgets.rows_model import Row, RowsModel, selected_row, table_view

if TYPE_CHECKING:  # the course's records load with its services (start-up time)
    from consult.records.course import SessionEntryRecord, SessionRecord, SessionSummary


def _course() -> ModuleType:
    """The course's services, loaded on the thread pool the first time (start-up time:
    they bring the screening and the PDF code with them)."""
    return importlib.import_module("consult.services.course")


HEADERS = ("Date", "Practitioner", "Areas", "Status", "Record", "Flag")


def area_label(area: str) -> str:
    try:
        return catalogue().area(area).label
    except KeyError:
        return area


def session_cells(item: SessionSummary) -> tuple[str, ...]:
    status = "Signed" if item.status == "signed" else "Draft"
    if item.amends_id is not None:
        status += " (amendment)"
    return (
        show_date(item.session_date),
        item.practitioner,
        ", ".join(area_label(area) for area in item.areas),
        status,
        item.document_number or "—",
        "⚑ check" if item.flagged else "",
    )


def entry_line(entry: SessionEntryRecord) -> str:
    """One area's entry in words, as the reading pane and the recording screen show it."""
    flags = [
        "depth outside the plan" if entry.depth_outside_plan else "",
        "expired lot" if entry.expired_lot else "",
    ]
    flag_text = "; ".join(flag for flag in flags if flag)
    lot = f", lot {entry.needle_lot.lot_number}" if entry.needle_lot else ""
    passes = f", {entry.passes} passes" if entry.passes is not None else ""
    rf = ""
    if entry.device.kind == "rf":
        pulse = f" {entry.rf_pulse_ms} ms" if entry.rf_pulse_ms is not None else ""
        rf = f", RF {entry.rf_energy}{pulse} {entry.rf_tip}".rstrip()
    extras = [
        f"serum {entry.serum_lot.product} lot {entry.serum_lot.lot_number}"
        if entry.serum_lot
        else "",
        f"numbing {entry.numbing_lot.product}" if entry.numbing_lot else "",
        "pinpoint bleeding" if entry.pinpoint_bleeding else "",
        entry.notes,
    ]
    extra_text = "; ".join(text for text in extras if text)
    return (
        f"{area_label(entry.area)}: {entry.device.name}{lot}, {entry.depth_mm} mm{passes}{rf}, "
        f"erythema {entry.erythema}/3"
        + (f"; {extra_text}" if extra_text else "")
        + (f" [{flag_text}]" if flag_text else "")
    )


def session_text(record: SessionRecord) -> str:
    """The opened session as plain text for the reading pane."""
    lines = [
        f"Session of {show_date(record.session_date)} with {record.practitioner}",
        f"Re-screening: {record.verdict}"
        + (f" (override: {record.override_reason})" if record.override_reason else ""),
    ]
    lines += [f"  {finding}" for finding in record.findings]
    if record.amends_id is not None:
        lines.append(f"Amends session {record.amends_id}: {record.amendment_reason or ''}")
    lines += [entry_line(entry) for entry in record.entries]
    for event in record.adverse_events:
        lines.append(f"Adverse event: {event.happened} (done: {event.action_taken})")
    if record.document_number:
        lines.append(f"Sealed record {record.document_number}")
    return "\n".join(lines)


class SessionsTab(QWidget):
    """One patient's sessions; selecting a row opens it (audited) in the pane below."""

    loaded = Signal()
    opened = Signal(object)  # the SessionRecord
    session_requested = Signal(object)  # a SessionRequest: start, or carry on with a draft

    def __init__(
        self, user: SignedIn, patient_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._user = user
        self._patient_id = patient_id
        self._patient_name = ""
        self._listed_for: int | None = None  # the patient whose list is shown
        self._record: SessionRecord | None = None
        self.dialog: QDialog | None = None  # the document or question open over the tab
        self._worker = Worker(self)
        self.model = RowsModel(HEADERS, self)
        self.table = table_view(self.model, self, "Sessions")
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Session")
        self.error = ErrorLabel(self)
        may_write = user.actor.may("course.write")
        self.start_button = make_primary(QPushButton("Start session…", self))
        self.draft_button = QPushButton("Carry on with the draft", self)
        self.record_button = QPushButton("Sealed record…", self)
        self.aftercare_button = QPushButton("Aftercare sheet…", self)
        self.amend_button = QPushButton("Amend…", self)
        self.start_button.setVisible(may_write)
        self.draft_button.setVisible(may_write)
        self.amend_button.setVisible(may_write)
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        # Two rows: starting or carrying on with a session, then what is done with the
        # chosen one. In one row the five made the patient's card so wide that the
        # patient list beside it cut every name on a 1280-pixel screen.
        buttons = QGridLayout()
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.draft_button, 0, 1)
        for column, button in enumerate(
            (self.record_button, self.aftercare_button, self.amend_button)
        ):
            buttons.addWidget(button, 1, column)
        buttons.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.start_button.clicked.connect(self.start_session)
        self.draft_button.clicked.connect(self.carry_on)
        self.record_button.clicked.connect(self.show_record)
        self.aftercare_button.clicked.connect(self.show_aftercare)
        self.amend_button.clicked.connect(self.amend)

    # ------------------------------------------------------------------ the patient

    def set_patient(self, patient_id: int | None, name: str = "") -> None:
        """Show this patient's sessions (asked for now if the tab is on screen)."""
        if patient_id == self._patient_id and self._listed_for == patient_id:
            return
        self._patient_id = patient_id
        self._patient_name = name
        self._listed_for = None
        self._record = None
        self.model.set_rows([])
        self.detail.clear()
        self.error.clear_error()
        self._update_buttons()
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._patient_id is not None and self._listed_for != self._patient_id:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._patient_id is None:
            return
        user, patient_id = self._user, self._patient_id
        self._listed_for = patient_id
        self._worker.start(
            lambda: (patient_id, _course().list_sessions(user, patient_id)),
            self._show,
            self._failed,
        )

    def _show(self, answer: tuple[int, tuple[SessionSummary, ...]]) -> None:
        self.show_sessions(*answer)

    def show_sessions(self, patient_id: int, items: tuple[SessionSummary, ...]) -> None:
        """The listing for `patient_id` (dropped if the card moved on to someone else)."""
        if patient_id != self._patient_id:
            return  # the card moved on to another patient meanwhile
        self.error.clear_error()
        self.model.set_rows([Row(session_cells(item), item) for item in items])
        self._record = None
        self.detail.clear()
        self._update_buttons()
        self.loaded.emit()

    # ------------------------------------------------------------------ one session

    def selected(self) -> SessionSummary | None:
        row = selected_row(self.table)
        return self.model.payload(row) if row is not None else None

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        self.open_selected()

    @Slot()
    def open_selected(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        user, session_id = self._user, summary.id
        self._worker.start(
            lambda: _course().open_session(user, session_id), self._opened, self._failed
        )

    def _opened(self, record: SessionRecord) -> None:
        self._record = record
        self._patient_name = record.patient_name
        self.detail.setPlainText(session_text(record))
        self._update_buttons()
        self.opened.emit(record)

    def _update_buttons(self) -> None:
        summary = self.selected()
        signed = summary is not None and summary.status == "signed"
        self.start_button.setEnabled(self._patient_id is not None)
        self.draft_button.setEnabled(summary is not None and summary.status == "draft")
        for button in (self.record_button, self.aftercare_button, self.amend_button):
            button.setEnabled(signed)

    @Slot()
    def start_session(self) -> None:
        if self._patient_id is not None:
            self.session_requested.emit(SessionRequest(self._patient_id, self._patient_name))

    @Slot()
    def carry_on(self) -> None:
        summary = self.selected()
        if self._patient_id is not None and summary is not None and summary.status == "draft":
            self.session_requested.emit(
                SessionRequest(self._patient_id, self._patient_name, session_id=summary.id)
            )

    @Slot()
    def show_record(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        user, session_id = self._user, summary.id
        self._worker.start(
            lambda: (session_id, _course().session_pdf(user, session_id)),
            self._record_ready,
            self._failed,
        )

    def _record_ready(self, answer: tuple[int, bytes]) -> None:
        from ui.course.handouts import session_record_dialog

        self._show_dialog(
            session_record_dialog(self, self._user, answer[0], answer[1], self._patient_name)
        )

    @Slot()
    def show_aftercare(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        user, session_id = self._user, summary.id
        self._worker.start(
            lambda: (session_id, _course().aftercare_pdf(user, session_id)),
            self._aftercare_ready,
            self._failed,
        )

    def _aftercare_ready(self, answer: tuple[int, bytes]) -> None:
        from ui.course.handouts import aftercare_dialog

        self._show_dialog(
            aftercare_dialog(self, self._user, answer[0], answer[1], self._patient_name)
        )

    def _show_dialog(self, dialog: QDialog) -> None:
        """One document open at a time, window-modal: the card stays as it is behind it."""
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    @Slot()
    def amend(self) -> None:
        """Ask what the amendment corrects (window-modal), then make it."""
        summary = self.selected()
        if summary is None or summary.status != "signed":
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Amend the session")
        dialog.setLabelText(
            f"What does the amendment of the session of {show_date(summary.session_date)} "
            "correct? The signed record stays as it is; the amendment is a new record "
            "linked to it, signed in its turn."
        )
        dialog.setOkButtonText("Make the amendment")
        dialog.textValueSelected.connect(self.amend_with_reason)
        self._show_dialog(dialog)

    @Slot(str)
    def amend_with_reason(self, reason: str) -> None:
        summary = self.selected()
        if summary is None or summary.status != "signed":
            return
        user, session_id = self._user, summary.id
        self._worker.start(
            lambda: _course().amend_session(user, session_id, reason), self._amended, self._failed
        )

    def _amended(self, record: SessionRecord) -> None:
        self.refresh()
        self.session_requested.emit(
            SessionRequest(record.patient_id, record.patient_name, session_id=record.id)
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error, {"reason": "What the amendment corrects"})
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()
