""""Due": who is due, overdue or waiting for a clearance this week, and booking them.

Reception and practitioners use it alike; it shows names, times and practitioners,
never anything clinical. Every call goes to consult.services.bookings off the GUI
thread; a refusal is shown in words under the table. A practitioner (who may record
sessions) can start the selected booking's session from here.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QItemSelection, Qt, QTime, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.records.course import BookingRecord, DueItem
from consult.services import bookings
from consult.services.acting import SignedIn
from ui.course.requests import SessionRequest
from ui.shell import confirm
from ui.shell.errors import log_unexpected
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import date_format, local, show_datetime
from ui.widgets.dates import now as clinic_now
from ui.widgets.forms import ErrorLabel, dialog_footer
from ui.widgets.pdf_output import in_documents
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
        show_datetime(booking.starts_at),
        booking.patient_name,
        booking.practitioner or "—",
        str(booking.session_number) if booking.session_number else "—",
        booking.status.capitalize(),
        KIND_WORDS.get(item.kind, item.kind),
    )


class DueView(QWidget):
    """This week's due list, with Book, Move, .ics and Cancel for the selected booking."""

    loaded = Signal()
    changed = Signal()
    session_requested = Signal(object)  # a SessionRequest for the selected booking
    saved = Signal(object)  # the path of a calendar file written

    def __init__(
        self, user: SignedIn, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._user = user
        self._today = today
        self._asked_once = False
        self.time_dialog: TimeDialog | None = None
        self._worker = Worker(self)
        self.model = RowsModel(HEADERS, self)
        self.table = table_view(self.model, self, "Due this week")
        self.title = QLabel("Due, overdue and waiting for a clearance this week", self)
        self.title.setObjectName("title")
        self.refresh_button = QPushButton("Refresh", self)
        self.session_button = make_primary(QPushButton("Start session", self))
        self.session_button.setVisible(user.actor.may("course.write"))
        self.book_button = QPushButton("Book", self)
        self.move_button = QPushButton("Book at another time…", self)
        self.ics_button = QPushButton("Save calendar file (.ics)…", self)
        self.cancel_button = QPushButton("Cancel booking", self)
        self.error = ErrorLabel(self)
        self.note = QLabel(self)
        self.note.setObjectName("subtitle")
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.session_button)
        buttons.addStretch(1)
        for button in (self.book_button, self.move_button, self.ics_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.refresh_button.clicked.connect(self.refresh)
        self.session_button.clicked.connect(self.start_session)
        self.book_button.clicked.connect(self.book_selected)
        self.move_button.clicked.connect(self.move_selected)
        self.ics_button.clicked.connect(self.save_ics)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._asked_once:
            self._asked_once = True
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        self._asked_once = True
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

    def _update_buttons(self) -> None:
        booking = self.selected()
        self.book_button.setEnabled(booking is not None and booking.status == "proposed")
        for button in (self.move_button, self.ics_button, self.cancel_button):
            button.setEnabled(booking is not None)
        self.session_button.setEnabled(booking is not None and booking.consultation_id is not None)

    # ------------------------------------------------------------------ actions

    @Slot()
    def start_session(self) -> None:
        booking = self.selected()
        if booking is None or booking.consultation_id is None:
            return
        self.session_requested.emit(
            SessionRequest(
                booking.patient_id,
                booking.patient_name,
                consultation_id=booking.consultation_id,
                booking_id=booking.id,
            )
        )

    @Slot()
    def book_selected(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        user, booking_id = self._user, booking.id
        self._worker.start(lambda: bookings.book(user, booking_id), self._done, self._failed)

    @Slot()
    def move_selected(self) -> None:
        """Ask for the new time (window-modal); booked at it once the dialog is accepted."""
        booking = self.selected()
        if booking is None:
            return
        if self.time_dialog is not None:
            self.time_dialog.deleteLater()
        self.time_dialog = TimeDialog(self, booking)
        self.time_dialog.accepted.connect(self._time_chosen)
        self.time_dialog.open()

    @Slot()
    def _time_chosen(self) -> None:
        dialog = self.time_dialog
        if dialog is None:
            return
        user, booking_id, starts_at = self._user, dialog.booking_id, dialog.chosen()
        self._worker.start(
            lambda: bookings.book(user, booking_id, starts_at), self._done, self._failed
        )

    @Slot()
    def cancel_selected(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        if not confirm.ask(
            self,
            "Cancel the booking?",
            f"Cancel {booking.patient_name}'s appointment of "
            f"{show_datetime(booking.starts_at)}? A cancelled booking cannot be booked again; "
            "a new one would be needed.",
            "Cancel the booking",
            "Keep it",
        ):
            return
        user, booking_id = self._user, booking.id
        self._worker.start(lambda: bookings.cancel(user, booking_id), self._done, self._failed)

    @Slot()
    def save_ics(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        suggested = in_documents(f"appointment-{booking.starts_at:%Y-%m-%d}.ics")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the appointment", suggested, "Calendar files (*.ics)"
        )
        if not chosen:
            return
        self.save_ics_to(Path(chosen if chosen.lower().endswith(".ics") else f"{chosen}.ics"))

    def save_ics_to(self, path: Path) -> None:
        """The selected booking's .ics written to `path` on the thread pool (audited)."""
        booking = self.selected()
        if booking is None:
            return
        user, booking_id = self._user, booking.id
        self._worker.start(
            lambda: _write_ics(user, booking_id, path), self._ics_saved, self._failed
        )

    def _ics_saved(self, path: Path) -> None:
        self.error.clear_error()
        self.note.setText(f"Saved the patient's calendar file to {path}.")
        self.saved.emit(path)

    def _done(self, _booking: BookingRecord) -> None:
        self.changed.emit()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()


def _write_ics(user: SignedIn, booking_id: int, path: Path) -> Path:
    """On the thread pool: the patient's .ics, written whole (temp file, then renamed)."""
    from consult.protection import atomic

    try:
        return atomic.write_bytes(path, bookings.export_ics(user, booking_id))
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be written ({exc.strerror})") from None


class TimeDialog(QDialog):
    """A new date and time for a booking, on the clinic's clock."""

    def __init__(self, parent: QWidget, booking: BookingRecord) -> None:
        super().__init__(parent)
        self.booking_id = booking.id
        self.setWindowTitle(f"Book {booking.patient_name}")
        shown = local(booking.starts_at)
        self.when = QDateTimeEdit(
            QDateTime(QDate(shown.year, shown.month, shown.day), QTime(shown.hour, shown.minute)),
            self,
        )
        self.when.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the app's wheel policy
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(f"{date_format()} HH:mm")
        self.when.setAccessibleName("Appointment date and time")
        form = QFormLayout()
        form.addRow("Date and time", self.when)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        dialog_footer(self, layout, "Book", self.accept)

    def chosen(self) -> datetime:
        value = self.when.dateTime()
        day, moment = value.date(), value.time()
        zone = clinic_now().tzinfo
        return datetime(day.year(), day.month(), day.day(), moment.hour(), moment.minute(),
                        tzinfo=zone)

