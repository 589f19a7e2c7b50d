"""The shared read-only table model: precomputed rows, a payload per row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.widgets.rows_model import PayloadRole, Row, RowsModel, selected_row, table_view

HEADERS = ("Date", "Patient")


def test_the_model_passes_the_model_tester(qtmodeltester, holder):
    model = RowsModel(HEADERS, holder)
    qtmodeltester.check(model, force_py=True)
    model.set_rows([Row(("1 Dec 2026", "Ana Souza"), 7), Row(("2 Dec 2026", "Bo Li"), 8)])
    qtmodeltester.check(model, force_py=True)


def test_it_shows_the_cells_and_gives_back_each_rows_payload(holder):
    model = RowsModel(HEADERS, holder)
    model.set_rows([Row(("1 Dec 2026", "Ana Souza"), "first"), Row(("2 Dec", "Bo Li"), "second")])
    assert model.rowCount() == 2 and model.columnCount() == 2
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Patient"
    assert model.index(1, 1).data() == "Bo Li"
    assert model.index(0, 0).data(PayloadRole) == "first"
    assert model.payload(1) == "second"
    assert model.payloads() == ("first", "second")
    # Read-only: no cell can be edited in place.
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_a_row_with_the_wrong_number_of_cells_is_refused(holder):
    model = RowsModel(HEADERS, holder)
    with pytest.raises(ValueError, match="row 0 has 1 cells for 2 headers"):
        model.set_rows([Row(("only one",))])
    assert model.rowCount() == 0


def test_the_view_selects_one_whole_row(qtbot, holder):
    model = RowsModel(HEADERS, holder)
    model.set_rows([Row(("a", "b"), 1), Row(("c", "d"), 2)])
    view = table_view(model, holder, "Listing")
    assert selected_row(view) is None
    view.selectRow(1)
    assert selected_row(view) == 1
    assert view.selectionModel().isRowSelected(1)
