"""The price list editor: change prices, save them as a new version.

Saving never edits a price in place: consult.services.pricing writes a whole new
version, and every existing quote keeps the version it was priced with. The editor
remembers which version it started from, so two managers editing at once cannot
silently undo each other's change (the second save is refused with a message).
Prices are typed as text and checked by the pricing core (two decimals, not
negative); a bad entry is refused with a message naming the item.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError
from consult.pricing.money import parse_amount
from consult.pricing.prices import PriceItem, PriceList
from consult.records.quotes import PriceListInfo
from consult.services import pricing
from consult.services.acting import SignedIn
from ui.shell.errors import show_problem
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import show_datetime
from ui.widgets.forms import ErrorLabel
from ui.widgets.paged_model import header_data

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Treatment", "Kind", "Item", "Price per session")
PRICE_COLUMN = 3
KIND_LABELS = {"region": "Region", "addon": "Add-on"}


class PriceItemsModel(QAbstractTableModel):
    """The items of one price list, with the unit price editable as text."""

    edited = Signal()
    rejected = Signal(object)  # the InvalidField of a refused entry

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[PriceItem] = []
        self._original: dict[tuple[str, str], Decimal] = {}

    def load(self, price_list: PriceList) -> None:
        self.beginResetModel()
        self._items = list(price_list.items.values())
        self._original = {(i.treatment, i.item): i.unit_price for i in self._items}
        self.endResetModel()

    def items(self) -> list[PriceItem]:
        return list(self._items)

    def changed(self) -> dict[tuple[str, str], Decimal]:
        """The prices that differ from the list as loaded."""
        return {
            (item.treatment, item.item): item.unit_price
            for item in self._items
            if self._original.get((item.treatment, item.item)) != item.unit_price
        }

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._cell(item, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == PRICE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _cell(self, item: PriceItem, column: int) -> str:
        if column == 0:
            return catalogue().treatments.get(item.treatment, item.treatment)
        if column == 1:
            return KIND_LABELS.get(item.kind, item.kind)
        if column == 2:
            return item.label
        return f"{item.unit_price:f}"

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        return header_data(HEADERS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == PRICE_COLUMN:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if index.column() != PRICE_COLUMN:
            return False
        item = self._items[index.row()]
        try:
            treatment = catalogue().treatments.get(item.treatment, item.treatment)
            price = parse_amount(str(value).strip(), f"{item.label} ({treatment})")
        except ConsultError as error:
            self.rejected.emit(error)
            return False
        self._items[index.row()] = PriceItem(item.treatment, item.kind, item.item, item.label,
                                             price)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True


class PriceEditor(QWidget):
    """Edit the current price list and save it as a new version; see older versions."""

    saved = Signal(object)  # the PriceList now current

    def __init__(self, user: SignedIn, parent=None) -> None:
        super().__init__(parent)
        self._user = user
        self._worker = Worker(self)
        self._based_on: int | None = None
        self.model = PriceItemsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # ~30 prices
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.versions = QListWidget()
        self.versions.setWordWrap(True)
        self.note_edit = QLineEdit(placeholderText="What changed and why (kept with the version)")
        self.save_button = make_primary(QPushButton("Save as new version"))
        self.save_button.setEnabled(False)
        self.status_label = QLabel(objectName="subtitle")
        self.error_label = ErrorLabel(self)
        self._lay_out()
        self.model.edited.connect(self._edited)
        self.model.rejected.connect(self.error_label.show_error)
        self.save_button.clicked.connect(self.save)
        self.reload()

    def _lay_out(self) -> None:
        editor = QWidget()
        left = QVBoxLayout(editor)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.table, 1)
        left.addWidget(self.error_label)
        bar = QHBoxLayout()
        bar.addWidget(self.note_edit, 1)
        bar.addWidget(self.save_button)
        left.addLayout(bar)
        history = QWidget()
        right = QVBoxLayout(history)
        right.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Versions, newest first (a quote keeps the one it was made with)")
        caption.setWordWrap(True)
        right.addWidget(caption)
        right.addWidget(self.versions, 1)
        splitter = QSplitter()
        splitter.addWidget(editor)
        splitter.addWidget(history)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)

    def reload(self) -> None:
        self._worker.start(
            partial(_current_and_versions, self._user),
            self._loaded,
            self._show_problem,
        )

    @Slot(object)
    def _show_problem(self, error: BaseException) -> None:
        show_problem(self, error)

    def _loaded(self, answer: tuple[PriceList, list[PriceListInfo]]) -> None:
        current, versions = answer
        self._based_on = current.version
        self.model.load(current)
        self.versions.clear()
        for info in versions:
            self.versions.addItem(version_text(info))
        self.status_label.setText(f"Editing price list version {current.version}")
        self.save_button.setEnabled(False)
        self.error_label.clear_error()

    def _edited(self) -> None:
        self.error_label.clear_error()
        changed = len(self.model.changed())
        self.save_button.setEnabled(changed > 0)
        noun = "price" if changed == 1 else "prices"
        self.status_label.setText(
            f"Editing price list version {self._based_on}: {changed} {noun} changed, not saved"
        )

    def save(self) -> None:
        edited = PriceList.from_items(None, self.model.items())
        note, based_on = self.note_edit.text(), self._based_on
        self.save_button.setEnabled(False)
        self._worker.start(
            partial(pricing.publish_price_list, self._user, edited, note, based_on=based_on),
            self._saved,
            self._save_failed,
        )

    def _saved(self, current: PriceList) -> None:
        self.note_edit.clear()
        self.saved.emit(current)
        self.reload()

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(bool(self.model.changed()))
        if isinstance(error, ConsultError):
            self.error_label.show_error(error)
        else:
            show_problem(self, error)


def _current_and_versions(user: SignedIn) -> tuple[PriceList, list[PriceListInfo]]:
    return pricing.current_price_list(user), list(pricing.price_list_versions(user))


def version_text(info: PriceListInfo) -> str:
    when = show_datetime(info.created_at)
    note = f": {info.note}" if info.note else ""
    return f"Version {info.id} · {when} · {info.created_by}{note} ({info.items} prices)"
