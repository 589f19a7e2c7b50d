"""The home page: find a patient, see their consultations, quotes and signed consents."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import Patient
from consult.errors import ConsultError, StaleRecord
from consult.services import patients
from consult.services.acting import SignedIn
from ui.patients.dialog import LABELS, PatientDialog
from ui.patients.model import PatientTableModel
from ui.patients.search import PatientSearch
from ui.shell import confirm
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.shell.lock import closed_by_lock
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import show_date, show_datetime
from ui.widgets.deferred import DeferredTab
from ui.widgets.tabs import page_parent

if TYPE_CHECKING:
    from ui.course.sessions_tab import SessionsTab
    from ui.photos.tab import PhotosTab

RecordRole = Qt.ItemDataRole.UserRole + 2
AMEND_QUESTION = (
    "This consultation is signed and cannot change. A change of areas or treatment needs "
    "a new consent, signed by the patient, that replaces this one (which stays on record)."
    "\n\nStart an amendment with today's date?"
)


class PatientsPage(QWidget):
    start_consultation = Signal(object)  # patient record
    resume_consultation = Signal(object, int)  # patient record, consultation id
    session_requested = Signal(object)  # a ui.course.requests.SessionRequest

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.model = PatientTableModel(self)
        # Each widget is made inside the one that holds it on screen: moved there once
        # made, it and everything in it would be styled again (milliseconds of each start).
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(self.splitter)
        self.search_box = QLineEdit(left)
        self.search_box.setPlaceholderText("Search by name, date of birth or phone")
        self.search_box.setClearButtonEnabled(True)
        self.table = QTableView(left)
        self.count_label = QLabel(left)
        self.count_label.setObjectName("subtitle")
        self.new_button = make_primary(QPushButton("New patient…", left))
        self.detail = PatientDetail(context, self.splitter)
        self.search = PatientSearch(self._search, self)
        # The patient editor the idle lock closed, to reopen with what was typed.
        self._interrupted: Callable[[], None] | None = None
        self._build()
        self._connect()

    def _build(self) -> None:
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Fixed widths sized for typical values: sizing to contents measured every cell on
        # each search result and blocked the window for tens of milliseconds per keystroke.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        # The name (stretched) keeps what the others leave: the e-mail column is sized for
        # a typical address, not the widest, so names are not cut beside a patient's card
        # on a 1280-pixel screen (drag the column edge to see longer addresses).
        for column, sample in (
            (1, "00 Mmm 0000"), (2, "+00 000 000 0000"), (3, "firstname.last@example.com")
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        self.table.setAccessibleName("Patients")
        # Tab leaves the table for the patient's card (arrows move between patients).
        self.table.setTabKeyNavigation(False)
        left = self.table.parentWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        splitter = self.splitter
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.search_box.textChanged.connect(self.search.request)
        self.search.results.connect(self._show_results)
        self.search.failed.connect(self._problem)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.new_button.clicked.connect(self.new_patient)
        self.detail.edit_requested.connect(self.edit_patient)
        self.detail.merge_requested.connect(self.merge_patient)
        self.detail.start_requested.connect(self.start_consultation)
        self.detail.resume_requested.connect(self.resume_consultation)
        self.detail.session_requested.connect(self.session_requested)

    def load(self) -> None:
        """The first page of patients, fetched after the window is on screen."""
        self.search.run_now(self.search_box.text())

    def _search(self, text: str, limit: int) -> list[Any]:
        if not text.strip():
            return []
        return list(patients.search(self.context.user, text, limit=limit))

    @Slot(object, str)
    def _show_results(self, rows: list[Any], text: str) -> None:
        selected = self.detail.patient.id if self.detail.patient is not None else None
        self.model.set_patients(rows)
        shown = len(rows)
        if not text.strip():
            self.count_label.setText(
                "Type a name, a date of birth or a phone number to find a patient."
            )
        else:
            self.count_label.setText(
                f'{shown} patient{"s" if shown != 1 else ""} matching "{text}"'
            )
        if selected is not None and (row := self.model.row_of(selected)) >= 0:
            self.table.selectRow(row)

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        patient = self.model.patient_at(rows[0].row()) if rows else None
        self.detail.show_patient(patient)

    @Slot()
    def new_patient(self) -> None:
        self._new_patient(None)

    @Slot(object)
    def edit_patient(self, patient: Any) -> None:
        self._edit_patient(patient, None)

    @Slot(object)
    def merge_patient(self, patient: Any) -> None:
        """A manager merges this record with another record of the same person."""
        from ui.patients.merge import MergeDialog  # only managers ever need it

        dialog = MergeDialog(self.context, patient, self)
        merged = dialog.exec() and dialog.merged is not None
        kept = dialog.merged
        dialog.deleteLater()
        if merged:
            self.search_box.setText(kept.name)
            self.search.run_now(kept.name)
            self.detail.show_patient(kept)

    def _new_patient(self, typed: dict[str, Any] | None) -> None:
        dialog = PatientDialog(self._create, self, find_existing=self._find_existing)
        if self._edit(dialog, typed, self._new_patient):
            shown = dialog.existing if dialog.existing is not None else dialog.saved
            self.search_box.setText(shown.name)
            self.detail.show_patient(shown)

    def _find_existing(self, name: str, born: Any) -> list[Any]:
        return list(patients.find_duplicates(self.context.user, name, born))

    def _edit_patient(self, patient: Any, typed: dict[str, Any] | None) -> None:
        dialog = PatientDialog(partial(self._update, patient), self, patient)
        if self._edit(dialog, typed, partial(self._edit_patient, patient)):
            self.detail.show_patient(dialog.saved)
            self.search.run_now(self.search_box.text())

    def _edit(
        self,
        dialog: PatientDialog,
        typed: dict[str, Any] | None,
        reopen: Callable[[dict[str, Any]], None],
    ) -> bool:
        """Run the editor; if the idle lock closes it, keep what was typed for later."""
        if typed is not None:
            dialog.restore(typed)
        saved = bool(dialog.exec())
        if not saved and closed_by_lock(dialog):
            self._interrupted = partial(reopen, dialog.typed())
        dialog.deleteLater()
        return saved

    def has_interrupted_editor(self) -> bool:
        return self._interrupted is not None

    def reopen_interrupted(self) -> bool:
        """After unlocking: the editor the lock closed, back with what was typed."""
        reopen, self._interrupted = self._interrupted, None
        if reopen is None:
            return False
        reopen()
        return True

    def _create(self, values: dict[str, Any]) -> Any:
        return patients.register(self.context.user, Patient(**values))

    def _update(self, patient: Any, values: dict[str, Any]) -> Any:
        user = self.context.user
        try:
            return patients.correct(user, patient.id, patient.version, Patient(**values))
        except StaleRecord as stale:
            # Another seat saved this patient meanwhile: show both, never overwrite silently.
            from ui.admin.conflict_dialog import resolve_conflict

            current = patients.open_patient(user, patient.id)
            theirs = {key: getattr(current, key) for key in values}
            choice = resolve_conflict(self, LABELS, values, theirs, stale.author)
            if choice == "mine":
                return patients.correct(user, current.id, current.version, Patient(**values))
            if choice == "theirs":
                return current
            raise

    def refresh_detail(self) -> None:
        self.detail.show_patient(self.detail.patient)

    @Slot(object)
    def _problem(self, error: BaseException) -> None:
        show_problem(self, error)


class PatientDetail(QFrame):
    """The chosen patient's card with their consultations, quotes and consents."""

    edit_requested = Signal(object)
    merge_requested = Signal(object)
    start_requested = Signal(object)
    resume_requested = Signal(object, int)
    session_requested = Signal(object)  # from the Sessions tab: a SessionRequest

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.context = context
        self.patient: Any = None
        self._worker = Worker(self)
        self.name = QLabel("Choose a patient", self)
        self.name.setObjectName("title")
        self.facts = QLabel(self)
        self.facts.setObjectName("subtitle")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton("Edit details…", self)
        self.start_button = make_primary(QPushButton("Start consultation", self))
        self.resume_button = QPushButton("Carry on with the draft", self)
        self.merge_button = QPushButton("Merge with another record…", self)
        self.draft_id: int | None = None
        self.tabs = QTabWidget(self)
        pages = page_parent(self.tabs)
        self.consultations = QListWidget(pages)
        self.quotes = QListWidget(pages)
        self.consents = QListWidget(pages)
        # The course's sessions: only for a role that reads session records (never
        # reception); built when first opened (ui.widgets.deferred), as Photos is.
        self._sessions: DeferredTab[SessionsTab] | None = None
        if context.actor.may("course.read"):
            self._sessions = DeferredTab(self._build_sessions, pages)
        self.hint = QLabel(self)
        self.hint.setObjectName("subtitle")
        self.hint.setWordWrap(True)
        self._build()
        self.show_patient(None)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.facts)
        buttons = QGridLayout()
        buttons.addWidget(self.edit_button, 0, 0)
        buttons.addWidget(self.start_button, 0, 1)
        buttons.addWidget(self.resume_button, 1, 0, 1, 2)
        buttons.addWidget(self.merge_button, 2, 0, 1, 2)
        layout.addLayout(buttons)
        for permission, listing, title in (
            ("consultation.read", self.consultations, "Consultations"),
            ("quote.read_own", self.quotes, "Quotes"),
            ("consent.read", self.consents, "Signed consents"),
        ):
            if self.context.actor.may(permission):
                self.tabs.addTab(listing, title)
            else:
                # Not in a tab, so never shown: left visible, it would sit as a stray
                # empty box over the card's heading (reception's view).
                listing.hide()
        if self._sessions is not None:
            self.tabs.addTab(self._sessions, "Sessions")
        self._photos = self._photos_tab()
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.hint)
        if not self.tabs.count():
            # Reception reads no clinical records: no empty frame, no hint about them.
            self.tabs.hide()
            self.hint.hide()
            layout.addStretch(1)
        self.edit_button.clicked.connect(self._edit)
        self.start_button.clicked.connect(self._start)
        self.resume_button.clicked.connect(self._resume)
        self.consultations.itemActivated.connect(self._open_consultation)
        self.consents.itemActivated.connect(self._open_consent)
        self.start_button.setVisible(self.context.actor.may("consultation.write"))
        self.merge_button.setVisible(self.context.actor.may("patient.merge"))
        self.merge_button.clicked.connect(self._merge)

    def show_patient(self, patient: Any) -> None:
        self.patient = patient
        self.draft_id = None
        if self._photos is not None and self._photos.is_built():
            # An unbuilt tab is given the patient when it is built (_build_photos).
            self._photos.page().show_patient(patient.id if patient is not None else None)
        self.resume_button.setVisible(False)
        for widget in (self.edit_button, self.start_button, self.merge_button, self.tabs):
            widget.setEnabled(patient is not None)
        for listing in (self.consultations, self.quotes, self.consents):
            listing.clear()
        sessions = self.built_sessions()
        if sessions is not None:
            # Listed only while the tab is open: each listing of sessions is audited.
            sessions.set_patient(
                patient.id if patient is not None else None, patient.name if patient else ""
            )
        if patient is None:
            self.name.setText("Choose a patient")
            self.facts.setText("Search on the left, or add a new patient.")
            self.hint.setText("")
            return
        self.name.setText(patient.name)
        self.facts.setText(_facts(patient))
        self.hint.setText(
            "Double-click a draft to carry on with it, a signed consultation to amend it, "
            "or a consent to read it."
        )
        if self.tabs.count():
            self._worker.start(
                partial(_load_records, self.context.user, patient.id), self._fill, self._problem
            )

    @Slot(object)
    def _fill(self, records: dict[str, Any]) -> None:
        if self.patient is None or records["patient_id"] != self.patient.id:
            return
        for record in records["consultations"]:
            _add(self.consultations, _consultation_text(record), record)
        drafts = [record for record in records["consultations"] if record.status == "draft"]
        if drafts and self.context.actor.may("consultation.write"):
            # An unfinished consultation (the app may have been closed mid-way) is offered.
            self.draft_id = drafts[0].id
            when = show_date(drafts[0].updated_at)
            self.resume_button.setText(f"Carry on with the unfinished consultation of {when}")
            self.resume_button.setVisible(True)
        for record in records["quotes"]:
            _add(self.quotes, _quote_text(record, records["locale"]), record)
        for record in records["consents"]:
            _add(self.consents, _consent_text(record), record)

    @property
    def sessions(self) -> SessionsTab | None:
        """The Sessions tab's page (built now if it was not yet), None for reception."""
        return self._sessions.page() if self._sessions is not None else None

    def built_sessions(self) -> SessionsTab | None:
        """The Sessions tab's page if it was opened already (never builds it)."""
        if self._sessions is None or not self._sessions.is_built():
            return None
        return self._sessions.page()

    def _build_sessions(self, holder: QWidget) -> SessionsTab:
        from ui.course.sessions_tab import SessionsTab

        tab = SessionsTab(self.context.user, None, holder)
        tab.session_requested.connect(self.session_requested)
        if self.patient is not None:
            tab.set_patient(self.patient.id, self.patient.name)
        return tab

    @property
    def photos(self) -> PhotosTab | None:
        """The Photos tab's page (built now if it was not yet), None for reception."""
        return self._photos.page() if self._photos is not None else None

    def _photos_tab(self) -> DeferredTab[PhotosTab] | None:
        """Before/after photos (issue 17): never for reception, who may not see them.

        Built when first opened (ui.widgets.deferred): most starts never open it.
        """
        if not self.context.actor.may("photos.read"):
            return None
        holder: DeferredTab[PhotosTab] = DeferredTab(self._build_photos, page_parent(self.tabs))
        self.tabs.addTab(holder, "Photos")
        return holder

    def _build_photos(self, holder: QWidget) -> PhotosTab:
        from ui.photos.tab import PhotosTab

        tab = PhotosTab(self.context.user, holder)
        tab.show_patient(self.patient.id if self.patient is not None else None)
        return tab

    @Slot()
    def _edit(self) -> None:
        if self.patient is not None:
            self.edit_requested.emit(self.patient)

    @Slot()
    def _merge(self) -> None:
        if self.patient is not None:
            self.merge_requested.emit(self.patient)

    @Slot()
    def _start(self) -> None:
        if self.patient is not None:
            self.start_requested.emit(self.patient)

    @Slot()
    def _resume(self) -> None:
        if self.patient is not None and self.draft_id is not None:
            self.resume_requested.emit(self.patient, self.draft_id)

    @Slot(QListWidgetItem)
    def _open_consultation(self, item: QListWidgetItem) -> None:
        record = item.data(RecordRole)
        if record.status == "draft":
            self.resume_requested.emit(self.patient, record.id)
        elif record.status == "completed" and self.context.actor.may("consultation.write"):
            self.amend(record.id)

    def amend(self, consultation_id: int) -> None:
        """A change after signing is a new consent: start it as an amendment, if asked to."""
        from consult.services import amendments

        if not confirm.ask(self, "Amend a signed consultation", AMEND_QUESTION, "Start amendment"):
            return
        self._worker.start(
            partial(amendments.start_amendment, self.context.user, consultation_id),
            self._amendment_started,
            self._problem,
        )

    @Slot(object)
    def _amendment_started(self, draft: Any) -> None:
        if self.patient is not None and draft.patient_id == self.patient.id:
            self.resume_requested.emit(self.patient, draft.id)

    @Slot(QListWidgetItem)
    def _open_consent(self, item: QListWidgetItem) -> None:
        from consult.services import documents
        from ui.dialogs.pdf_dialog import PdfDialog, stored_document_handout

        record = item.data(RecordRole)
        try:
            pdf = documents.open_pdf(self.context.user, record.id)
        except ConsultError as error:
            show_problem(self, error)
            return
        handout = stored_document_handout(self.context, record, self.patient.name)
        title = f"{_consent_text(record)}: {self.patient.name}"
        PdfDialog(title, pdf, self, handout=handout).exec()

    @Slot(object)
    def _problem(self, error: BaseException) -> None:
        show_problem(self, error)


def _load_records(user: SignedIn, patient_id: int) -> dict[str, Any]:
    """Runs on the thread pool: the patient's records, each list only if the role may read it."""
    # Imported here, on the pool, so the app's start never waits for these modules.
    from consult.services import consultations, documents, pricing, quotes

    actor = user.actor
    records: dict[str, Any] = {
        "patient_id": patient_id,
        "consultations": (),
        "quotes": (),
        "consents": (),
        "locale": pricing.clinic_settings(user).locale,
    }
    if actor.may("consultation.read"):
        records["consultations"] = consultations.list_for_patient(user, patient_id)
    if actor.may("quote.read_own"):
        records["quotes"] = quotes.list_for_patient(user, patient_id)
    if actor.may("consent.read"):
        records["consents"] = documents.list_for_patient(user, patient_id)
    return records


def _add(listing: QListWidget, text: str, record: Any) -> None:
    item = QListWidgetItem(text, listing)
    item.setData(RecordRole, record)


def _facts(patient: Any) -> str:
    parts = [f"Born {show_date(patient.date_of_birth)}"]
    if patient.fitzpatrick:
        parts.append(f"Fitzpatrick {'I II III IV V VI'.split()[patient.fitzpatrick - 1]}")
    parts.extend(value for value in (patient.phone, patient.email) if value)
    return " · ".join(parts)


def _consultation_text(record: Any) -> str:
    treatment = catalogue().treatments.get(record.treatment, record.treatment)
    status = "draft, not finished" if record.status == "draft" else record.status
    return f"{show_date(record.consultation_date)}  {treatment}  ({status})"


def _quote_text(record: Any, locale: str) -> str:
    from consult.pricing import format_money

    created = show_date(record.created_at)
    total = format_money(record.total, record.currency, locale)
    return f"{created}  {total}  {record.sessions} sessions  ({record.status})"


def _consent_text(record: Any) -> str:
    kind = "Consent" if record.kind == "consent" else "Treatment plan"
    number = f" {record.document_number}" if record.document_number else ""
    amended = ", amendment" if record.supersedes_id is not None else ""
    if record.signed_at is None:
        # Sealed by the clinic but not signed by the patient: say so, with when it was kept.
        return f"{kind}{number}, not signed (stored {show_datetime(record.created_at)})"
    return f"{kind}{number}, signed {show_datetime(record.signed_at)}{amended}"
