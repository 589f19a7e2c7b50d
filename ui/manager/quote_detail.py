"""One quote in full: lines, discounts, the consultation, its history; decide or reopen.

The manager approves or rejects a discount above the clinic's limit with a comment
(a rejection must say why), through consult.services.quotes, which checks the rules
and writes the audit event. An expired quote can be reopened as a new draft priced
with today's price list. Loading and saving run off the GUI thread.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.pricing.format import format_money
from consult.records.manager import ChangeEvent, QuoteDetail
from consult.services import quotes
from consult.services.acting import SignedIn
from ui.manager.desk import ManagerDesk
from ui.manager.quotes_model import APPROVAL_LABELS, STATUS_LABELS
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.dates import show_date, show_datetime
from ui.widgets.forms import ErrorLabel

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LINE_HEADERS = ("Item", "Price per session", "Sessions", "Amount")
ACTION_WORDS = {
    "quote.create": "created", "quote.present": "presented to the patient",
    "quote.accept": "accepted", "quote.decline": "declined", "quote.expire": "expired",
    "quote.approve": "discount approved", "quote.reject": "discount rejected",
    "quote.reopen": "reopened as a new draft",
}
# The verdict in words with a symbol, so it never depends on colour alone.
VERDICT_WORDS = {
    "proceed": "✔ Proceed", "precautions": "⚠ Proceed with precautions",
    "clearance": "⚠ Clearance needed", "defer": "✖ Defer", "decline": "✖ Decline",
}


class QuoteDetailDialog(QDialog):
    changed = Signal(int)  # the quote's id, after an approval decision
    reopened = Signal(int)  # the new draft's id

    def __init__(self, user: SignedIn, queries: ManagerDesk, quote_id: int, *,
                 locale: str = "en_US", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Quote {quote_id}")
        self.resize(780, 640)  # fits a 1280×720 screen; the details scroll, the buttons stay
        self._user = user
        self._actor = user.actor
        self._queries = queries
        self._quote_id = quote_id
        self._locale = locale
        self._worker = Worker(self)
        self.detail: QuoteDetail | None = None

        self.heading = QLabel(objectName="title")
        self.facts = QFormLayout()
        self.lines_table = QTableWidget(0, len(LINE_HEADERS))
        self.lines_table.setHorizontalHeaderLabels(LINE_HEADERS)
        header = self.lines_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few lines only
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines_table.verticalHeader().setVisible(False)
        self.lines_table.setTabKeyNavigation(False)
        self.lines_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lines_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.money_labels = {key: QLabel() for key in ("subtotal", "discount", "tax", "total")}
        self.history_list = QListWidget()
        self.history_list.setMinimumHeight(90)
        self.comment_edit = QPlainTextEdit(placeholderText="Comment (required to reject)")
        self.comment_edit.setMaximumHeight(70)
        self.approve_button = QPushButton("&Approve discount")
        self.reject_button = QPushButton("&Reject discount")
        self.reopen_button = QPushButton("Re&open as new draft")
        self.decision_note = QLabel(objectName="subtitle")
        self.decision_note.setWordWrap(True)
        self.error_label = ErrorLabel(self)
        self._lay_out()
        self._set_actions_enabled(False)
        self.approve_button.clicked.connect(self._approve)
        self.reject_button.clicked.connect(self._reject)
        self.reopen_button.clicked.connect(self.reopen)
        self.load()

    # --- layout -----------------------------------------------------------------------------

    def _lay_out(self) -> None:
        summary = QWidget()
        summary.setLayout(self.facts)
        money = QFormLayout()
        for key, label in self.money_labels.items():
            label.setAlignment(RIGHT)
            money.addRow(key.capitalize(), label)
        lines_box = QGroupBox("Lines")
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(self.lines_table)
        # Below the table in the same column, never on top of it: the table is as tall as
        # its lines (see _fit_table) and the page scrolls instead of squeezing them.
        lines_layout.addLayout(money)
        history = QGroupBox("History")
        QVBoxLayout(history).addWidget(self.history_list)
        body = QWidget(objectName="scrollBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(summary)
        body_layout.addWidget(lines_box)
        body_layout.addWidget(history, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        decision = QGroupBox("Decision")
        decision_layout = QVBoxLayout(decision)
        decision_layout.addWidget(self.decision_note)
        decision_layout.addWidget(self.comment_edit)
        decision_layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        for button in (self.approve_button, self.reject_button, self.reopen_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(decision)
        layout.addLayout(buttons)

    def is_busy(self) -> bool:
        return self._worker.busy()

    # --- loading ------------------------------------------------------------------------

    def load(self) -> None:
        quote_id = self._quote_id
        self._worker.start(partial(self._queries.detail, quote_id), self._show,
                           self._show_problem)

    @Slot(object)
    def _show_problem(self, error: BaseException) -> None:
        show_problem(self, error)

    def _show(self, detail: QuoteDetail) -> None:
        self.detail = detail
        quote = detail.quote
        self.heading.setText(f"Quote {quote.id} · {detail.patient_name}")
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in self._facts(detail):
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(label, text)
        self._fill_lines(detail)
        self._fit_table()
        self._fill_money(detail)
        self.history_list.clear()
        for event in detail.history:
            self.history_list.addItem(history_text(event))
        self._set_actions_enabled(True)

    def _facts(self, detail: QuoteDetail) -> list[tuple[str, str]]:
        quote = detail.quote
        areas = "; ".join(
            f"{area.area} ({', '.join(area.concerns)})" if area.concerns else area.area
            for area in detail.areas
        )
        verdict = VERDICT_WORDS.get(detail.screening_verdict or "", "Not screened")
        approval = APPROVAL_LABELS.get(quote.approval, quote.approval)
        if quote.approval_comment:
            approval += f": “{quote.approval_comment}”"
        return [
            ("Practitioner", detail.practitioner_name or "—"),
            ("Status", STATUS_LABELS.get(quote.status, quote.status)),
            ("Approval", approval),
            ("Created", show_datetime(quote.created_at)),
            ("Valid until", show_date(quote.valid_until)),
            ("Treatment", detail.treatment),
            ("Areas", areas or "—"),
            ("Screening", verdict),
            ("Course", f"{quote.sessions} sessions, every {quote.interval_weeks} weeks"),
        ]

    def _fill_lines(self, detail: QuoteDetail) -> None:
        lines = detail.quote.lines
        self.lines_table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = (line.description, self._money(line.unit_price), str(line.quantity),
                     self._money(line.amount))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(RIGHT)
                self.lines_table.setItem(row, column, item)

    def _fit_table(self) -> None:
        """The table exactly as tall as its header and lines, so nothing below can cover it."""
        table = self.lines_table
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        height = table.horizontalHeader().height() + rows + 2 * table.frameWidth()
        table.setFixedHeight(max(height, table.horizontalHeader().height() + 30))

    def quote_id(self) -> int:
        return self._quote_id

    def _fill_money(self, detail: QuoteDetail) -> None:
        quote = detail.quote
        parts = []
        if quote.course_discount_percent:
            parts.append(f"course paid up front {quote.course_discount_percent}%")
        if quote.manual_discount_percent:
            parts.append(f"manual {quote.manual_discount_percent}%")
        why = f" ({', '.join(parts)})" if parts else ""
        tax_percent = (quote.tax_rate * 100).normalize()
        self.money_labels["subtotal"].setText(self._money(quote.subtotal))
        self.money_labels["discount"].setText(f"− {self._money(quote.discount)}{why}")
        self.money_labels["tax"].setText(f"{self._money(quote.tax)} ({tax_percent:f}%)")
        self.money_labels["total"].setText(f"<b>{self._money(quote.total)}</b>")

    def _money(self, amount: Decimal) -> str:
        currency = self.detail.quote.currency if self.detail else "USD"
        return format_money(amount, currency, self._locale)

    def _set_actions_enabled(self, loaded: bool) -> None:
        quote = self.detail.quote if (loaded and self.detail) else None
        may_decide = self._actor.may("quote.approve")
        pending = quote is not None and quote.approval == "pending" and may_decide
        self.approve_button.setEnabled(pending)
        self.reject_button.setEnabled(pending)
        self.comment_edit.setEnabled(pending)
        self.reopen_button.setEnabled(quote is not None and quote.status == "expired")
        self.decision_note.setText(self._decision_note(quote, may_decide))

    @staticmethod
    def _decision_note(quote, may_decide: bool) -> str:
        """Why Approve and Reject are (not) available, so greyed-out buttons never puzzle."""
        if quote is None:
            return "Loading the quote…"
        if quote.approval == "pending":
            if not may_decide:
                return "The discount waits for a manager's approval."
            return "The discount is above the clinic's limit: approve it, or reject it saying why."
        words = APPROVAL_LABELS.get(quote.approval, quote.approval)
        return f"No decision needed now (approval: {words})."

    # --- actions ----------------------------------------------------------------------------

    @Slot()
    def _approve(self) -> None:
        self.decide(approve=True)

    @Slot()
    def _reject(self) -> None:
        self.decide(approve=False)

    def decide(self, *, approve: bool) -> None:
        if self.detail is None:
            return
        comment = self.comment_edit.toPlainText()
        version, quote_id = self.detail.quote.version, self.detail.quote.id
        self.error_label.clear_error()
        self._set_actions_enabled(False)
        self._worker.start(
            partial(quotes.decide_approval, self._user, quote_id, approve=approve,
                    comment=comment, expected_version=version),
            self._decided,
            self._action_failed,
        )

    def _decided(self, _record) -> None:
        self.comment_edit.clear()
        self.changed.emit(self._quote_id)
        self.load()

    def reopen(self) -> None:
        if self.detail is None:
            return
        quote_id = self.detail.quote.id
        self._set_actions_enabled(False)
        self._worker.start(partial(self._queries.reopen_expired, quote_id), self._reopened,
                           self._action_failed)

    def _reopened(self, new_id: int) -> None:
        self.reopened.emit(new_id)
        self.load()

    def _action_failed(self, error: BaseException) -> None:
        self._set_actions_enabled(True)
        if isinstance(error, ConsultError):
            self.error_label.show_error(error, {"comment": "Comment"})
        else:
            show_problem(self, error)


def history_text(event: ChangeEvent) -> str:
    when = show_datetime(event.at)
    words = ACTION_WORDS.get(event.action, event.action)
    comment = event.detail.get("comment")
    if event.action == "quote.reopen" and "reopened_from" in event.detail:
        words += f" (quote {event.detail['quote']} from quote {event.detail['reopened_from']})"
    note = f": “{comment}”" if comment else ""
    return f"{when} · {event.username} · {words}{note}"
