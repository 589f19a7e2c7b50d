"""The row of filters above a listing: choice boxes, a date range and a typed search.

Any change emits `changed` (the typed search once typing pauses, so a name is one
query, not one per letter); ticking the date range enables its two dates.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, QTimer, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from ui.widgets.forms import date_edit


class FilterBar(QWidget):
    changed = Signal()  # a filter changed: the listing asks again

    def __init__(
        self,
        boxes: Sequence[QComboBox],
        search: QLineEdit,
        *,
        dates_label: str,
        debounce_ms: int,
        trailing: Sequence[QWidget] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.dates_check = QCheckBox(dates_label, self)
        self.date_from = date_edit(QDate.currentDate().addMonths(-1))
        self.date_to = date_edit(QDate.currentDate())
        self._typing = QTimer(self, singleShot=True, interval=debounce_ms)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (*boxes, self.dates_check, self.date_from, QLabel("to", self), self.date_to):
            row.addWidget(widget)
        row.addWidget(search, 1)
        for widget in trailing:
            row.addWidget(widget)
        for box in boxes:
            box.currentIndexChanged.connect(self._changed)
        self.dates_check.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self._changed)
        self.date_to.dateChanged.connect(self._changed)
        search.textChanged.connect(self._typing.start)
        self._typing.timeout.connect(self._changed)
        self._enable_dates(False)

    def dates_on(self) -> bool:
        return self.dates_check.isChecked()

    def settle(self) -> None:
        """The filters are being applied now: a pending pause in typing need not fire."""
        self._typing.stop()

    @Slot()
    def _changed(self) -> None:
        self.changed.emit()

    @Slot(bool)
    def _dates_toggled(self, on: bool) -> None:
        self._enable_dates(on)
        self.changed.emit()

    def _enable_dates(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
