"""Accepted revenue and conversion, by month or by practitioner: a chart, a table, a CSV.

The database counts quotes per month, practitioner and status (one GROUP BY query,
off the GUI thread); consult.pricing.reports turns the tallies into report rows. The chart
draws revenue as bars and conversion as a line on its own percentage axis; the same
numbers are in the table below it, in words and figures, never in colour alone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.pricing import reports
from consult.pricing.format import format_money
from consult.pricing.reports import ReportRow, StatusTally
from ui.manager.desk import ManagerDesk
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.pdf_output import in_documents

LABELS_LEVEL_UP_TO = 12  # more categories than this get upright axis labels
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
GROUPINGS = {"month": "By month", "practitioner": "By practitioner"}
TABLE_HEADER = ("Month or practitioner", "Quotes", "Presented", "Accepted", "Conversion",
                "Accepted revenue")


class ReportsView(QWidget):
    report_ready = Signal(list)  # the ReportRow list shown
    exported = Signal(str)

    def __init__(self, queries: ManagerDesk, *, currency: str = "USD",
                 locale: str = "en_US", parent=None) -> None:
        super().__init__(parent)
        self._queries = queries
        self._currency = currency
        self._locale = locale
        self._worker = Worker(self)
        self._tallies: list[StatusTally] = []
        self.rows: list[ReportRow] = []

        self.grouping_box = QComboBox()
        for key, label in GROUPINGS.items():
            self.grouping_box.addItem(label, key)
        self.refresh_button = QPushButton("Refresh")
        self.export_button = QPushButton("Export CSV…")
        self.summary_label = QLabel(objectName="subtitle")
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.table = QTableWidget(0, len(TABLE_HEADER))
        self.table.setHorizontalHeaderLabels(TABLE_HEADER)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._lay_out()

        self.grouping_box.currentIndexChanged.connect(self._show)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._ask_export)
        self.refresh()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.grouping_box)
        bar.addWidget(self.summary_label, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.chart_view, 3)
        layout.addWidget(self.table, 2)

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self._worker.start(self._queries.status_tallies, self._tallies_arrived, self._failed)

    def _tallies_arrived(self, tallies: list[StatusTally]) -> None:
        self.refresh_button.setEnabled(True)
        self._tallies = tallies
        self._show()

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        show_problem(self, error)

    def grouping(self) -> str:
        return self.grouping_box.currentData()

    def _show(self) -> None:
        if self.grouping() == "month":
            self.rows = reports.by_month(self._tallies)
        else:
            self.rows = reports.by_practitioner(self._tallies)
        self._fill_table()
        self.chart_view.setChart(self._chart())
        total = reports.totals(self.rows)
        conversion = _percent_text(total.conversion_percent)
        self.summary_label.setText(
            f"{self._money(total.accepted_revenue)} accepted · conversion {conversion} "
            f"({total.accepted:,} of {total.presented:,} presented)"
        )
        self.report_ready.emit(self.rows)

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            cells = (row.key, f"{row.quotes:,}", f"{row.presented:,}", f"{row.accepted:,}",
                     _percent_text(row.conversion_percent), self._money(row.accepted_revenue))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(number, column, item)

    def _chart(self) -> QChart:
        chart = QChart()
        chart.setTitle(f"Accepted revenue and conversion, {GROUPINGS[self.grouping()].lower()}")
        revenue = QBarSet(f"Accepted revenue ({self._currency})")
        conversion = QLineSeries()
        conversion.setName("Conversion, presented → accepted (%)")
        for position, row in enumerate(self.rows):
            # A chart needs floats; the money itself stays Decimal in the table and CSV.
            revenue.append(float(row.accepted_revenue))
            percent = row.conversion_percent
            if percent is not None:
                conversion.append(QPointF(position, float(percent)))
        bars = QBarSeries()
        bars.append(revenue)
        chart.addSeries(bars)
        chart.addSeries(conversion)
        categories = QBarCategoryAxis()
        categories.append([row.key for row in self.rows])
        if len(self.rows) > LABELS_LEVEL_UP_TO:
            categories.setLabelsAngle(-90)  # upright, they would be cut to "…"
        money_axis = QValueAxis()
        money_axis.setTitleText(self._currency)
        highest = max((float(row.accepted_revenue) for row in self.rows), default=0.0)
        money_axis.setRange(0, max(highest * 1.1, 100.0))
        money_axis.applyNiceNumbers()  # round tick values: 0, 400, 800 … not 0, 375, 750 …
        money_axis.setLabelFormat("%.0f")
        percent_axis = QValueAxis()
        percent_axis.setRange(0, 100)
        percent_axis.setTitleText("%")
        percent_axis.setLabelFormat("%.0f")
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(money_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(percent_axis, Qt.AlignmentFlag.AlignRight)
        bars.attachAxis(categories)
        bars.attachAxis(money_axis)
        conversion.attachAxis(categories)
        conversion.attachAxis(percent_axis)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart

    def _money(self, amount: Decimal) -> str:
        return format_money(amount, self._currency, self._locale)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export report", in_documents(f"report-{self.grouping()}.csv"),
            "CSV files (*.csv)",
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        try:
            reports.write_report_csv(path, self.rows)
        except ConsultError as error:
            show_problem(self, error)
            return
        self.exported.emit(str(path))


def _percent_text(percent: Decimal | None) -> str:
    return "—" if percent is None else f"{percent}%"
