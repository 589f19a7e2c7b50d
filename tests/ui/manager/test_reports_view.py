"""The reports tab: numbers from the database, a chart of them, a CSV of them."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from PySide6.QtCharts import QBarSeries, QLineSeries

from tests.helpers.signing import signed
from ui.manager.desk import ManagerDesk
from ui.manager.reports_view import ReportsView


@pytest.fixture
def view(qtbot, clinic, holder):
    db, actor, _ = clinic
    reports = ReportsView(ManagerDesk(signed(db, actor)), parent=holder)
    qtbot.waitUntil(lambda: bool(reports.rows), timeout=30_000)
    return reports


def test_monthly_report_in_table_chart_and_summary(view):
    assert [row.key for row in view.rows] == ["2026-01", "2026-02", "2026-03"]
    table = view.table
    january = [table.item(0, column).text() for column in range(table.columnCount())]
    assert january == ["2026-01", "4", "3", "2", "66.7%", "$1,500.50"]
    chart = view.chart_view.chart()
    bars = next(s for s in chart.series() if isinstance(s, QBarSeries))
    assert [bars.barSets()[0].at(i) for i in range(3)] == [1500.5, 0.0, 274.0]
    line = next(s for s in chart.series() if isinstance(s, QLineSeries))
    assert [round(point.y(), 1) for point in line.points()] == [66.7, 0.0, 50.0]
    assert view.summary_label.text() == "$1,774.50 accepted · conversion 40.0% (4 of 10 presented)"


def test_by_practitioner(qtbot, view):
    with qtbot.waitSignal(view.report_ready, timeout=30_000):
        view.grouping_box.setCurrentIndex(view.grouping_box.findData("practitioner"))
    by_name = {row.key: row for row in view.rows}
    assert set(by_name) == {"(no practitioner)", "Ana Souza", "Ben Okafor"}
    assert by_name["Ana Souza"].accepted_revenue == Decimal("1575.50")
    assert by_name["Ben Okafor"].conversion_percent == Decimal("0.0")
    assert view.table.rowCount() == 3


def test_export_csv(view, tmp_path):
    path = tmp_path / "report.csv"
    view.export_to(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == ["2026-01", "4", "3", "2", "66.7", "1500.50"]
    assert len(rows) == 4
