"""The audit trail for a manager: who did what to which record, newest first, and its check.

The table's model holds only the pages fetched so far, as precomputed text, and asks
for the next (older) page as the view scrolls; every query runs on the thread pool
(consult.services.audit_trail filters in the database). "Verify chain"
recomputes every event's hash, also off the GUI thread, and says "intact" with the
number of events, or lists each problem found. Opening a listing and verifying are
themselves written to the trail by the core.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consult.records.audit import AuditFilter, AuditRow, ChainCheck, FilterChoices, Listing
from consult.services import audit_trail
from consult.services.acting import SignedIn, check_allowed, permission_for
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.dates import show_datetime
from ui.widgets.filter_bar import FilterBar
from ui.widgets.forms import ErrorLabel, form_value, to_date
from ui.widgets.paged_model import PagedTableModel, PageWork

PAGE_SIZE = audit_trail.PAGE_SIZE
HEADERS = ("#", "When", "User", "Workstation", "Patient", "Action", "Outcome", "Detail")
PATIENT_DEBOUNCE_MS = 250
ANY = None  # the drop-downs' "any" entry carries no data


class AuditSource(Protocol):
    """What the model queries: AuditDesk, or anything that answers the same."""

    def listing(self, flt: AuditFilter, *, limit: int = PAGE_SIZE) -> Listing: ...

    def page(self, flt: AuditFilter, *, before_id: int,
             limit: int = PAGE_SIZE) -> list[AuditRow]: ...


# Work run on the pool gets plain values only, never the model (a job holding the last
# reference to a QObject would destroy it on the pool's thread).


def _page(source: AuditSource, flt: AuditFilter, before_id: int | None,
          limit: int) -> tuple[tuple[AuditRow, ...], int | None]:
    """The page older than `before_id`; the first page (None) comes with the total."""
    if before_id is None:
        listing = source.listing(flt, limit=limit)
        return listing.rows, listing.total
    return tuple(source.page(flt, before_id=before_id, limit=limit)), None


def patient_text(row: AuditRow) -> str:
    if row.patient_id is None:
        return ""
    if row.patient_name is None:
        return f"#{row.patient_id}"
    return f"{row.patient_name} (#{row.patient_id})"


def detail_text(detail: str) -> str:
    """The event's JSON detail as "key: value" pairs a manager can read."""
    try:
        value = json.loads(detail)
    except json.JSONDecodeError:
        return detail  # an event stored before details were JSON, or a rewritten one
    if not isinstance(value, dict):
        return _plain(value)
    # A key with no value (a comment not given) is left out rather than shown as "None".
    return "; ".join(
        f"{key}: {_plain(item)}" for key, item in value.items() if item not in (None, "")
    )


def _plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return (
            ", ".join(f"{key}={_plain(item)}" for key, item in value.items() if item is not None)
            or "(none)"
        )
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "(none)"
    return str(value)


def display_cells(row: AuditRow) -> tuple[str, ...]:
    return (
        str(row.id),
        show_datetime(row.at, seconds=True),
        row.username,
        row.workstation,
        patient_text(row),
        row.action,
        row.outcome,
        detail_text(row.detail),
    )


class AuditDesk:
    """The audit trail's queries bound to the signed-in user; each is one service call."""

    def __init__(self, user: SignedIn) -> None:
        self.user = user

    def listing(self, flt: AuditFilter, *, limit: int = PAGE_SIZE) -> Listing:
        return audit_trail.listing(self.user, flt, limit=limit)

    def page(self, flt: AuditFilter, *, before_id: int, limit: int = PAGE_SIZE) -> list[AuditRow]:
        return list(audit_trail.page(self.user, flt, before_id=before_id, limit=limit))

    def choices(self) -> FilterChoices:
        return audit_trail.choices(self.user)

    def verify(self) -> ChainCheck:
        return audit_trail.verify(self.user)


class AuditModel(PagedTableModel):
    """Audit events, newest first, fetched a page at a time as the view scrolls."""

    count_changed = Signal(int)  # events the current listing covers in all

    def __init__(
        self, source: AuditSource, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(HEADERS, page_size=page_size, parent=parent)
        self._source = source
        self._filter = AuditFilter()
        self._count: int | None = None

    @property
    def current_filter(self) -> AuditFilter:
        return self._filter

    @property
    def count(self) -> int | None:
        return self._count

    def set_filter(self, flt: AuditFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Forget the rows held; query the newest page and the total again."""
        self._count = None
        super().refresh()

    # --- PagedTableModel hooks --------------------------------------------------------------

    def next_start(self) -> int | None:
        rows = self.rows_held()
        return rows[-1].id if rows else None

    def page_work(self, start: int | None) -> PageWork:
        return partial(_page, self._source, self._filter, start, self.page_size)

    def row_cells(self, row: AuditRow) -> tuple[str, ...]:
        return display_cells(row)

    def page_extra(self, total: int | None) -> None:
        if total is not None:
            self._count = total
            self.count_changed.emit(total)


def chain_text(check: ChainCheck) -> str:
    if check.intact:
        return f"Audit trail intact: {check.events} events checked."
    problems = "1 problem" if len(check.problems) == 1 else f"{len(check.problems)} problems"
    return f"Audit trail BROKEN: {problems} in {check.events} events (listed below)."


class AuditView(QWidget):
    """The audit trail with its filters and the chain check (needs audit.read)."""

    verified = Signal(object)  # the ChainCheck

    def __init__(self, user: SignedIn, parent: QWidget | None = None) -> None:
        # Raises (and audits) PermissionDenied before any widget exists for a role
        # without audit.read.
        check_allowed(user, "audit.list", permission_for("audit.list"))
        queries = AuditDesk(user)
        super().__init__(parent)
        self.queries = queries
        self._worker = Worker(self)
        self.model = AuditModel(self.queries, parent=self)
        self.user_box = _any_box("Any user")
        self.action_box = _any_box("Any action")
        self.outcome_box = _any_box("Any outcome")
        self.patient_edit = QLineEdit(self, placeholderText="Patient name or #id")
        self.patient_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("Refresh", self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("subtitle")
        self.error_label = ErrorLabel(self)
        self.table = _table(self.model)
        self.verify_button = QPushButton("Verify chain", self)
        self.verify_label = QLabel(self)
        self.verify_label.setWordWrap(True)
        self.problems = QPlainTextEdit(self, readOnly=True)
        self.problems.setVisible(False)
        self.filters = FilterBar(
            (self.user_box, self.action_box, self.outcome_box),
            self.patient_edit,
            dates_label="From",
            debounce_ms=PATIENT_DEBOUNCE_MS,
            trailing=(self.refresh_button,),
            parent=self,
        )
        self.dates_check = self.filters.dates_check
        self.date_from, self.date_to = self.filters.date_from, self.filters.date_to
        self._lay_out()
        self._connect()
        self.refresh()

    # --- layout and wiring ----------------------------------------------------------------

    def _lay_out(self) -> None:
        check = QHBoxLayout()
        check.addWidget(self.verify_button)
        check.addWidget(self.verify_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(check)
        layout.addWidget(self.problems)

    def _connect(self) -> None:
        self.filters.changed.connect(self.apply_filters)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.model.count_changed.connect(self._show_count)
        self.model.count_changed.connect(self._fit_columns)
        self.model.failed.connect(self._show_problem)

    def refresh(self) -> None:
        """Re-read the drop-downs' choices and the listing (new events appear)."""
        self._worker.start(self.queries.choices, self._fill_choices, self._show_problem)
        self.model.refresh()

    @Slot(object)
    def _show_problem(self, error: BaseException) -> None:
        show_problem(self, error)

    def _fill_choices(self, choices: FilterChoices) -> None:
        for box, values in ((self.user_box, choices.usernames),
                            (self.action_box, choices.actions),
                            (self.outcome_box, choices.outcomes)):
            _refill(box, values)

    # --- filters ---------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """The filter the widgets describe; InvalidField if the date range is backwards."""
        dates_on = self.dates_check.isChecked()
        return AuditFilter(
            username=self.user_box.currentData(),
            patient=self.patient_edit.text(),
            action=self.action_box.currentData(),
            outcome=self.outcome_box.currentData(),
            date_from=to_date(self.date_from.date()) if dates_on else None,
            date_to=to_date(self.date_to.date()) if dates_on else None,
        )

    def apply_filters(self) -> None:
        self.filters.settle()
        flt = form_value(self.current_filter, self.error_label, {"date_to": "Date range"})
        if flt is not None and flt != self.model.current_filter:
            self.model.set_filter(flt)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    @Slot()
    def _fit_columns(self) -> None:
        """Each column as wide as what it holds on the first page; the detail takes the rest.

        Once per listing, not per page: measuring every page as it scrolls in would cost
        a moment each time.
        """
        for column in range(len(HEADERS) - 1):
            self.table.resizeColumnToContents(column)

    def _show_count(self, count: int) -> None:
        self.count_label.setText("1 event matches" if count == 1 else f"{count} events match")

    # --- the chain check ------------------------------------------------------------------

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setText("Checking every event's hash…")
        self._worker.start(self.queries.verify, self._verified, self._verify_failed)

    def _verified(self, check: ChainCheck) -> None:
        self.verify_button.setEnabled(True)
        self.verify_label.setText(chain_text(check))
        self.problems.setPlainText("\n".join(check.problems))
        self.problems.setVisible(not check.intact)
        self.verified.emit(check)

    def _verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_label.setText("The check could not run.")
        show_problem(self, error)


def _any_box(any_label: str) -> QComboBox:
    box = QComboBox()
    box.addItem(any_label, ANY)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box


def _refill(box: QComboBox, values: tuple[str, ...]) -> None:
    """New choices, keeping the one selected (a refill must not change the filter)."""
    chosen = box.currentData()
    box.blockSignals(True)
    try:
        while box.count() > 1:
            box.removeItem(1)
        for value in values:
            box.addItem(value, value)
        if chosen is not None and box.findData(chosen) < 0:
            box.addItem(chosen, chosen)
        box.setCurrentIndex(max(0, box.findData(chosen)) if chosen is not None else 0)
    finally:
        box.blockSignals(False)


def _table(model: AuditModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table
