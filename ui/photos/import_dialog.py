"""Importing photos: files or a folder, what they show, and the framing guide.

The chosen file is previewed (decoded and scaled on a worker) with the patient's
previous photo of the same area and view over it at low opacity. Importing reads,
decodes and scales every file on a worker too; the batch is kept whole or not at all.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError, InvalidField
from consult.photos.limits import SUFFIXES
from consult.photos.views import views_for
from consult.records.course import SessionSummary
from consult.records.photos import PhotoImage, PhotoRecord
from consult.services import photos
from consult.services.acting import SignedIn
from consult.services.photos import PhotoImport
from ui.photos.camera import camera_available
from ui.photos.framing import FramingPreview
from ui.photos.images import decoded, preview_of_file
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets import dates
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel, date_edit, dialog_footer, to_date

LABELS = {"date": "Date taken", "view": "View", "area": "Area", "stage": "Before / after",
          "session": "Session", "files": "Photos"}


def folder_photos(folder: str) -> list[str]:
    return sorted(
        str(child) for child in Path(folder).iterdir()
        if child.is_file() and child.suffix.lower() in SUFFIXES
    )


def import_files(
    user: SignedIn, patient_id: int, paths: tuple[str, ...], area: str, view: str, stage: str,
    taken_on: date, session_id: int | None, captures: dict[str, bytes] | None = None,
) -> tuple[PhotoRecord, ...]:
    """Runs on the thread pool: read every file (a camera's frames are in `captures`),
    then keep them all (or none)."""
    batch = []
    for path in paths:
        data = (captures or {}).get(path)
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError as error:
                raise InvalidField(
                    Path(path).name, f"cannot be read ({error.strerror})"
                ) from None
        batch.append(PhotoImport(patient_id, data, area, view, stage, taken_on, session_id,
                                 source=Path(path).name))
    return photos.import_photos(user, tuple(batch))


def guide_image(
    user: SignedIn, patient_id: int, area: str, view: str
) -> tuple[str, str, QImage | None]:
    """Runs on the thread pool: the previous photo of this view, decoded, or None."""
    found: PhotoImage | None = photos.framing_guide(user, patient_id, area, view)
    return area, view, None if found is None else decoded(found.jpeg)


def _preview(path: str, captured: bytes | None) -> tuple[str, QImage]:
    if captured is not None:
        return path, decoded(captured, field=path)
    return path, preview_of_file(path)


def patient_sessions(user: SignedIn, patient_id: int) -> tuple[SessionSummary, ...]:
    from consult.services import course

    if not user.actor.may("course.read"):
        return ()
    return course.list_sessions(user, patient_id)


class ImportDialog(QDialog):
    imported = Signal(object)  # tuple[PhotoRecord, ...]
    preview_shown = Signal()
    guide_shown = Signal()
    failed = Signal(str)
    camera_checked = Signal()

    def __init__(self, user: SignedIn, patient_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import photos")
        self._user = user
        self._patient_id = patient_id
        self._worker = Worker(self)
        self.files = QListWidget(self)
        self.add_files_button = QPushButton("Add files…", self)
        self.add_folder_button = QPushButton("Add folder…", self)
        self.camera_button = QPushButton("Take a photo…", self)
        self.camera_button.setVisible(False)  # shown once a camera is found
        self.captures: dict[str, bytes] = {}
        self.area = QComboBox(self)
        self.view = QComboBox(self)
        self.stage = QComboBox(self)
        self.session = QComboBox(self)
        today = dates.now().date()  # the clinic's day, not this computer's
        self.taken_on = date_edit(QDate(today.year, today.month, today.day))
        self.taken_on.setParent(self)
        self.preview = FramingPreview(self)
        self.error = ErrorLabel(self)
        self._build()
        self._worker.start(partial(patient_sessions, user, patient_id), self._sessions,
                           self._failed)
        self._worker.start(camera_available, self._camera_known, self._failed)

    def _build(self) -> None:
        for area in catalogue().areas.values():
            self.area.addItem(area.label, area.id)
        self.stage.addItem("Before", "before")
        self.stage.addItem("After", "after")
        self.session.addItem("No session (the consultation)", None)
        self._fill_views()
        form = QFormLayout()
        form.addRow("Area", self.area)
        form.addRow("View", self.view)
        form.addRow("Before / after", self.stage)
        form.addRow("Session", self.session)
        form.addRow("Date taken", self.taken_on)
        adders = QHBoxLayout()
        adders.addWidget(self.add_files_button)
        adders.addWidget(self.add_folder_button)
        adders.addWidget(self.camera_button)
        left = QVBoxLayout()
        left.addWidget(self.files, 1)
        left.addLayout(adders)
        left.addLayout(form)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.preview, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        self.import_button = dialog_footer(self, layout, "Import", self.start_import)
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.camera_button.clicked.connect(self._open_camera)
        self.area.currentIndexChanged.connect(self._area_changed)
        self.view.currentIndexChanged.connect(self._view_changed)
        self.session.currentIndexChanged.connect(self._session_changed)
        self.files.currentRowChanged.connect(self._file_chosen)
        self.resize(980, 600)

    # ----------------------------------------------------------------- choosing

    def add_paths(self, paths: list[str]) -> None:
        known = set(self.paths())
        for path in paths:
            if path not in known:
                self.files.addItem(path)
        if self.files.currentRow() < 0 and self.files.count():
            self.files.setCurrentRow(0)

    def paths(self) -> list[str]:
        return [self.files.item(row).text() for row in range(self.files.count())]

    @Slot()
    def _choose_files(self) -> None:
        pattern = "Photos (" + " ".join(f"*{suffix}" for suffix in SUFFIXES) + ")"
        chosen, _filter = QFileDialog.getOpenFileNames(self, "Photos to import", "", pattern)
        self.add_paths(chosen)

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of photos")
        if folder:
            self.add_paths(folder_photos(folder))

    @Slot(object)
    def _camera_known(self, available: bool) -> None:
        self.camera_button.setVisible(available)
        self.camera_checked.emit()

    @Slot()
    def _open_camera(self) -> None:
        from ui.photos.camera import CameraDialog

        camera = CameraDialog(self)
        camera.captured.connect(self.add_capture)
        camera.open()

    @Slot(bytes)
    def add_capture(self, jpeg: bytes) -> None:
        """A camera's frame, kept in memory and listed like a file."""
        name = f"Camera photo {len(self.captures) + 1}"
        self.captures[name] = jpeg
        self.add_paths([name])
        self.files.setCurrentRow(self.files.count() - 1)

    def choose(self, area: str, view: str, stage: str) -> None:
        self.area.setCurrentIndex(self.area.findData(area))
        self.view.setCurrentIndex(self.view.findData(view))
        self.stage.setCurrentIndex(self.stage.findData(stage))

    def _fill_views(self) -> None:
        self.view.blockSignals(True)
        self.view.clear()
        for view in views_for(self.area.currentData()):
            self.view.addItem(view.label, view.id)
        self.view.blockSignals(False)

    @Slot(int)
    def _area_changed(self, _index: int) -> None:
        self._fill_views()
        self._view_changed(self.view.currentIndex())

    @Slot(int)
    def _view_changed(self, _index: int) -> None:
        area, view = self.area.currentData(), self.view.currentData()
        if area is None or view is None:
            return
        self._worker.start(partial(guide_image, self._user, self._patient_id, area, view),
                           self._guide, self._failed)

    @Slot(object)
    def _guide(self, answer: tuple[str, str, QImage | None]) -> None:
        area, view, image = answer
        if (area, view) != (self.area.currentData(), self.view.currentData()):
            return  # the choice moved on while this one was fetched
        self.preview.set_guide(image)
        self.guide_shown.emit()

    @Slot(int)
    def _file_chosen(self, row: int) -> None:
        if row < 0:
            return
        path = self.files.item(row).text()
        self._worker.start(partial(_preview, path, self.captures.get(path)), self._previewed,
                           self._failed)

    @Slot(object)
    def _previewed(self, answer: tuple[str, QImage]) -> None:
        path, image = answer
        current = self.files.currentItem()
        if current is None or current.text() != path:
            return
        self.preview.set_photo(image)
        self.preview_shown.emit()

    @Slot(object)
    def _sessions(self, sessions: tuple[SessionSummary, ...]) -> None:
        for item in sessions:
            self.session.addItem(f"Session of {show_date(item.session_date)}",
                                 (item.id, item.session_date))

    @Slot(int)
    def _session_changed(self, _index: int) -> None:
        chosen = self.session.currentData()
        if chosen is not None:
            when: date = chosen[1]
            self.taken_on.setDate(QDate(when.year, when.month, when.day))

    # ----------------------------------------------------------------- importing

    @Slot()
    def start_import(self) -> None:
        paths = tuple(self.paths())
        if not paths:
            self.error.show_error("Add the photos to import first.")
            return
        chosen = self.session.currentData()
        self.import_button.setEnabled(False)
        self._worker.start(
            partial(
                import_files, self._user, self._patient_id, paths, self.area.currentData(),
                self.view.currentData(), self.stage.currentData(), to_date(self.taken_on.date()),
                chosen[0] if chosen is not None else None, dict(self.captures),
            ),
            self._done,
            self._failed,
        )

    @Slot(object)
    def _done(self, records: tuple[PhotoRecord, ...]) -> None:
        self.imported.emit(records)
        self.accept()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        if isinstance(error, ConsultError):
            self.error.show_error(error, LABELS)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.failed.emit(self.error.text())
