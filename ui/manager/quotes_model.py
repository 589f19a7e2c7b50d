"""The quotes table's model: pages fetched lazily, off the GUI thread.

The model holds only the rows fetched so far, as precomputed display tuples, so
`data()` never touches the database. Qt asks for more with canFetchMore/fetchMore
as the view scrolls; each page (and the totals of the filtered set) is queried on
the thread pool and arrives through a queued signal. Sorting and filtering re-run
the query in the database (ORDER BY / WHERE); a generation number drops the answers
of queries the user has already replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from consult.pricing.format import format_money
from consult.storage.manager_queries import QuoteFilter, QuoteRow, QuoteSort, QuoteTotals
from ui.workers import Worker

PAGE_SIZE = 200

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # the sort key understood by consult.storage.manager_queries
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
    """What the model queries: consult.storage.manager_queries.ManagerQueries."""

    def page(
        self, flt: QuoteFilter, sort: QuoteSort, offset: int, limit: int
    ) -> list[QuoteRow]: ...

    def totals(self, flt: QuoteFilter) -> QuoteTotals: ...


@dataclass(frozen=True)
class _Page:
    generation: int
    offset: int
    rows: list[QuoteRow]


# The work run on the pool gets plain values only, never the model: a job that held the
# last reference to a QObject would destroy it on the pool's thread.


def _page(source: QuoteSource, generation: int, flt: QuoteFilter, sort: QuoteSort,
          offset: int, limit: int) -> _Page:
    return _Page(generation, offset, source.page(flt, sort, offset, limit))


def _totals(source: QuoteSource, generation: int, flt: QuoteFilter) -> tuple[int, QuoteTotals]:
    return generation, source.totals(flt)


def display_cells(row: QuoteRow, locale: str) -> tuple[str, ...]:
    created = row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        str(row.id),
        created,
        row.patient_name,
        row.practitioner_name or "—",
        STATUS_LABELS.get(row.status, row.status),
        APPROVAL_LABELS.get(row.approval, row.approval),
        format_money(row.total, row.currency, locale),
    )


class QuotesModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    totals_changed = Signal(object)  # QuoteTotals of the current filter
    page_loaded = Signal(int)  # rows held after a page arrived
    failed = Signal(object)  # the exception of a query

    def __init__(self, source: QuoteSource, *, locale: str = "en_US",
                 page_size: int = PAGE_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._source = source
        self._locale = locale
        self._page_size = page_size
        self._worker = Worker(self)
        self._rows: list[QuoteRow] = []
        self._cells: list[tuple[str, ...]] = []
        self._filter = QuoteFilter()
        self._sort = QuoteSort()
        self._generation = 0
        self._loading = False
        self._exhausted = True
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

    @property
    def page_size(self) -> int:
        return self._page_size

    def is_loading(self) -> bool:
        return self._loading

    def quote_at(self, row: int) -> QuoteRow:
        return self._rows[row]

    def set_filter(self, flt: QuoteFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Forget the rows held and query the first page and the totals again."""
        self._generation += 1
        self.beginResetModel()
        self._rows, self._cells = [], []
        self._exhausted = False
        self.endResetModel()
        self._totals = None
        generation, flt = self._generation, self._filter
        self._worker.start(
            partial(_totals, self._source, generation, flt),
            self._totals_arrived,
            lambda error: self._query_failed(generation, error),
        )
        self._request_page()

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._cells):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section].title
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request_page()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = QuoteSort(COLUMNS[column].key, descending)
        if wanted != self._sort:
            self._sort = wanted
            self.refresh()

    # --- background queries -------------------------------------------------------------

    def _request_page(self) -> None:
        self._set_loading(True)
        generation, flt, sort = self._generation, self._filter, self._sort
        offset, limit = len(self._rows), self._page_size
        self._worker.start(
            partial(_page, self._source, generation, flt, sort, offset, limit),
            self._page_arrived,
            lambda error: self._query_failed(generation, error),
        )

    def _page_arrived(self, page: _Page) -> None:
        if page.generation != self._generation or page.offset != len(self._rows):
            return  # the answer to a query the user has since replaced
        self._exhausted = len(page.rows) < self._page_size
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._cells.extend(display_cells(row, self._locale) for row in page.rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    def _totals_arrived(self, answer: tuple[int, QuoteTotals]) -> None:
        generation, totals = answer
        if generation == self._generation:
            self._totals = totals
            self.totals_changed.emit(totals)

    def _query_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True
        self._set_loading(False)
        self.failed.emit(error)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
