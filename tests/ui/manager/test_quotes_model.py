"""The quotes model: lazy pages off the GUI thread, sorting in the database, Qt's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from consult.records.manager import QuoteFilter
from tests.helpers.signing import signed
from tests.ui.manager.clinic_data import SPECS
from ui.manager.desk import ManagerDesk
from ui.manager.quotes_model import COLUMNS, QuotesModel


def loaded_model(qtbot, clinic, holder, page_size=5) -> QuotesModel:
    model = QuotesModel(ManagerDesk(signed(*clinic[:2])), page_size=page_size, parent=holder)
    with qtbot.waitSignals([model.page_loaded, model.totals_changed], timeout=30_000):
        model.refresh()
    return model


@pytest.mark.parametrize("force_py", [False, True])
def test_model_passes_the_model_tester_while_pages_arrive(qtbot, qtmodeltester, clinic, holder,
                                                         force_py):
    model = loaded_model(qtbot, clinic, holder)
    # The tester stays connected: it also checks the rows inserted by later pages and
    # the reset of a new sort.
    qtmodeltester.check(model, force_py=force_py)
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=30_000)
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.page_loaded, timeout=30_000):
            model.fetchMore(QModelIndex())
    with qtbot.waitSignal(model.page_loaded, timeout=30_000):
        model.sort(2, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 5


def test_pages_are_fetched_only_when_asked(qtbot, clinic, holder):
    model = loaded_model(qtbot, clinic, holder, page_size=5)
    assert model.rowCount() == 5
    assert model.totals.count == len(SPECS)  # totals cover the whole filtered set
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.page_loaded, timeout=30_000):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 10  # one more page, never everything
    with qtbot.waitSignal(model.page_loaded, timeout=30_000):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == len(SPECS)
    assert not model.canFetchMore(QModelIndex())


def test_a_short_view_holds_at_most_one_page_beyond_what_it_shows(qtbot, clinic):
    view = QTableView()
    qtbot.addWidget(view)
    model = QuotesModel(ManagerDesk(signed(*clinic[:2])), page_size=3, parent=view)
    view.resize(600, 140)  # room for a few rows only
    view.setModel(model)
    view.show()
    with qtbot.waitSignal(model.page_loaded, timeout=30_000):
        model.refresh()
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=30_000)
    shown = view.rowAt(view.viewport().height() - 1)
    shown = model.rowCount() if shown < 0 else shown + 1
    assert model.rowCount() <= shown + model.page_size
    assert model.rowCount() < len(SPECS)


def test_cells_are_precomputed_text(qtbot, clinic, holder):
    model = loaded_model(qtbot, clinic, holder, page_size=50)
    first = [model.data(model.index(0, column)) for column in range(len(COLUMNS))]
    assert first[2:] == ["Иван Петров", "Ben Okafor", "Presented", "Not needed", "$88.80"]
    total_column = [c.key for c in COLUMNS].index("total")
    alignment = model.data(model.index(0, total_column), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & int(Qt.AlignmentFlag.AlignRight)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Quote"


def test_sorting_re_queries_the_database(qtbot, clinic, holder):
    model = loaded_model(qtbot, clinic, holder, page_size=50)
    column = [c.key for c in COLUMNS].index("total")
    with qtbot.waitSignal(model.page_loaded, timeout=30_000):
        model.sort(column, Qt.SortOrder.AscendingOrder)
    totals = [model.quote_at(row).total for row in range(model.rowCount())]
    assert totals == sorted(Decimal(spec.total) for spec in SPECS)
    assert model.current_sort.column == "total"


def test_a_filter_replaces_the_rows_and_the_totals(qtbot, clinic, holder):
    model = loaded_model(qtbot, clinic, holder, page_size=50)
    with qtbot.waitSignals([model.page_loaded, model.totals_changed], timeout=30_000):
        model.set_filter(QuoteFilter(statuses=frozenset({"declined"})))
    assert {model.quote_at(row).status for row in range(model.rowCount())} == {"declined"}
    assert model.totals.count == model.rowCount() == 2
    assert model.totals.sums == {"USD": Decimal("1010.10")}
