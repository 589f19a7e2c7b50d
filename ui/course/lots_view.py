"""Lots and devices: the clinic's inventory that sessions pick from (manager, practitioner).

Lots list with their product, expiry (an expired one says so) and how many sessions used
each; a new lot is entered with its maker, product, kind, number and expiry. Devices are
listed and added the same way. A lot typed during a session is added there too. Every
call goes to consult.services.lots off the GUI thread; refusals name the field.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.records.course import DeviceRecord, LotInput, LotRecord
from consult.services import lots
from consult.services.acting import SignedIn
from ui.shell.errors import log_unexpected
from ui.shell.workers import Worker
from ui.widgets.dates import now as clinic_now
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel, date_edit, to_date
from ui.widgets.rows_model import Row, RowsModel, table_view

LOT_HEADERS = ("Lot number", "Product", "Maker", "Kind", "Expiry", "Sessions")
DEVICE_HEADERS = ("Device", "Kind", "Serial")
LOT_KINDS = {"cartridge": "Needle cartridge", "tip": "Tip", "serum": "Serum or topical",
             "numbing": "Numbing cream"}
DEVICE_KINDS = {"mechanical": "Mechanical (micro-needling pen)", "rf": "Radio-frequency (RF)"}
LABELS = {"maker": "Maker", "product": "Product", "kind": "Kind", "lot_number": "Lot number",
          "expiry": "Expiry", "name": "Device name", "serial": "Serial number"}


def lot_cells(lot: LotRecord) -> tuple[str, ...]:
    expired = " (expired)" if lot.expired_on(clinic_now().date()) else ""
    return (
        lot.lot_number,
        lot.product,
        lot.maker,
        LOT_KINDS.get(lot.kind, lot.kind),
        show_date(lot.expiry) + expired,
        str(lot.sessions_used),
    )


def device_cells(device: DeviceRecord) -> tuple[str, ...]:
    return (device.name, "RF" if device.kind == "rf" else "Mechanical", device.serial)


def _choices(parent: QWidget, options: dict[str, str], name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the app's wheel policy
    combo.setAccessibleName(name)
    for value, label in options.items():
        combo.addItem(label, value)
    return combo


def _load(user: SignedIn) -> tuple[tuple[LotRecord, ...], tuple[DeviceRecord, ...]]:
    return lots.list_lots(user), lots.devices(user)


class LotsView(QWidget):
    loaded = Signal()

    def __init__(self, user: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._asked_once = False
        self._worker = Worker(self)
        self.lots_model = RowsModel(LOT_HEADERS, self)
        self.devices_model = RowsModel(DEVICE_HEADERS, self)
        self.lots_table = table_view(self.lots_model, self, "Lots")
        self.devices_table = table_view(self.devices_model, self, "Devices")
        self.maker = QLineEdit(self)
        self.product = QLineEdit(self)
        self.kind = _choices(self, LOT_KINDS, "Kind")
        self.lot_number = QLineEdit(self)
        self.expiry = date_edit(QDate.currentDate())
        self.expiry.setParent(self)
        self.add_lot_button = QPushButton("Add lot", self)
        self.device_name = QLineEdit(self)
        self.device_kind = _choices(self, DEVICE_KINDS, "Device kind")
        self.serial = QLineEdit(self)
        self.add_device_button = QPushButton("Add device", self)
        self.error = ErrorLabel(self)
        self._build()

    def _build(self) -> None:
        lot_box = QGroupBox("Product lots", self)
        lot_form = QFormLayout()
        for label, widget in (("Maker", self.maker), ("Product", self.product),
                              ("Kind", self.kind), ("Lot number", self.lot_number),
                              ("Expiry", self.expiry)):
            lot_form.addRow(label, widget)
            widget.setAccessibleName(label)
        lot_form.addRow("", self.add_lot_button)
        lot_layout = QHBoxLayout(lot_box)
        lot_layout.addWidget(self.lots_table, 3)
        lot_layout.addLayout(lot_form, 2)
        device_box = QGroupBox("Devices", self)
        device_form = QFormLayout()
        for label, widget in (("Name", self.device_name), ("Kind", self.device_kind),
                              ("Serial number", self.serial)):
            device_form.addRow(label, widget)
            widget.setAccessibleName(f"Device {label.lower()}")
        device_form.addRow("", self.add_device_button)
        device_layout = QHBoxLayout(device_box)
        device_layout.addWidget(self.devices_table, 3)
        device_layout.addLayout(device_form, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(lot_box, 3)
        layout.addWidget(device_box, 2)
        layout.addWidget(self.error)
        self.add_lot_button.clicked.connect(self.add_lot)
        self.add_device_button.clicked.connect(self.add_device)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._asked_once:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        self._asked_once = True
        user = self._user
        self._worker.start(lambda: _load(user), self._show, self._failed)

    def _show(self, answer: tuple[tuple[LotRecord, ...], tuple[DeviceRecord, ...]]) -> None:
        known_lots, devices = answer
        self.lots_model.set_rows([Row(lot_cells(lot), lot) for lot in known_lots])
        self.devices_model.set_rows([Row(device_cells(device), device) for device in devices])
        self.loaded.emit()

    @Slot()
    def add_lot(self) -> None:
        lot = LotInput(
            self.maker.text().strip(),
            self.product.text().strip(),
            str(self.kind.currentData()),
            self.lot_number.text().strip(),
            to_date(self.expiry.date()),
        )
        user = self._user
        self._worker.start(lambda: lots.register_lot(user, lot), self._lot_added, self._failed)

    def _lot_added(self, _lot: LotRecord) -> None:
        self.error.clear_error()
        for field in (self.lot_number,):
            field.clear()  # maker and product stay: the next lot is often the same product
        self.refresh()

    @Slot()
    def add_device(self) -> None:
        user = self._user
        name, kind, serial = (
            self.device_name.text().strip(),
            str(self.device_kind.currentData()),
            self.serial.text().strip(),
        )
        self._worker.start(
            lambda: lots.register_device(user, name, kind, serial), self._device_added,
            self._failed,
        )

    def _device_added(self, _device: DeviceRecord) -> None:
        self.error.clear_error()
        self.device_name.clear()
        self.serial.clear()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error.show_error(error, LABELS)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.loaded.emit()
