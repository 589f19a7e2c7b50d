"""The patient card's "Sessions" tab: the course's sessions, and one opened to read.

Lists the patient's sessions newest first (date, practitioner, areas, status, the
sealed record's number, a flag for a confirmed depth outside the plan, an expired lot
or an adverse event). Selecting one opens it through consult.services.course, which
audits the view. Calls run off the GUI thread; a refusal is shown in words.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import QSplitter, QTextBrowser, QVBoxLayout, QWidget

from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError
from consult.records import SessionRecord, SessionSummary
from consult.services import course
from consult.services.acting import SignedIn
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel
from ui.widgets.rows_model import Row, RowsModel, selected_row, table_view

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
        f"{item.session_date:%d %b %Y}",
        item.practitioner,
        ", ".join(area_label(area) for area in item.areas),
        status,
        item.document_number or "—",
        "⚑ check" if item.flagged else "",
    )


def session_text(record: SessionRecord) -> str:
    """The opened session as plain text for the reading pane."""
    lines = [
        f"Session of {record.session_date:%d %b %Y} with {record.practitioner}",
        f"Re-screening: {record.verdict}"
        + (f" (override: {record.override_reason})" if record.override_reason else ""),
    ]
    if record.amends_id is not None:
        lines.append(f"Amends session {record.amends_id}: {record.amendment_reason or ''}")
    for entry in record.entries:
        flags = [
            "depth outside the plan" if entry.depth_outside_plan else "",
            "expired lot" if entry.expired_lot else "",
        ]
        flag_text = "; ".join(flag for flag in flags if flag)
        lot = f", lot {entry.needle_lot.lot_number}" if entry.needle_lot else ""
        lines.append(
            f"{area_label(entry.area)}: {entry.device.name}{lot}, {entry.depth_mm} mm, "
            f"erythema {entry.erythema}/3" + (f" [{flag_text}]" if flag_text else "")
        )
    for event in record.adverse_events:
        lines.append(f"Adverse event: {event.happened} (done: {event.action_taken})")
    if record.document_number:
        lines.append(f"Sealed record {record.document_number}")
    return "\n".join(lines)


class SessionsTab(QWidget):
    """One patient's sessions; selecting a row opens it (audited) in the pane below."""

    loaded = Signal()
    opened = Signal(object)  # the SessionRecord

    def __init__(self, user: SignedIn, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._patient_id = patient_id
        self._worker = Worker(self)
        self.model = RowsModel(HEADERS, self)
        self.table = table_view(self.model, self, "Sessions")
        self.detail = QTextBrowser(self)
        self.error = ErrorLabel(self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(self.error)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    @Slot()
    def refresh(self) -> None:
        user, patient_id = self._user, self._patient_id
        self._worker.start(
            lambda: course.list_sessions(user, patient_id), self._show, self._failed
        )

    def _show(self, items: tuple[SessionSummary, ...]) -> None:
        self.error.clear_error()
        self.model.set_rows([Row(session_cells(item), item) for item in items])
        self.loaded.emit()

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.open_selected()

    @Slot()
    def open_selected(self) -> None:
        row = selected_row(self.table)
        if row is None:
            return
        user, session_id = self._user, self.model.payload(row).id
        self._worker.start(
            lambda: course.open_session(user, session_id), self._opened, self._failed
        )

    def _opened(self, record: SessionRecord) -> None:
        self.detail.setPlainText(session_text(record))
        self.opened.emit(record)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()
