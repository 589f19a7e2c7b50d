"""Recording a treatment session: re-screen, record each area, sign, then aftercare and booking.

One page of the main window, in four stages:

1. **Start**: the consultation it follows, the date, the areas, and "Any changes since
   your last visit?" (rescreen.py). The service refuses while the re-screening blocks
   the areas, unless an override reason is given.
2. **Record**: per area, what was done (entry_form.py); a depth outside the plan or an
   expired lot is asked about and, once confirmed, stored flagged. Adverse events with
   what was done about them. A draft is kept as it is recorded: the page may be closed
   and the draft carried on from the patient's Sessions tab.
3. **Sign**: the practitioner signs on the pad (the consent's ink rule); the record is
   sealed and from then on cannot change (corrections are amendments).
4. **After**: the patient's aftercare sheet (print or save, audited) and the next
   session booked.

Every call goes to consult.services off the GUI thread.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal, Slot
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError, InvalidField
from consult.records.course import (
    BookingRecord,
    DeviceRecord,
    EntryInput,
    LotRecord,
    SessionRecord,
)
from consult.services import bookings, consultations, course, lots
from consult.services.acting import SignedIn
from ui.course.entry_form import LABELS as ENTRY_LABELS
from ui.course.entry_form import EntryForm
from ui.course.requests import SessionRequest
from ui.course.rescreen import Plan, StartForm
from ui.course.sessions_tab import area_label, entry_line
from ui.dialogs.pdf_dialog import PdfDialog
from ui.shell import confirm
from ui.shell.errors import log_unexpected
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import date_format, local, show_date, show_datetime
from ui.widgets.dates import now as clinic_now
from ui.widgets.forms import ErrorLabel, form_value
from ui.widgets.signature_pad import SignaturePad

START, RECORD, SIGN, AFTER = range(4)
# The page's words for the services' field names, in refusals shown under the page.
LABELS = {
    **ENTRY_LABELS,
    "consultation": "Consultation",
    "session_date": "Session date",
    "areas": "Areas treated today",
    "override_reason": "Override reason",
    "happened": "What happened",
    "action_taken": "What was done about it",
    "practitioner_signature": "Practitioner's signature",
    "starts_at": "Next session date and time",
}
NEXT_AT = time(10, 0)  # a next session with no proposed time starts at this local time


def _scrolled(body: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    body.setObjectName("scrollBody")
    area.setWidget(body)
    return area


def _left(widget: QWidget) -> QHBoxLayout:
    """`widget` at its natural width, on the left (a button across the page looks like a bar)."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


# ---------------------------------------------------------------------- on the thread pool


def _plans(user: SignedIn, patient_id: int) -> list[Plan]:
    """The patient's signed consultations a session can follow, newest first."""
    found = []
    for summary in consultations.list_for_patient(user, patient_id):
        if summary.status == "completed":
            record = consultations.open_consultation(user, summary.id)
            found.append(Plan(summary, record.consultation.area_ids))
    return found


def _supplies(user: SignedIn) -> tuple[tuple[DeviceRecord, ...], tuple[LotRecord, ...]]:
    return lots.devices(user), lots.list_lots(user)


def _opened(user: SignedIn, session_id: int) -> tuple[SessionRecord, Any]:
    record = course.open_session(user, session_id)
    return record, _supplies(user) if record.status == "draft" else None


def _next_booking(user: SignedIn, record: SessionRecord) -> BookingRecord | None:
    """The patient's next open appointment after this session; the plan's remaining
    sessions are proposed first if they were not yet (at their earliest safe dates)."""
    bookings.propose_from_plan(user, record.consultation_id)
    day_after = datetime.combine(record.session_date, time(23, 59), clinic_now().tzinfo)
    return bookings.next_for_patient(user, record.patient_id, day_after)


def _signed(
    user: SignedIn, session_id: int, ink: bytes, booking_id: int | None
) -> tuple[SessionRecord, BookingRecord | None]:
    record = course.sign_session(user, session_id, ink)
    if booking_id is not None:
        # The booking this session was started from (in "Due") has been attended.
        try:
            bookings.mark_done(user, booking_id)
        except ConsultError:
            pass  # cancelled or already done meanwhile: the signed record stands either way
    return record, _next_booking(user, record)


def _confirmation_asked(
    error: BaseException, entry: EntryInput | None
) -> tuple[str, str, str, str, str, str] | None:
    """The question to put to the practitioner when the service asks for a confirmation
    (title, text, yes, no, the entry's flag to set, what to say if declined); None when
    the refusal is not such a request."""
    if not isinstance(error, InvalidField) or entry is None:
        return None
    if error.field == "confirm_expired_lot" and not entry.confirm_expired_lot:
        expired = error.problem.split(": confirm")[0]
        return (
            "Use an expired lot?",
            f"{expired}. The entry will be flagged.",
            "Use it and flag the entry",
            "Choose another lot",
            "confirm_expired_lot",
            f"Not recorded: {expired}. Choose another lot, or confirm using it.",
        )
    if (
        error.field == "depth_mm"
        and "outside the plan" in error.problem
        and not entry.confirm_outside_plan
    ):
        outside = error.problem.split(";")[0]
        return (
            "Depth outside the plan?",
            f"{outside}. The entry will be flagged.",
            "Record it and flag the entry",
            "Change the depth",
            "confirm_outside_plan",
            f"Not recorded: {outside}. Change the depth, or confirm it.",
        )
    return None


class SessionPage(QWidget):
    finished = Signal()
    stage_shown = Signal(int)  # for the tests and the window title: the stage now shown
    failed = Signal(str)  # a refusal or a problem, as shown under the page

    def __init__(self, user: SignedIn, request: SessionRequest, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.user = user
        self.request = request
        self.record: SessionRecord | None = None
        self.next_booking: BookingRecord | None = None
        self.aftercare_dialog: PdfDialog | None = None
        self._pending: EntryInput | None = None
        self._worker = Worker(self)
        self.title = QLabel(f"Treatment session: {request.patient_name}", self)
        self.title.setObjectName("title")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)
        self.stages = QStackedWidget(self)
        self.error = ErrorLabel(self)
        self.close_button = QPushButton("Back to patients", self)
        self.action_button = make_primary(QPushButton("Start session", self))
        self._build_start()
        self._build_record()
        self._build_sign()
        self._build_after()
        self._build()
        self._load()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.action_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.stages, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.close_button.clicked.connect(self.finished)
        self.action_button.clicked.connect(self._act)
        self.action_button.setEnabled(False)

    def _build_start(self) -> None:
        self.start_form = StartForm(self)
        self.stages.addWidget(_scrolled(self.start_form, self.stages))

    def _build_record(self) -> None:
        body = QWidget(self)
        self.entry_form = EntryForm(body)
        self.record_entry_button = QPushButton("Record this area", body)
        self.entries = QListWidget(body)
        self.entries.setAccessibleName("Recorded areas")
        self.entries.setMinimumHeight(70)
        self.happened = QLineEdit(body)
        self.happened.setMaxLength(2000)
        self.happened.setAccessibleName("What happened")
        self.action_taken = QLineEdit(body)
        self.action_taken.setMaxLength(2000)
        self.action_taken.setAccessibleName("What was done about it")
        self.event_button = QPushButton("Record adverse event", body)
        done = QGroupBox("What was done, per area", body)
        done_layout = QVBoxLayout(done)
        done_layout.addWidget(self.entry_form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_entry_button)
        done_layout.addLayout(row)
        done_layout.addStretch(1)
        # Beside the form, so the practitioner sees what is recorded while filling it in.
        recorded = QGroupBox("Recorded so far", body)
        recorded_layout = QVBoxLayout(recorded)
        recorded_layout.addWidget(self.entries)
        events = QGroupBox("Adverse events", body)
        events_form = QFormLayout(events)
        events_form.addRow("What happened", self.happened)
        events_form.addRow("What was done about it", self.action_taken)
        events_form.addRow("", self.event_button)
        right = QVBoxLayout()
        right.addWidget(recorded, 1)
        right.addWidget(events)
        layout = QHBoxLayout(body)
        layout.addWidget(done, 3)
        layout.addLayout(right, 2)
        self.stages.addWidget(_scrolled(body, self.stages))
        self.record_entry_button.clicked.connect(self.record_entry)
        self.event_button.clicked.connect(self.record_adverse_event)

    def _build_sign(self) -> None:
        body = QWidget(self)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pad = SignaturePad(body, "Practitioner signs here")
        self.pad.setAccessibleName("Practitioner's signature")
        self.pad.setMinimumHeight(150)
        self.clear_pad = QPushButton("Clear signature", body)
        self.back_to_record = QPushButton("Back to recording", body)
        layout = QVBoxLayout(body)
        layout.addWidget(self.summary)
        layout.addWidget(
            QLabel(
                "Signed, the record is sealed and cannot change; a "
                "correction is an amendment linked to it.",
                body,
            )
        )
        layout.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(self.back_to_record)
        row.addStretch(1)
        row.addWidget(self.clear_pad)
        layout.addLayout(row)
        layout.addStretch(1)
        self.stages.addWidget(_scrolled(body, self.stages))
        self.clear_pad.clicked.connect(self.pad.clear)
        self.back_to_record.clicked.connect(self.back_to_recording)

    def _build_after(self) -> None:
        body = QWidget(self)
        self.signed_note = QLabel(body)
        self.signed_note.setWordWrap(True)
        self.aftercare_button = make_primary(QPushButton("Aftercare sheet for the patient…", body))
        self.next_note = QLabel(body)
        self.next_note.setWordWrap(True)
        self.next_when = QDateTimeEdit(body)
        self.next_when.setCalendarPopup(True)
        self.next_when.setDisplayFormat(f"{date_format()} HH:mm")
        self.next_when.setAccessibleName("Next session date and time")
        self.next_when.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.book_button = QPushButton("Book the next session", body)
        self.booked_note = QLabel(body)
        self.booked_note.setWordWrap(True)
        layout = QVBoxLayout(body)
        layout.addWidget(self.signed_note)
        layout.addLayout(_left(self.aftercare_button))
        booking = QGroupBox("Next session", body)
        booking_layout = QFormLayout(booking)
        booking_layout.addRow(self.next_note)
        booking_layout.addRow("Date and time", _left(self.next_when))
        booking_layout.addRow("", _left(self.book_button))
        booking_layout.addRow(self.booked_note)
        layout.addWidget(booking)
        layout.addStretch(1)
        self.stages.addWidget(_scrolled(body, self.stages))
        self.aftercare_button.clicked.connect(self.show_aftercare)
        self.book_button.clicked.connect(self.book_next)

    # ------------------------------------------------------------------ stages

    def _load(self) -> None:
        user, request = self.user, self.request
        if request.session_id is not None:
            session_id = request.session_id
            self._run(lambda: _opened(user, session_id), self._draft_opened)
        else:
            patient_id = request.patient_id
            self._run(lambda: _plans(user, patient_id), self._plans_loaded)
        self._show_stage(START)

    def _show_stage(self, stage: int) -> None:
        self.stages.setCurrentIndex(stage)
        words = {
            START: (
                "Start session",
                "Re-screen before treating: ask about any changes since the last visit.",
            ),
            RECORD: (
                "Go to signing",
                "Record what was done on each area, and any adverse "
                "event. The draft is kept as you go.",
            ),
            SIGN: ("Sign and seal", "Check the record and sign it."),
            AFTER: ("Finish", "Hand the patient the aftercare sheet and book the next session."),
        }
        action, note = words[stage]
        self.action_button.setText(action)
        self.subtitle.setText(note)
        self.stage_shown.emit(stage)

    def stage(self) -> int:
        return self.stages.currentIndex()

    @Slot()
    def _act(self) -> None:
        actions = {
            START: self.start_session,
            RECORD: self.go_to_signing,
            SIGN: self.sign,
            AFTER: self.finished.emit,
        }
        actions[self.stage()]()

    # ------------------------------------------------------------------ 1. start

    def _plans_loaded(self, plans: list[Plan]) -> None:
        self.start_form.set_plans(plans, self.request.consultation_id)
        self.start_form.set_date(clinic_now().date())
        if not plans:
            self._show_error(
                "This patient has no signed consultation yet: a session follows a signed consent."
            )
            return
        self.action_button.setEnabled(True)

    @Slot()
    def start_session(self) -> None:
        start = form_value(self.start_form.session_start, self.error, LABELS)
        if start is None:
            return
        user = self.user
        self.action_button.setEnabled(False)
        self._run(lambda: (course.start_session(user, start), _supplies(user)), self._started)

    def _started(self, answer: tuple[SessionRecord, Any]) -> None:
        record, supplies = answer
        self._enter_record(record, supplies)

    def _draft_opened(self, answer: tuple[SessionRecord, Any]) -> None:
        record, supplies = answer
        if record.status == "signed":
            self.record = record
            self._enter_after(None)
            return
        self._enter_record(record, supplies)

    def _enter_record(self, record: SessionRecord, supplies: Any) -> None:
        devices, known_lots = supplies
        self.entry_form.set_choices(record.areas, devices, known_lots, record.session_date)
        self._show_record(record)
        self._show_stage(RECORD)
        self.action_button.setEnabled(True)
        if not devices:
            self._show_error(
                "No device is registered yet: add the clinic's devices under Lots and devices."
            )

    def _show_record(self, record: SessionRecord) -> None:
        self.record = record
        self.error.clear_error()
        verdict = f"Re-screening on {show_date(record.session_date)}: {record.verdict}"
        if record.override_reason:
            verdict += f" (override: {record.override_reason})"
        self.title.setText(f"Treatment session: {record.patient_name}")
        self.entries.clear()
        self.entries.addItem(verdict)
        for entry in record.entries:
            self.entries.addItem(entry_line(entry))
        for event in record.adverse_events:
            self.entries.addItem(f"Adverse event: {event.happened} (done: {event.action_taken})")

    # ------------------------------------------------------------------ 2. record

    @Slot()
    def record_entry(self) -> None:
        entry = form_value(self.entry_form.entry, self.error, LABELS)
        if entry is not None:
            self._send_entry(entry)

    def _send_entry(self, entry: EntryInput) -> None:
        if self.record is None:
            return
        user, session_id = self.user, self.record.id
        self._pending = entry
        self.record_entry_button.setEnabled(False)
        self._run(
            lambda: course.record_entry(user, session_id, entry),
            self._entry_recorded,
            self._entry_refused,
        )

    def _entry_recorded(self, record: SessionRecord) -> None:
        self._pending = None
        self.record_entry_button.setEnabled(True)
        self._show_record(record)

    def _entry_refused(self, error: BaseException) -> None:
        self.record_entry_button.setEnabled(True)
        entry, self._pending = self._pending, None
        question = _confirmation_asked(error, entry)
        if entry is None or question is None:
            self._failed(error)
            return
        title, text, yes, no, flag, declined = question
        if confirm.ask(self, title, text, yes, no):
            self._send_entry(replace(entry, **{flag: True}))
        else:
            self._show_error(declined)

    @Slot()
    def record_adverse_event(self) -> None:
        if self.record is None:
            return
        user, session_id = self.user, self.record.id
        happened, action = self.happened.text(), self.action_taken.text()
        self._run(
            lambda: course.record_adverse_event(user, session_id, happened, action),
            self._event_recorded,
        )

    def _event_recorded(self, record: SessionRecord) -> None:
        self.happened.clear()
        self.action_taken.clear()
        self._show_record(record)

    @Slot()
    def go_to_signing(self) -> None:
        if self.record is None:
            return
        if not self.record.entries:
            self._show_error("Record what was done on at least one area before signing.")
            return
        lines = [
            f"{self.record.patient_name}, {show_date(self.record.session_date)}, "
            f"treated by {self.record.practitioner}"
        ]
        lines += [entry_line(entry) for entry in self.record.entries]
        lines += [
            f"Adverse event: {event.happened} (done: {event.action_taken})"
            for event in self.record.adverse_events
        ]
        self.summary.setText("\n".join(lines))
        self.error.clear_error()
        self._show_stage(SIGN)

    # ------------------------------------------------------------------ 3. sign

    @Slot()
    def back_to_recording(self) -> None:
        self.error.clear_error()
        self._show_stage(RECORD)

    @Slot()
    def sign(self) -> None:
        if self.record is None:
            return
        if self.pad.is_empty():
            self._show_error("Practitioner's signature: sign on the pad first.")
            return
        if not confirm.ask(
            self,
            "Sign and seal the session record?",
            confirm.SIGN_AND_SEAL,
            "Sign and seal",
            "Not yet",
        ):
            return
        user, session_id, ink = self.user, self.record.id, self.pad.to_png()
        booking_id = self.request.booking_id
        self.action_button.setEnabled(False)
        self._run(lambda: _signed(user, session_id, ink, booking_id), self._signed)

    def _signed(self, answer: tuple[SessionRecord, BookingRecord | None]) -> None:
        record, booking = answer
        self.record = record
        self._enter_after(booking)

    # ------------------------------------------------------------------ 4. after

    def _enter_after(self, booking: BookingRecord | None) -> None:
        record = self.record
        assert record is not None
        self.next_booking = booking
        areas = ", ".join(area_label(area) for area in record.areas)
        self.signed_note.setText(
            f"Signed and sealed as {record.document_number}"
            + (f" on {show_datetime(record.signed_at)}" if record.signed_at else "")
            + f": {areas}."
        )
        if booking is not None:
            starts = local(booking.starts_at)
            which = (
                f"Session {booking.session_number} of the plan"
                if booking.session_number
                else "The next appointment"
            )
            state = "is booked for" if booking.status == "booked" else "is proposed for"
            self.next_note.setText(
                f"{which} {state} {show_datetime(booking.starts_at)}; change the time if "
                "needed and book it."
            )
        else:
            day = record.session_date
            starts = datetime.combine(day, NEXT_AT)
            self.next_note.setText("The plan has no session left; book another one if needed.")
        self.next_when.setDateTime(
            QDateTime(
                QDate(starts.year, starts.month, starts.day), QTime(starts.hour, starts.minute)
            )
        )
        self.error.clear_error()
        self._show_stage(AFTER)
        self.action_button.setEnabled(True)

    @Slot()
    def show_aftercare(self) -> None:
        if self.record is None:
            return
        user, session_id = self.user, self.record.id
        self._run(lambda: course.aftercare_pdf(user, session_id), self._aftercare_ready)

    def _aftercare_ready(self, pdf: bytes) -> None:
        from ui.course.handouts import aftercare_dialog

        assert self.record is not None
        if self.aftercare_dialog is not None:
            self.aftercare_dialog.deleteLater()
        self.aftercare_dialog = aftercare_dialog(
            self, self.user, self.record.id, pdf, self.record.patient_name
        )
        self.aftercare_dialog.open()  # window-modal; the page stays as it is behind it

    def next_time(self) -> datetime:
        value = self.next_when.dateTime()
        day, moment = value.date(), value.time()
        return datetime(
            day.year(),
            day.month(),
            day.day(),
            moment.hour(),
            moment.minute(),
            tzinfo=clinic_now().tzinfo,
        )

    @Slot()
    def book_next(self) -> None:
        if self.record is None:
            return
        user, starts_at = self.user, self.next_time()
        booking = self.next_booking
        if booking is not None:
            booking_id = booking.id
            self._run(lambda: bookings.book(user, booking_id, starts_at), self._booked)
        else:
            patient_id, practitioner = self.record.patient_id, self.record.practitioner_id
            self._run(
                lambda: bookings.add_booking(user, patient_id, starts_at, practitioner),
                self._booked,
            )

    def _booked(self, booking: BookingRecord) -> None:
        self.next_booking = booking
        self.error.clear_error()
        self.booked_note.setText(
            f"Booked for {show_datetime(booking.starts_at)}"
            + (f" with {booking.practitioner}" if booking.practitioner else "")
            + ". The aftercare sheet printed now shows it."
        )

    # ------------------------------------------------------------------ plumbing

    def _run(self, work: Any, on_result: Any, on_error: Any = None) -> None:
        self._worker.start(work, on_result, on_error or self._failed)

    def _failed(self, error: BaseException) -> None:
        if self.stage() in (START, SIGN) or self.record is None:
            self.action_button.setEnabled(self.stage() != START or bool(self.start_form.plans))
        if isinstance(error, ConsultError):
            self.error.show_error(error, LABELS)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.failed.emit(self.error.text())

    def _show_error(self, text: str) -> None:
        self.error.show_error(text)
        self.failed.emit(text)
