"""The quotes table's model: pages fetched lazily, off the GUI thread.

The paging itself (rows held as precomputed text, canFetchMore/fetchMore, queries on
the thread pool, a generation number that drops the answers of replaced queries) is
ui.widgets.paged_model's. This model says what a page is: quotes in the filter's and the
sort's order, by offset. It also queries the totals of the whole filtered set.
Sorting and filtering re-run the query in the database (ORDER BY / WHERE).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot

from consult.pricing.format import format_money
from consult.records.manager import QuoteFilter, QuoteRow, QuoteSort, QuoteTotals
from ui.widgets.dates import show_datetime
from ui.widgets.paged_model import Answer, PagedTableModel, PageWork

PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    key: str  # the sort key understood by consult.services.quotes (records.SORT_COLUMNS)
    title: str
    numeric: bool = False


COLUMNS = (
    Column("id", "Quote", numeric=True),
    Column("created", "Created"),
    Column("patient", "Patient"),
    Column("practitioner", "Practitioner"),
    Column("status", "Status"),
    Column("approval", "Approval"),
    Column("total", "Total", numeric=True),
)

STATUS_LABELS = {
    "draft": "Draft", "presented": "Presented", "accepted": "Accepted",
    "declined": "Declined", "expired": "Expired",
}
APPROVAL_LABELS = {
    "not_needed": "Not needed", "pending": "Pending", "approved": "Approved",
    "rejected": "Rejected",
}


class QuoteSource(Protocol):
    """What the model queries: ui.manager.desk.ManagerDesk."""

    def page(
        self, flt: QuoteFilter, sort: QuoteSort, offset: int, limit: int
    ) -> list[QuoteRow]: ...

    def totals(self, flt: QuoteFilter) -> QuoteTotals: ...


# The work run on the pool gets plain values only, never the model: a job that held the
# last reference to a QObject would destroy it on the pool's thread.


def _page(source: QuoteSource, flt: QuoteFilter, sort: QuoteSort, offset: int,
          limit: int) -> tuple[list[QuoteRow], None]:
    return source.page(flt, sort, offset, limit), None


def display_cells(row: QuoteRow, locale: str) -> tuple[str, ...]:
    created = show_datetime(row.created_at)
    return (
        str(row.id),
        created,
        row.patient_name,
        row.practitioner_name or "—",
        STATUS_LABELS.get(row.status, row.status),
        APPROVAL_LABELS.get(row.approval, row.approval),
        format_money(row.total, row.currency, locale),
    )


class QuotesModel(PagedTableModel):
    totals_changed = Signal(object)  # QuoteTotals of the current filter

    def __init__(self, source: QuoteSource, *, locale: str = "en_US",
                 page_size: int = PAGE_SIZE, parent=None) -> None:
        super().__init__([column.title for column in COLUMNS], page_size=page_size,
                         parent=parent)
        self._source = source
        self._locale = locale
        self._filter = QuoteFilter()
        self._sort = QuoteSort()
        self._totals: QuoteTotals | None = None

    # --- what the view and the workspace ask -------------------------------------------

    @property
    def current_filter(self) -> QuoteFilter:
        return self._filter

    @property
    def current_sort(self) -> QuoteSort:
        return self._sort

    @property
    def totals(self) -> QuoteTotals | None:
        return self._totals

    def quote_at(self, row: int) -> QuoteRow:
        return self.row_at(row)

    def set_filter(self, flt: QuoteFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Forget the rows held and query the first page and the totals again."""
        self._totals = None
        super().refresh()
        self.start_query(partial(self._source.totals, self._filter), self._totals_arrived)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = QuoteSort(COLUMNS[column].key, descending)
        if wanted != self._sort:
            self._sort = wanted
            self.refresh()

    # --- PagedTableModel hooks --------------------------------------------------------------

    def next_start(self) -> int:
        return len(self.rows_held())

    def page_work(self, start: int) -> PageWork:
        return partial(_page, self._source, self._filter, self._sort, start, self.page_size)

    def row_cells(self, row: QuoteRow) -> tuple[str, ...]:
        return display_cells(row, self._locale)

    def cell_data(self, row: QuoteRow, column: int, role: int):
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @Slot(object)
    def _totals_arrived(self, answer: Answer) -> None:
        if self.is_current(answer):
            self._totals = answer.value
            self.totals_changed.emit(answer.value)
