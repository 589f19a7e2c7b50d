"""The quotes table's filters, totals line and CSV export, driven like a manager would."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from tests.helpers.signing import signed
from tests.ui.manager.clinic_data import SPECS
from ui.manager.desk import ManagerDesk
from ui.manager.quotes_view import QuotesView


@pytest.fixture
def view(qtbot, clinic, holder):
    db, actor, _ = clinic
    quotes = QuotesView(ManagerDesk(signed(db, actor)), parent=holder)
    qtbot.waitUntil(lambda: quotes.model.totals is not None and not quotes.model.is_loading(),
                    timeout=30_000)
    qtbot.waitUntil(lambda: quotes.practitioner_box.count() == 3, timeout=30_000)
    return quotes


def shown(view) -> list:
    return [view.model.quote_at(row) for row in range(view.model.rowCount())]


def choose(box, value) -> None:
    box.setCurrentIndex(box.findData(value))


def settle(qtbot, view, change) -> None:
    """Make a change to the filters and wait for the rows and totals it asks for."""
    with qtbot.waitSignals([view.model.page_loaded, view.model.totals_changed],
                           timeout=30_000):
        change()


def test_opens_with_every_quote_and_the_totals(view):
    assert view.model.rowCount() == len(SPECS)
    assert view.totals_label.text() == "12 quotes · total $4,593.64"


def test_status_and_approval_boxes_narrow_the_rows(qtbot, view):
    settle(qtbot, view, lambda: choose(view.status_box, "presented"))
    assert {q.status for q in shown(view)} == {"presented"}
    assert view.model.rowCount() == 3
    settle(qtbot, view, lambda: choose(view.approval_box, "approved"))
    assert [q.patient_name for q in shown(view)] == ["Maria Souza"]
    assert view.totals_label.text() == "1 quote · total $250.25"


def test_practitioner_box(qtbot, view, clinic):
    _, _, ids = clinic
    settle(qtbot, view, lambda: choose(view.practitioner_box, ids["Ana Souza"]))
    assert {q.practitioner_name for q in shown(view)} == {"Ana Souza"}
    assert view.model.rowCount() == sum(1 for s in SPECS if s.practitioner == "Ana Souza")


def test_date_range(qtbot, view):
    view.date_from.setDate(QDate(2026, 3, 1))
    view.date_to.setDate(QDate(2026, 3, 31))
    settle(qtbot, view, lambda: view.dates_check.setChecked(True))
    expected = {s.patient for s in SPECS
                if date(2026, 3, 1) <= s.created.astimezone().date() <= date(2026, 3, 31)}
    assert {q.patient_name for q in shown(view)} == expected
    assert all(q.created_at.astimezone().month == 3 for q in shown(view))


def test_a_backwards_date_range_is_explained_not_queried(qtbot, view):
    view.dates_check.setChecked(True)
    qtbot.waitUntil(lambda: not view.model.is_loading(), timeout=30_000)
    before = view.model.current_filter
    view.date_from.setDate(QDate(2026, 3, 1))
    view.date_to.setDate(QDate(2026, 2, 1))
    assert view.error_label.text() == "Date range: the end of the date range is before its start"
    assert view.model.current_filter.created_to <= before.created_to


def test_typing_a_patient_name_filters_after_a_pause(qtbot, view):
    settle(qtbot, view, lambda: qtbot.keyClicks(view.name_edit, "zoe"))
    assert {q.patient_name for q in shown(view)} == {"Zoë Ångström"}
    assert view.totals_label.text().startswith("3 quotes")


def test_clicking_a_header_sorts_in_the_database(qtbot, view):
    header = view.table.horizontalHeader()
    settle(qtbot, view, lambda: header.setSortIndicator(2, Qt.SortOrder.AscendingOrder))
    names = [q.patient_name for q in shown(view)]
    assert names == sorted(names)
    assert view.model.current_sort.column == "patient"


def test_double_click_opens_the_quote(qtbot, view):
    index = view.model.index(0, 2)
    with qtbot.waitSignal(view.quote_opened, timeout=30_000) as opened:
        view.table.doubleClicked.emit(index)
    assert opened.args == [view.model.quote_at(0).id]


def test_export_writes_the_filtered_rows_as_csv(qtbot, view, tmp_path):
    settle(qtbot, view, lambda: choose(view.status_box, "accepted"))
    path = tmp_path / "accepted.csv"
    with qtbot.waitSignal(view.exported, timeout=30_000) as done:
        view.export_to(path)
    assert done.args == [4, str(path)]
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["total"] for row in rows] == ["199.00", "75.00", "500.50", "1000.00"]
    assert {row["status"] for row in rows} == {"accepted"}
    assert rows[0]["practitioner"] == ""
