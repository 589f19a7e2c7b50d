""""Due": who is due, overdue or waiting for a clearance this week, and booking them.

Reception and practitioners use it alike; it shows names, times and practitioners,
never anything clinical. Every call goes to consult.services.bookings off the GUI
thread; a refusal is shown in words under the table.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelection, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from consult.errors import ConsultError
from consult.records import BookingRecord, DueItem
from consult.services import bookings
from consult.services.acting import SignedIn
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel
from ui.widgets.rows_model import Row, RowsModel, selected_row, table_view

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
        self._worker = Worker(self)
        self.model = RowsModel(HEADERS, self)
        self.table = table_view(self.model, self, "Due this week")
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
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        user, today = self._user, self._today
        self._worker.start(
            lambda: bookings.due_this_week(user, today=today), self._show, self._failed
        )

    def _show(self, items: tuple[DueItem, ...]) -> None:
        self.error.clear_error()
        self.model.set_rows([Row(due_cells(item), item) for item in items])
        self._update_buttons()
        self.loaded.emit()

    def selected(self) -> BookingRecord | None:
        row = selected_row(self.table)
        return self.model.payload(row).booking if row is not None else None

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

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
