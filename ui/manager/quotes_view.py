"""Every quote of the clinic in one table: filters, totals of the filtered set, CSV export.

The filters build a `QuoteFilter`; the model re-queries the database with it (off
the GUI thread) and the totals line shows the count and sum of everything the filter
keeps, not just the rows scrolled into view. Typing a patient's name is debounced so
each keystroke does not start a query.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consult.pricing.format import format_money
from consult.records.manager import Practitioner, QuoteFilter, QuoteSort, QuoteTotals
from ui.manager.desk import ManagerDesk
from ui.manager.quotes_model import APPROVAL_LABELS, COLUMNS, STATUS_LABELS, QuotesModel
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.filter_bar import FilterBar
from ui.widgets.forms import ErrorLabel, form_value, to_date
from ui.widgets.pdf_output import in_documents

NAME_DEBOUNCE_MS = 250
ANY = None  # the combo boxes' "any" entry carries no data


class QuotesView(QWidget):
    """The quotes table with its filters; emits `quote_opened(quote id)` on double-click."""

    quote_opened = Signal(int)
    exported = Signal(int, str)  # rows written, file

    def __init__(self, queries: ManagerDesk, *, locale: str = "en_US", parent=None) -> None:
        super().__init__(parent)
        self._queries = queries
        self._locale = locale
        self._worker = Worker(self)
        self.model = QuotesModel(queries, locale=locale, parent=self)

        self.status_box = _choice_box("Any status", STATUS_LABELS)
        self.approval_box = _choice_box("Any approval", APPROVAL_LABELS)
        self.practitioner_box = QComboBox()
        self.practitioner_box.addItem("Any practitioner", ANY)
        self.name_edit = QLineEdit(placeholderText="Patient name")
        self.name_edit.setClearButtonEnabled(True)
        self.export_button = QPushButton("Export CSV…")
        self.totals_label = QLabel(objectName="subtitle")
        self.error_label = ErrorLabel(self)
        self.table = _table(self.model)

        self.filters = FilterBar(
            (self.status_box, self.approval_box, self.practitioner_box),
            self.name_edit,
            dates_label="Created from",
            debounce_ms=NAME_DEBOUNCE_MS,
            parent=self,
        )
        self.dates_check = self.filters.dates_check
        self.date_from, self.date_to = self.filters.date_from, self.filters.date_to
        self._lay_out()
        self._connect()
        self._load_practitioners()
        self.model.refresh()

    # --- layout and wiring ----------------------------------------------------------------

    def _lay_out(self) -> None:
        footer = QHBoxLayout()
        footer.addWidget(self.totals_label, 1)
        footer.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    def _connect(self) -> None:
        self.filters.changed.connect(self.apply_filters)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.export_button.clicked.connect(self._ask_export)
        self.model.totals_changed.connect(self._show_totals)
        self.model.loading_changed.connect(self._show_loading)
        self.model.failed.connect(self._show_problem)
        self.apply_filters()

    def _load_practitioners(self) -> None:
        self._worker.start(self._queries.practitioners, self._fill_practitioners,
                           self._show_problem)

    @Slot(object)
    def _show_problem(self, error: BaseException) -> None:
        show_problem(self, error)

    def _fill_practitioners(self, practitioners: list[Practitioner]) -> None:
        for practitioner in practitioners:
            self.practitioner_box.addItem(practitioner.name, practitioner.id)

    # --- filters ---------------------------------------------------------------------------

    def current_filter(self) -> QuoteFilter:
        """The filter the widgets describe; InvalidField if the date range is backwards."""
        status = self.status_box.currentData()
        approval = self.approval_box.currentData()
        dates_on = self.dates_check.isChecked()
        return QuoteFilter(
            statuses=frozenset({status}) if status else frozenset(),
            approvals=frozenset({approval}) if approval else frozenset(),
            practitioner_id=self.practitioner_box.currentData(),
            created_from=to_date(self.date_from.date()) if dates_on else None,
            created_to=to_date(self.date_to.date()) if dates_on else None,
            patient_name=self.name_edit.text(),
        )

    def apply_filters(self) -> None:
        self.filters.settle()
        flt = form_value(self.current_filter, self.error_label, {"created_to": "Date range"})
        if flt is not None and flt != self.model.current_filter:
            self.model.set_filter(flt)

    # --- totals, opening, export -----------------------------------------------------------

    def _show_totals(self, totals: QuoteTotals) -> None:
        self.totals_label.setText(totals_text(totals, self._locale))

    def _show_loading(self, loading: bool) -> None:
        if loading and self.model.totals is None:
            self.totals_label.setText("Loading…")

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.quote_opened.emit(self.model.quote_at(index.row()).id)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export quotes", in_documents("quotes.csv"), "CSV files (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the filtered quotes, in the table's order, to `path` (off the GUI thread)."""
        flt, sort = self.model.current_filter, self.model.current_sort
        self.export_button.setEnabled(False)
        self._worker.start(
            partial(_export, self._queries, path, flt, sort),
            self._export_done,
            self._export_failed,
        )

    def _export_done(self, outcome: tuple[int, str]) -> None:
        self.export_button.setEnabled(True)
        self.exported.emit(*outcome)

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        show_problem(self, error)


def _export(queries: ManagerDesk, path: Path, flt: QuoteFilter,
            sort: QuoteSort) -> tuple[int, str]:
    return queries.export_csv(path, flt, sort), str(path)


def totals_text(totals: QuoteTotals, locale: str) -> str:
    noun = "quote" if totals.count == 1 else "quotes"
    sums = " + ".join(
        format_money(amount, currency, locale) for currency, amount in sorted(totals.sums.items())
    )
    return f"{totals.count:,} {noun} · total {sums}" if sums else f"{totals.count:,} {noun}"


def _choice_box(any_label: str, labels: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.addItem(any_label, ANY)
    for value, label in labels.items():
        box.addItem(label, value)
    return box


def _table(model: QuotesModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    # The indicator first: enabling sorting then asks the model for the order it already
    # has (newest first), which costs no extra query.
    table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    table.setSortingEnabled(True)
    _size_columns(table)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    return table


# The widest text each column usually holds; the patient's name takes the rest.
# (Fixed widths: sizing to contents would measure every row again as pages arrive.)
WIDEST = {"id": "000000", "created": "2026-12-31 23:59", "practitioner": "Practitioner name",
          "status": "Presented", "approval": "Not needed", "total": "$10,000.00"}


def _size_columns(table: QTableView) -> None:
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    for number, column in enumerate(COLUMNS):
        if column.key == "patient":
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
            continue
        widest = max(metrics.horizontalAdvance(WIDEST[column.key]),
                     metrics.horizontalAdvance(column.title))
        header.resizeSection(number, widest + 32)  # room for padding and the sort arrow
