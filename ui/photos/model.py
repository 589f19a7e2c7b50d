"""The Photos tab's table: precomputed rows, thumbnails filled in as they arrive.

`data()` only reads what is already here: the row texts made once when the list
arrives, and the thumbnails (QImages decoded on a worker) handed in by `add_thumbnails`.
Which thumbnails are still missing is asked by the tab for the rows on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage, QPixmap

from consult.clinical.catalogue import catalogue
from consult.photos.views import view_label
from consult.records.photos import PhotoRecord
from ui.widgets.dates import show_date

HEADERS = ("Photo", "Date", "Before / after", "Area", "View", "Session")
PhotoRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def area_label(area: str) -> str:
    try:
        return catalogue().area(area).label
    except KeyError:
        return area


def photo_cells(photo: PhotoRecord) -> tuple[str, ...]:
    session = f"Session of {show_date(photo.session_date)}" if photo.session_date else "—"
    return (
        "",
        show_date(photo.taken_on),
        "Before" if photo.stage == "before" else "After",
        area_label(photo.area),
        view_label(photo.view),
        session,
    )


class PhotoTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._photos: list[PhotoRecord] = []
        self._cells: list[tuple[str, ...]] = []
        self._thumbnails: dict[int, QPixmap] = {}

    def set_photos(self, photos: Sequence[PhotoRecord]) -> None:
        self.beginResetModel()
        self._photos = list(photos)
        self._cells = [photo_cells(photo) for photo in self._photos]
        self._thumbnails = {}
        self.endResetModel()

    def add_thumbnails(self, images: Mapping[int, QImage]) -> None:
        """Thumbnails decoded on a worker, made pixmaps once here (on the GUI thread,
        where pixmaps live) so painting a row never converts them again."""
        self._thumbnails.update(
            {photo_id: QPixmap.fromImage(image) for photo_id, image in images.items()}
        )
        rows = [row for row, photo in enumerate(self._photos) if photo.id in images]
        for row in rows:
            cell = self.index(row, 0)
            self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DecorationRole])

    def missing_thumbnails(self, rows: Iterable[int]) -> list[int]:
        """The photo ids of these rows whose thumbnail has not arrived yet."""
        return [
            self._photos[row].id
            for row in rows
            if 0 <= row < len(self._photos) and self._photos[row].id not in self._thumbnails
        ]

    def photo(self, row: int) -> PhotoRecord:
        return self._photos[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._photos)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._photos)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return self._thumbnails.get(self._photos[index.row()].id)
        if role == PhotoRole:
            return self._photos[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None
