"""Step 5: the quote, priced live by consult.pricing as the choices change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.clinical.outcome import EXCLUDED, area_outcomes, left_out
from consult.clinical.screening import screen
from consult.errors import ConsultError
from consult.pricing import Quote, QuoteOptions, build_quote, format_money
from consult.pricing.format import format_percent
from consult.pricing.money import parse_percent
from consult.pricing.options import MAX_SESSIONS
from ui.consultation.approval import DiscountApproval
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel

HEADERS = ("Item", "Per session", "Sessions", "Amount")


class QuoteStep(Step):
    title = "Quote"

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self.quote: Quote | None = None
        self.sessions = QSpinBox(self)
        self.sessions.setRange(0, MAX_SESSIONS)
        self.sessions.setSpecialValueText("As the course needs")
        self.sessions.setMaximumWidth(220)
        self.upfront = QCheckBox(self)
        self.discount = QLineEdit(self)
        self.discount.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^\d{0,3}([.]\d{0,2})?$"), self)
        )
        self.discount.setMaximumWidth(90)
        self.add_ons_box = QGroupBox("Add-ons (each session)", self)
        self.add_on_boxes: dict[str, QCheckBox] = {}
        self.lines = QTableWidget(0, len(HEADERS), self)
        self.totals = QLabel(self)
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.total = QLabel(self)
        self.total.setObjectName("total")
        # A discount over the clinic's limit: ask a manager, or remove it.
        self.approval = DiscountApproval(draft, services, self)
        self.excluded = QLabel(self)  # declined areas, left out of the quote, with the reason
        self.excluded.setObjectName("excluded")
        self.excluded.setWordWrap(True)
        self.error = ErrorLabel(self)
        self._build()

    def _build(self) -> None:
        self.lines.setHorizontalHeaderLabels(HEADERS)
        self.lines.verticalHeader().setVisible(False)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.setAlternatingRowColors(True)
        self.lines.setTabKeyNavigation(False)  # Tab goes on to the next control
        choices = QFormLayout()
        choices.addRow("Sessions", self.sessions)
        choices.addRow("Payment", self.upfront)
        choices.addRow("Manual discount (%)", self.discount)
        self._add_ons_grid = QGridLayout(self.add_ons_box)
        top = QGridLayout()
        top.addLayout(choices, 0, 0)
        top.addWidget(self.add_ons_box, 0, 1)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.lines, 1)
        bottom = QVBoxLayout()
        bottom.addWidget(self.totals, 0, Qt.AlignmentFlag.AlignRight)
        bottom.addWidget(self.total, 0, Qt.AlignmentFlag.AlignRight)
        bottom.addWidget(self.approval)
        bottom.addWidget(self.excluded)
        bottom.addWidget(self.error)
        self.layout_.addLayout(bottom)
        self.sessions.valueChanged.connect(self._choices_changed)
        self.upfront.toggled.connect(self._choices_changed)
        self.discount.textEdited.connect(self._choices_changed)
        self.approval.remove_requested.connect(self.remove_discount)

    def enter(self) -> None:
        settings = self.services.settings
        self.upfront.setText(
            f"Whole course paid up front ({format_percent(settings.course_discount_percent)} off)"
        )
        self._fill_add_ons()
        for widget, value in (
            (self.sessions, self.draft.sessions_override or 0),
            (self.upfront, self.draft.pay_upfront),
        ):
            widget.blockSignals(True)
            if isinstance(widget, QSpinBox):
                widget.setValue(value)
            else:
                widget.setChecked(bool(value))
            widget.blockSignals(False)
        if not self.discount.hasFocus():
            self.discount.setText(f"{self.draft.manual_discount_percent.normalize():f}")
        self.reprice()

    def _fill_add_ons(self) -> None:
        offered = self.services.price_list.add_ons(self.draft.treatment)
        if list(offered) == list(self.add_on_boxes):
            for item, box in self.add_on_boxes.items():
                box.blockSignals(True)
                box.setChecked(item in self.draft.add_ons)
                box.blockSignals(False)
            return
        layout = self._add_ons_grid
        for box in self.add_on_boxes.values():
            layout.removeWidget(box)
            box.deleteLater()
        self.add_on_boxes = {}
        settings = self.services.settings
        for index, (item, entry) in enumerate(offered.items()):
            price = format_money(entry.unit_price, settings.currency, settings.locale)
            box = QCheckBox(f"{entry.label} ({price})", self.add_ons_box)
            box.setChecked(item in self.draft.add_ons)
            box.toggled.connect(self._choices_changed)
            layout.addWidget(box, index, 0)
            self.add_on_boxes[item] = box
        self.draft.add_ons = tuple(a for a in self.draft.add_ons if a in offered)

    @Slot()
    def _choices_changed(self) -> None:
        try:
            percent = parse_percent(self.discount.text() or "0", "manual_discount_percent")
        except ConsultError as error:
            self.error.show_error(error, {"manual_discount_percent": "Manual discount"})
            return
        self.draft.manual_discount_percent = percent
        self.draft.sessions_override = self.sessions.value() or None
        self.draft.pay_upfront = self.upfront.isChecked()
        self.draft.add_ons = tuple(
            item for item, box in self.add_on_boxes.items() if box.isChecked()
        )
        self.reprice()
        self.changed.emit()

    def options(self) -> QuoteOptions:
        return QuoteOptions(
            add_ons=self.draft.add_ons,
            pay_upfront=self.draft.pay_upfront,
            manual_discount_percent=self.draft.manual_discount_percent,
            sessions_override=self.draft.sessions_override,
        )

    def reprice(self) -> None:
        consultation = self.draft.consultation()
        screening = screen(consultation)
        self._show_excluded(consultation, screening)
        try:
            self.quote = build_quote(
                consultation,
                self.services.price_list,
                self.services.settings,
                self.options(),
                left_out(consultation, screening),
            )
        except ConsultError as error:
            self.quote = None
            self.error.show_error(error, {"manual_discount_percent": "Manual discount"})
            return
        self.error.clear_error()
        self._show(self.quote)

    def _show_excluded(self, consultation: Any, screening: Any) -> None:
        lines = []
        for outcome in area_outcomes(consultation, screening):
            if outcome.status == EXCLUDED:
                reasons = " ".join(f.message for f in outcome.findings if f.severity == "decline")
                label = catalogue().area(outcome.area).label
                lines.append(f"Not quoted (left out by the screening): {label}: {reasons}")
        self.excluded.setText("\n".join(lines))
        self.excluded.setVisible(bool(lines))

    def _money(self, amount: Decimal) -> str:
        return format_money(amount, self.services.settings.currency, self.services.settings.locale)

    def _show(self, quote: Quote) -> None:
        self.lines.setRowCount(len(quote.lines))
        for row, line in enumerate(quote.lines):
            cells = (
                line.description,
                self._money(line.unit_price),
                str(line.quantity),
                self._money(line.amount),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.lines.setItem(row, column, item)
        rows = [("Subtotal", quote.subtotal)]
        if quote.course_discount:
            rows.append(("Paid up front", -quote.course_discount))
        if quote.manual_discount:
            rows.append(
                (
                    f"Discount ({format_percent(quote.manual_discount_percent)})",
                    -quote.manual_discount,
                )
            )
        rows.append((f"Tax ({format_percent(quote.tax_rate * 100)})", quote.tax))
        self.totals.setText(
            "<table>"
            + "".join(
                f"<tr><td>{label}</td><td align='right'>&nbsp;&nbsp;{self._money(value)}</td></tr>"
                for label, value in rows
            )
            + "</table>"
        )
        course = (
            f"{quote.sessions} sessions, every {quote.interval_weeks} weeks"
            if quote.sessions
            else "No treatable areas"
        )
        valid = f"valid until {show_date(quote.valid_until)}"
        self.total.setText(f"Total {self._money(quote.total)}  ·  {course}  ·  {valid}")
        self.approval.refresh()

    @Slot()
    def remove_discount(self) -> None:
        """The practitioner chose to go on at the clinic's prices, without the discount."""
        self.discount.setText("0")
        self._choices_changed()

    def blocker(self) -> str | None:
        self.reprice()  # the areas or treatment may have changed since this page was shown
        if self.quote is None:
            return "The quote has a problem: see the message under the totals."
        if not self.quote.lines:
            return "There is nothing to treat: choose at least one area that screening allows."
        return None
