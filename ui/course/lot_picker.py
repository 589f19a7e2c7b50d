"""Choosing a product lot from the clinic's inventory, or typing a new one.

The combo lists the known lots of the kinds that fit (cartridges and tips for the
needle, serums, numbing creams), each with its expiry; "New lot…" opens fields for the
maker, product, lot number and expiry. A typed lot is added to the inventory when the
entry is recorded (consult.services.course does it, audited); the same lot number of a
product with another expiry is refused there, with the field named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consult.errors import InvalidField
from consult.records.course import LotInput, LotRecord
from ui.widgets.dates import now as clinic_now
from ui.widgets.dates import show_date
from ui.widgets.forms import date_edit, to_date

NEW_LOT = "new"


def lot_label(lot: LotRecord, today: date) -> str:
    expired = " — EXPIRED" if lot.expiry < today else ""
    expires = show_date(lot.expiry)
    return f"{lot.product} ({lot.maker}), lot {lot.lot_number}, expires {expires}{expired}"


class LotPicker(QWidget):
    """One lot: a known one, a new one typed in, or (when optional) none."""

    def __init__(
        self, name: str, kinds: Sequence[str], parent: QWidget, *, optional: bool = True
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.kinds = tuple(kinds)
        self.optional = optional
        self.choice = QComboBox(self)
        self.choice.setAccessibleName(name)
        self.choice.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.new_fields = QWidget(self)
        self.kind = QComboBox(self.new_fields)
        self.kind.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for kind in self.kinds:
            self.kind.addItem(kind.capitalize(), kind)
        self.maker = QLineEdit(self.new_fields)
        self.product = QLineEdit(self.new_fields)
        self.lot_number = QLineEdit(self.new_fields)
        self.expiry = date_edit(QDate.currentDate())
        self.expiry.setParent(self.new_fields)
        for field, label in (
            (self.maker, "maker"),
            (self.product, "product"),
            (self.lot_number, "lot number"),
            (self.expiry, "expiry"),
        ):
            field.setAccessibleName(f"{name}: {label}")
        form = QFormLayout(self.new_fields)
        form.setContentsMargins(16, 0, 0, 0)
        if len(self.kinds) > 1:
            form.addRow("Kind", self.kind)
        else:
            self.kind.hide()
        form.addRow("Maker", self.maker)
        form.addRow("Product", self.product)
        form.addRow("Lot number", self.lot_number)
        form.addRow("Expiry", self.expiry)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice)
        layout.addWidget(self.new_fields)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.set_lots((), clinic_now().date())

    def set_lots(self, lots: Sequence[LotRecord], today: date) -> None:
        """The known lots that fit, newest expiry first (an expired one says so)."""
        self.choice.blockSignals(True)
        self.choice.clear()
        if self.optional:
            self.choice.addItem("None", None)
        fitting = sorted(
            (lot for lot in lots if lot.kind in self.kinds),
            key=lambda lot: lot.expiry,
            reverse=True,
        )
        for lot in fitting:
            self.choice.addItem(lot_label(lot, today), lot)
        self.choice.addItem("New lot…", NEW_LOT)
        self.choice.blockSignals(False)
        self._choice_changed(self.choice.currentIndex())

    def choose_lot(self, lot_number: str) -> bool:
        for index in range(self.choice.count()):
            lot = self.choice.itemData(index)
            if isinstance(lot, LotRecord) and lot.lot_number == lot_number:
                self.choice.setCurrentIndex(index)
                return True
        return False

    def choose_new(self) -> None:
        self.choice.setCurrentIndex(self.choice.findData(NEW_LOT))

    @Slot(int)
    def _choice_changed(self, _index: int) -> None:
        self.new_fields.setVisible(self.choice.currentData() == NEW_LOT)

    def lot(self) -> LotInput | None:
        """The chosen lot as the entry carries it; a new lot must be filled in whole."""
        chosen = self.choice.currentData()
        if chosen is None:
            return None
        if isinstance(chosen, LotRecord):
            return LotInput(
                chosen.maker, chosen.product, chosen.kind, chosen.lot_number, chosen.expiry
            )
        for field, label in (
            (self.maker, "maker"),
            (self.product, "product"),
            (self.lot_number, "lot number"),
        ):
            if not field.text().strip():
                raise InvalidField(f"{self.name}: {label}", "is required for a new lot")
        return LotInput(
            self.maker.text().strip(),
            self.product.text().strip(),
            str(self.kind.currentData()),
            self.lot_number.text().strip(),
            to_date(self.expiry.date()),
        )
