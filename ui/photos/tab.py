"""The patient card's "Photos" tab: the patient's photos, newest first, with thumbnails.

The list arrives without images; thumbnails are fetched (audited) for the rows on
screen only, decoded on a worker, and painted as they arrive, so a patient with
hundreds of photos opens at once. From here a practitioner imports photos (with the
framing guide), compares two photos of one view, makes the patient's progress PDF and
records a withdrawal of consent; a manager can show photos whose consent was withdrawn
(with a reason, audited) and erase the patient's photos on a lawful request.
Reception never has this tab.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtGui import QImage, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.records.photos import PhotoList, PhotoRecord
from consult.services import photos
from consult.services.acting import SignedIn
from consult.services.photos import ProgressDocument
from ui.photos.images import decoded
from ui.photos.model import HEADERS, PhotoTableModel
from ui.shell import confirm
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel

if TYPE_CHECKING:
    from ui.dialogs.pdf_dialog import Handout

THUMBNAIL_BATCH = 40
STAGE_COLUMN = HEADERS.index("Before / after")
WITHDRAW_CLINICAL = (
    "Record that the patient withdrew consent to clinical photographs? The photos are kept "
    "but hidden, and no new photo can be taken until a new consent is signed."
)
WITHDRAW_MARKETING = (
    "Record that the patient withdrew consent to marketing use? Their photos leave every "
    "marketing export from now on."
)
ROW_HEIGHT = 72


def fetch_thumbnails(
    user: SignedIn, patient_id: int, ids: tuple[int, ...], reveal_reason: str
) -> dict[int, QImage]:
    """Runs on the thread pool: the thumbnails, decoded."""
    found = photos.thumbnails(user, patient_id, ids, reveal_reason)
    return {photo_id: decoded(jpeg, ROW_HEIGHT) for photo_id, jpeg in found}


def progress_handout(user: SignedIn, document: ProgressDocument) -> Handout | None:
    """Print and Save as… for the patient's copy, each audited first; None for a role
    that may not hand out a patient's documents."""
    from ui.dialogs.pdf_dialog import Handout

    if not user.actor.may("documents.print"):
        return None
    patient_id, number = document.patient_id, document.number

    def audit_save(path: Path) -> None:
        photos.record_progress_save(user, patient_id, number, path.name)

    return Handout(
        file_name=f"progress-photographs-{number}.pdf",
        before_printing=partial(photos.record_progress_print, user, patient_id, number),
        before_saving=audit_save,
    )


def progress_pairs(chosen: list[PhotoRecord]) -> tuple[tuple[int, int], ...]:
    """The selected photos as pairs: two of each area and view, in the list's order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for photo in chosen:
        groups.setdefault((photo.area, photo.view), []).append(photo.id)
    if not groups or any(len(ids) != 2 for ids in groups.values()):
        raise ConsultError(
            "choose two photos of each view for the progress document (one pair per view)"
        )
    return tuple((ids[0], ids[1]) for ids in groups.values())


class PhotosTab(QWidget):
    loaded = Signal()
    thumbnails_arrived = Signal()
    pdf_ready = Signal(bytes)
    changed = Signal()

    def __init__(self, user: SignedIn, parent: QWidget) -> None:
        super().__init__(parent)
        self._user = user
        self._patient_id: int | None = None
        self._stale = False
        self._reveal = ""
        self._asked: set[int] = set()
        self.import_dialog: QDialog | None = None  # the last one opened
        self.compare_dialog: QDialog | None = None
        self.progress_dialog: QDialog | None = None
        self.listing: PhotoList | None = None
        self._worker = Worker(self)
        self.model = PhotoTableModel(self)
        self.table = QTableView(self)
        self.consent = QLabel(self)
        self.consent.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Reason or note (for a withdrawal, hidden photos, erasure)")
        self.import_button = QPushButton("Import photos…", self)
        self.compare_button = QPushButton("Compare", self)
        self.progress_button = QPushButton("Progress PDF…", self)
        self.withdraw_button = QPushButton("Consent withdrawn…", self)
        self.marketing_button = QPushButton("Marketing consent withdrawn…", self)
        self.reveal_button = QPushButton("Show hidden photos", self)
        self.erase_button = QPushButton("Erase all photos…", self)
        self.error = ErrorLabel(self)
        self._build()

    def _build(self) -> None:
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT + 4)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Its title is the longest and its cells the shortest ("Before", "After"): sized
        # to them, it is never cut beside the patient list, and the others share the rest.
        header.setSectionResizeMode(STAGE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setIconSize(QSize(ROW_HEIGHT, ROW_HEIGHT))
        # Two rows: the photos' own actions, then the consent withdrawals. In one row the
        # five made the card so wide that the patient list beside it cut every name.
        buttons = QGridLayout()
        for column, button in enumerate(
            (self.import_button, self.compare_button, self.progress_button)
        ):
            buttons.addWidget(button, 0, column)
        buttons.addWidget(self.withdraw_button, 1, 0)
        buttons.addWidget(self.marketing_button, 1, 1, 1, 2)
        buttons.setColumnStretch(3, 1)
        manager = QHBoxLayout()
        manager.addWidget(self.reason, 1)
        manager.addWidget(self.reveal_button)
        manager.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.consent)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(manager)
        layout.addWidget(self.error)
        may_manage = self._user.actor.may("photos.manage")
        self.reveal_button.setVisible(False)
        self.erase_button.setVisible(may_manage)
        self.import_button.setVisible(self._user.actor.may("photos.write"))
        self.withdraw_button.setVisible(self._user.actor.may("photos.write"))
        self.marketing_button.setVisible(self._user.actor.may("photos.write"))
        self.import_button.clicked.connect(self.open_import)
        self.compare_button.clicked.connect(self.compare_selected)
        self.progress_button.clicked.connect(self.progress_of_selected)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.marketing_button.clicked.connect(self.withdraw_marketing)
        self.reveal_button.clicked.connect(self.reveal)
        self.erase_button.clicked.connect(self.erase)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)

    # ----------------------------------------------------------------- the list

    def show_patient(self, patient_id: int | None) -> None:
        """Follow the card's patient; the list is read (and audited) only when shown."""
        self._patient_id = patient_id
        self._reveal = ""
        self.listing = None
        self.model.set_photos(())
        self.consent.setText("")
        self.error.clear_error()
        self._stale = patient_id is not None
        if self._stale and self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._patient_id is None:
            return
        self._stale = False
        self._worker.start(
            partial(photos.list_photos, self._user, self._patient_id, self._reveal),
            self._show,
            self._failed,
        )

    @Slot(object)
    def _show(self, listing: PhotoList) -> None:
        if listing.patient_id != self._patient_id:
            return  # the card moved on to another patient meanwhile
        self.error.clear_error()
        self.listing = listing
        self._asked.clear()
        self.model.set_photos(listing.photos)
        self.consent.setText(_consent_text(listing))
        self.import_button.setEnabled(listing.consent.clinical)
        self.withdraw_button.setEnabled(listing.consent.clinical)
        self.marketing_button.setEnabled(listing.consent.marketing)
        self.reveal_button.setVisible(
            bool(listing.hidden) and self._user.actor.may("photos.manage")
        )
        self.loaded.emit()
        self.request_visible_thumbnails()

    @Slot(int)
    def _scrolled(self, _value: int) -> None:
        self.request_visible_thumbnails()

    def visible_rows(self) -> range:
        count = self.model.rowCount()
        if not count:
            return range(0)
        top = max(self.table.rowAt(0), 0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        return range(top, (count - 1 if bottom < 0 else bottom) + 1)

    @Slot()
    def request_visible_thumbnails(self) -> None:
        if self._patient_id is None:
            return
        wanted = [i for i in self.model.missing_thumbnails(self.visible_rows())
                  if i not in self._asked][:THUMBNAIL_BATCH]
        if not wanted:
            return
        self._asked.update(wanted)
        self._worker.start(
            partial(fetch_thumbnails, self._user, self._patient_id, tuple(wanted), self._reveal),
            self._thumbnails,
            self._failed,
        )

    @Slot(object)
    def _thumbnails(self, images: dict[int, QImage]) -> None:
        self.model.add_thumbnails(images)  # ids of another patient's list match no row
        self.thumbnails_arrived.emit()

    def selected(self) -> list[PhotoRecord]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.photo(row) for row in rows]

    # ----------------------------------------------------------------- actions

    @Slot()
    def open_import(self) -> None:
        from ui.photos.import_dialog import ImportDialog

        if self._patient_id is None:
            return
        self.import_dialog = ImportDialog(self._user, self._patient_id, self)
        self.import_dialog.imported.connect(self._imported)
        self.import_dialog.open()

    @Slot(object)
    def _imported(self, _records: object) -> None:
        self.changed.emit()
        self.refresh()

    @Slot()
    def compare_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 2:
            self.error.show_error("Choose two photos of one view to compare.")
            return
        from ui.photos.compare import CompareDialog

        self.compare_dialog = CompareDialog(self._user, chosen[0].id, chosen[1].id, self)
        self.compare_dialog.open()

    @Slot()
    def progress_of_selected(self) -> None:
        try:
            pairs = progress_pairs(self.selected())
        except ConsultError as error:
            self.error.show_error(error)
            return
        self._worker.start(
            partial(photos.progress_pdf, self._user, pairs), self._progress_ready, self._failed
        )

    @Slot(object)
    def _progress_ready(self, document: ProgressDocument) -> None:
        self.error.clear_error()
        self.pdf_ready.emit(document.pdf)
        from ui.dialogs.pdf_dialog import PdfDialog

        self.progress_dialog = PdfDialog(
            "Progress photographs", document.pdf, self, handout=progress_handout(
                self._user, document)
        )
        self.progress_dialog.open()

    @Slot()
    def withdraw(self) -> None:
        self._withdraw("clinical", WITHDRAW_CLINICAL)

    @Slot()
    def withdraw_marketing(self) -> None:
        self._withdraw("marketing", WITHDRAW_MARKETING)

    def _withdraw(self, scope: str, question: str) -> None:
        note = self.reason.text().strip()
        if self._patient_id is None:
            return
        if not note:
            self.error.show_error(
                "Note how and when the patient withdrew consent, then press again."
            )
            return
        if not confirm.ask(self, "Consent withdrawn", question, "Record the withdrawal"):
            return
        self._worker.start(
            partial(photos.withdraw_consent, self._user, self._patient_id, scope, note),
            self._after_change,
            self._failed,
        )

    @Slot()
    def reveal(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.error.show_error("Say why you need to see the hidden photos, then press again.")
            return
        self._reveal = reason
        self.refresh()

    @Slot()
    def erase(self) -> None:
        reason = self.reason.text().strip()
        if self._patient_id is None:
            return
        if not reason:
            self.error.show_error("Name the erasure request this answers, then press again.")
            return
        if not confirm.ask(
            self, "Erase photos",
            "Erase every photo of this patient? This cannot be undone; the erasure itself "
            "is recorded.",
            "Erase the photos",
        ):
            return
        self._worker.start(
            partial(photos.erase_photos, self._user, self._patient_id, reason),
            self._after_change,
            self._failed,
        )

    @Slot(object)
    def _after_change(self, _result: object) -> None:
        self.reason.clear()
        self.changed.emit()
        self.refresh()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()


def _consent_text(listing: PhotoList) -> str:
    consent = listing.consent
    if consent.withdrawn:
        text = "The patient withdrew consent to photographs: the photos are kept but hidden."
        if listing.hidden:
            text += f" {listing.hidden} photo(s) hidden."
    elif consent.clinical:
        text = "Clinical photographs: consented. Marketing use: " + (
            "consented." if consent.marketing else "not consented."
        )
    else:
        text = "No consent to clinical photographs on file: no photo can be taken."
    if listing.erased:
        text += f" {listing.erased} photo(s) erased on request."
    return text
