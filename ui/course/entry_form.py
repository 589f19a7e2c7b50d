"""What was done on one area: device, lots, depth, passes, RF settings, the skin's response.

`entry()` reads the form into a consult.records.EntryInput, or raises InvalidField
naming the field. The confirmations (a depth outside the plan, an expired lot) are the
service's to ask for: the page asks the practitioner and sends the entry again with
the confirmation, and the entry is stored flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from consult.errors import InvalidField
from consult.records.course import DeviceRecord, EntryInput, LotRecord
from ui.course.lot_picker import LotPicker
from ui.course.sessions_tab import area_label

ERYTHEMA = ("0: none", "1: mild", "2: moderate", "3: marked")
# The fields' words for the service's field names, in refusals shown under the form.
LABELS = {
    "area": "Area",
    "device_id": "Device",
    "depth_mm": "Depth",
    "passes": "Passes",
    "rf_energy": "RF energy",
    "rf_pulse_ms": "RF pulse duration",
    "erythema": "Erythema",
    "notes": "Anything unexpected",
    "kind": "Lot kind",
    "lot_number": "Lot number",
    "expiry": "Lot expiry",
}


def _guarded(widget: QWidget) -> QWidget:
    """The app-wide wheel policy (ui.shell.wheel): a value changes only once focused."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return widget


class EntryForm(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.area = QComboBox(self)
        self.device = QComboBox(self)
        self.needle_lot = LotPicker("Needle cartridge or tip", ("cartridge", "tip"), self)
        self.depth = QDoubleSpinBox(self)
        self.depth.setRange(0.0, 5.0)
        self.depth.setDecimals(2)
        self.depth.setSingleStep(0.05)
        self.depth.setSuffix(" mm")
        self.depth.setSpecialValueText("Not set")
        self.passes = QSpinBox(self)
        self.passes.setRange(0, 20)
        self.passes.setSpecialValueText("Not counted")
        self.rf_energy = QLineEdit(self)
        self.rf_energy.setMaxLength(40)
        self.rf_energy.setPlaceholderText("e.g. level 4 or 12 W")
        self.rf_pulse = QSpinBox(self)
        self.rf_pulse.setRange(0, 10_000)
        self.rf_pulse.setSuffix(" ms")
        self.rf_pulse.setSpecialValueText("Not set")
        self.rf_tip = QLineEdit(self)
        self.rf_tip.setMaxLength(80)
        self.serum_lot = LotPicker("Serum or topical", ("serum",), self)
        self.numbing_lot = LotPicker("Numbing cream", ("numbing",), self)
        self.erythema = QComboBox(self)
        self.erythema.addItems(ERYTHEMA)
        self.bleeding = QCheckBox("Pinpoint bleeding", self)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(2000)
        for widget in (
            self.area,
            self.device,
            self.depth,
            self.passes,
            self.rf_pulse,
            self.erythema,
        ):
            _guarded(widget)
        self._build()

    def _build(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        rows: Sequence[tuple[str, QWidget]] = (
            ("Area", self.area),
            ("Device", self.device),
            ("Needle cartridge or tip", self.needle_lot),
            ("Depth used", self.depth),
            ("Passes", self.passes),
            ("RF energy level", self.rf_energy),
            ("RF pulse duration", self.rf_pulse),
            ("RF tip type", self.rf_tip),
            ("Serum or topical", self.serum_lot),
            ("Numbing cream", self.numbing_lot),
            ("Erythema (0–3)", self.erythema),
            ("", self.bleeding),
            ("Anything unexpected", self.notes),
        )
        for label, widget in rows:
            form.addRow(label, widget)
            if label:
                widget.setAccessibleName(label)
        self.device.currentIndexChanged.connect(self._device_changed)
        self._device_changed(-1)

    def set_choices(
        self,
        areas: Sequence[str],
        devices: Sequence[DeviceRecord],
        lots: Sequence[LotRecord],
        today: date,
    ) -> None:
        self.area.clear()
        for area in areas:
            self.area.addItem(area_label(area), area)
        self.device.clear()
        for device in devices:
            kind = "RF" if device.kind == "rf" else "mechanical"
            self.device.addItem(f"{device.name} ({kind}, serial {device.serial})", device)
        for picker in (self.needle_lot, self.serum_lot, self.numbing_lot):
            picker.set_lots(lots, today)

    @Slot(int)
    def _device_changed(self, _index: int) -> None:
        device = self.device.currentData()
        rf = isinstance(device, DeviceRecord) and device.kind == "rf"
        for widget in (self.rf_energy, self.rf_pulse, self.rf_tip):
            widget.setEnabled(rf)

    def entry(self) -> EntryInput:
        device = self.device.currentData()
        if not isinstance(device, DeviceRecord):
            raise InvalidField(
                "device_id", "choose the device used (add it under Lots and devices)"
            )
        if self.area.currentData() is None:
            raise InvalidField("area", "choose the area")
        if self.depth.value() <= 0:
            raise InvalidField("depth_mm", "enter the depth used, in mm")
        rf = device.kind == "rf"
        return EntryInput(
            area=str(self.area.currentData()),
            device_id=device.id,
            erythema=self.erythema.currentIndex(),
            needle_lot=self.needle_lot.lot(),
            depth_mm=Decimal(f"{self.depth.value():.2f}"),
            passes=self.passes.value() or None,
            rf_energy=self.rf_energy.text().strip() if rf else "",
            rf_pulse_ms=(self.rf_pulse.value() or None) if rf else None,
            rf_tip=self.rf_tip.text().strip() if rf else "",
            serum_lot=self.serum_lot.lot(),
            numbing_lot=self.numbing_lot.lot(),
            pinpoint_bleeding=self.bleeding.isChecked(),
            notes=self.notes.text().strip(),
        )
