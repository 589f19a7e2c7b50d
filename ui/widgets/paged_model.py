"""A read-only table model that fetches its rows a page at a time, off the GUI thread.

The model holds only the rows fetched so far, with their cells precomputed as text,
so `data()` never touches the database. Qt asks for more with canFetchMore/fetchMore
as the view scrolls; each page is queried on the thread pool and arrives through a
queued signal. Every `refresh()` starts a new generation: the answers (and failures)
of queries asked for by an older one are dropped, as is a page that no longer starts
where the rows held end.

A subclass describes its listing with three methods (checked when a model is made):

- `page_work(start)`: the query of the page beginning at `start`, as a callable for
  the pool that returns `(rows, extra)`. It must hold plain values only, never the
  model: a job holding the last reference to a QObject would destroy it on the
  pool's thread.
- `next_start()`: where the next page begins, given the rows held (`rows_held()`).
- `row_cells(row)`: the row's cells as text, one per header.

and may override `page_extra(extra)` (what came with a page besides its rows, such as
a total; a subclass that keeps it clears it in its own `refresh()`) and
`cell_data(row, column, role)` (roles other than the text). Rows are dataclasses
with an `id`, given under UserRole.

Its base, `TextTableModel`, is the same table without the paging: rows set at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

from ui.shell.workers import Worker

Index = QModelIndex | QPersistentModelIndex
PageWork = Callable[[], tuple[Sequence[Any], Any]]


@dataclass(frozen=True)
class Answer:
    """What a query brought back, with the generation that asked for it."""

    generation: int
    value: Any


@dataclass(frozen=True)
class Page:
    start: object  # where the page begins: compared with next_start() when it arrives
    rows: tuple[Any, ...]
    extra: Any = None


class QueryFailed(Exception):
    """A query's error, tagged with the generation that asked (so a stale one is dropped)."""

    def __init__(self, generation: int, cause: Exception) -> None:
        super().__init__(str(cause))
        self.generation = generation
        self.cause = cause


def _tagged(generation: int, work: Callable[[], Any]) -> Answer:
    """Runs on the pool: the work's answer or error, labelled with its generation."""
    try:
        return Answer(generation, work())
    except Exception as error:  # re-raised, labelled, for the GUI thread's error handler
        raise QueryFailed(generation, error) from error


def _page(work: PageWork, start: object) -> Page:
    rows, extra = work()
    return Page(start, tuple(rows), extra)


def header_data(headers: Sequence[str], section: int, orientation: Qt.Orientation,
                role: int) -> Any:
    """A table's headerData: the column's title across, the row's number down."""
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if orientation == Qt.Orientation.Horizontal and 0 <= section < len(headers):
        return headers[section]
    if orientation == Qt.Orientation.Vertical:
        return section + 1
    return None


class TextTableModel(QAbstractTableModel):
    """Read-only rows shown as precomputed text (so `data()` never computes or queries);
    the row's `id` under UserRole. A subclass gives `row_cells(row)`, one text per header,
    and may give `cell_data(row, column, role)` for other roles."""

    hooks: tuple[str, ...] = ("row_cells",)  # what a subclass must define

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        missing = [name for name in self.hooks if not callable(getattr(self, name, None))]
        if missing:
            raise TypeError(f"{type(self).__name__} must define {', '.join(missing)}")
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: list[Any] = []
        self._cells: list[tuple[str, ...]] = []

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rows_held(self) -> Sequence[Any]:
        return self._rows

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show `rows` in place of those held."""
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [self.row_cells(row) for row in self._rows]
        self.endResetModel()

    def append_rows(self, rows: Sequence[Any]) -> None:
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._cells.extend(self.row_cells(row) for row in rows)
            self.endInsertRows()

    if TYPE_CHECKING:  # what a subclass defines (checked in __init__, so not defined here)

        def row_cells(self, row: Any) -> tuple[str, ...]: ...

    def cell_data(self, row: Any, column: int, role: int) -> Any:
        """Data for roles other than the text and the row's id; none by default."""
        return None

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._cells):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        return self.cell_data(self._rows[index.row()], index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return header_data(self._headers, section, orientation, role)


class PagedTableModel(TextTableModel):
    loading_changed = Signal(bool)
    page_loaded = Signal(int)  # rows held after a page arrived
    failed = Signal(object)  # the exception of a query
    hooks = ("page_work", "next_start", "row_cells")

    def __init__(
        self, headers: Sequence[str], *, page_size: int, parent: QObject | None = None
    ) -> None:
        super().__init__(headers, parent)
        self._page_size = page_size
        self._worker = Worker(self)
        self._generation = 0
        self._loading = False
        self._exhausted = True

    if TYPE_CHECKING:  # what a subclass defines (checked in __init__, so not defined here)

        def page_work(self, start: Any) -> PageWork: ...

        def next_start(self) -> Any: ...

    # --- what views and subclasses ask ----------------------------------------------------

    @property
    def page_size(self) -> int:
        return self._page_size

    def is_loading(self) -> bool:
        return self._loading

    def refresh(self) -> None:
        """Forget the rows held and query the first page again."""
        self._generation += 1
        self._exhausted = False
        self.set_rows([])
        self._request_page()

    def start_query(self, work: Callable[[], Any], on_answer: Callable[[Answer], None]) -> None:
        """Run `work` on the pool for the current generation: `on_answer` (a slot) gets its
        Answer and checks `is_current`; a failure of the current generation is `failed`."""
        self._worker.start(partial(_tagged, self._generation, work), on_answer,
                           self._query_failed)

    def is_current(self, answer: Answer) -> bool:
        """False for the answer to a query asked before the latest refresh."""
        return answer.generation == self._generation

    def page_extra(self, extra: Any) -> None:
        """What a page brought besides its rows (None for most pages)."""

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request_page()

    # --- background queries -------------------------------------------------------------

    def _request_page(self) -> None:
        self._set_loading(True)
        start = self.next_start()
        self.start_query(partial(_page, self.page_work(start), start), self._page_arrived)

    @Slot(object)
    def _page_arrived(self, answer: Answer) -> None:
        page: Page = answer.value
        if not self.is_current(answer) or page.start != self.next_start():
            return  # the answer to a query the user has since replaced
        self._exhausted = len(page.rows) < self._page_size
        self.append_rows(page.rows)
        self._set_loading(False)
        self.page_extra(page.extra)
        self.page_loaded.emit(len(self._rows))

    @Slot(object)
    def _query_failed(self, error: BaseException) -> None:
        if not isinstance(error, QueryFailed):
            raise error  # not a query's (start_query wraps every failure): let it surface
        if error.generation != self._generation:
            return
        self._exhausted = True
        self._set_loading(False)
        self.failed.emit(error.cause)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

