""""Due": who is due, overdue or waiting for a clearance this week, and booking them.

Reception and practitioners use it alike; it shows names, times and practitioners,
never anything clinical. Every call goes to consult.services.bookings off the GUI
thread; a refusal is shown in words under the table.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.records import BookingRecord, DueItem
from consult.services import bookings
from consult.services.acting import SignedIn
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel

HEADERS = ("When", "Patient", "Practitioner", "Session", "Booking", "Due")
KIND_WORDS = {
    "due": "Due this week",
    "overdue": "Overdue",
    "waiting for clearance": "Waiting for clearance",
}


def due_cells(item: DueItem) -> tuple[str, ...]:
    booking = item.booking
    return (
        f"{booking.starts_at:%a %d %b %Y, %H:%M}",
        booking.patient_name,
        booking.practitioner or "—",
        str(booking.session_number) if booking.session_number else "—",
        booking.status.capitalize(),
        KIND_WORDS.get(item.kind, item.kind),
    )


class DueView(QWidget):
    """This week's due list, with Book and Cancel for the selected booking."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, user: SignedIn, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._today = today
        self._items: list[DueItem] = []
        self._worker = Worker(self)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.book_button = QPushButton("Book", self)
        self.cancel_button = QPushButton("Cancel booking", self)
        self.error = ErrorLabel(self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.book_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.book_button.clicked.connect(self.book_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        user, today = self._user, self._today
        self._worker.start(
            lambda: bookings.due_this_week(user, today=today), self._show, self._failed
        )

    def _show(self, items: tuple[DueItem, ...]) -> None:
        self.error.clear_error()
        self._items = list(items)
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            for column, text in enumerate(due_cells(item)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self._update_buttons()
        self.loaded.emit()

    def selected(self) -> BookingRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self._items[rows[0].row()].booking if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        booking = self.selected()
        self.book_button.setEnabled(booking is not None and booking.status == "proposed")
        self.cancel_button.setEnabled(booking is not None)

    @Slot()
    def book_selected(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        user, booking_id = self._user, booking.id
        self._worker.start(lambda: bookings.book(user, booking_id), self._done, self._failed)

    @Slot()
    def cancel_selected(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        user, booking_id = self._user, booking.id
        self._worker.start(lambda: bookings.cancel(user, booking_id), self._done, self._failed)

    def _done(self, _booking: BookingRecord) -> None:
        self.changed.emit()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()
