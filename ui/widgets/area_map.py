"""The treatment-area picker: the face and body maps, clickable, hoverable and keyboard-driven.

The drawings come from resources/maps/*.svg through consult.clinical.maps, so the picker, the
PDF plan and the clinic's medical lead all look at the same file. The widget only
presents a selection; which areas may be treated is decided by the screening in the
domain core and handed in with `set_blocked`.

The picker is three pieces: this widget (a switch between the maps, the map and a
status line), AreaMapCanvas (drawing and input) and map_paths (shape conversion).

Typical use::

    picker = AreaMapWidget(parent)
    picker.selectionChanged.connect(step.on_areas_changed)
    picker.set_selected(draft.areas)
    picker.set_blocked(screening.blocked_areas)   # {area id: reason}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.clinical import maps
from ui.widgets.area_canvas import AreaMapCanvas

__all__ = ["AreaMapCanvas", "AreaMapWidget"]


class AreaMapWidget(QWidget):
    """The area picker: a switch between the maps, the map itself and a status line.

    Signals: `selectionChanged(list)` with every selected area id (catalogue order)
    after any change; `areaToggled(str, bool)` per area that changed;
    `blockedAreaClicked(str, str)` (area id, reason) when someone tries a blocked
    area. Changes made through `set_selected`/`set_blocked` emit them too.
    """

    selectionChanged = Signal(list)
    areaToggled = Signal(str, bool)
    blockedAreaClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, views: Sequence[str] = maps.VIEWS) -> None:
        super().__init__(parent)
        self._buttons = QButtonGroup(self)
        self._buttons.setExclusive(True)
        switcher = QHBoxLayout()
        switcher.setSpacing(0)
        for index in range(len(views)):  # made first, so Tab reaches them before the map
            button = QPushButton(self)
            button.setCheckable(True)
            button.setChecked(index == 0)
            self._buttons.addButton(button, index)
            switcher.addWidget(button)
        self.canvas = AreaMapCanvas(views, self)
        self.status = QLabel(self.canvas.status_text(), self)
        self.status.setWordWrap(True)
        self.status.setContentsMargins(6, 2, 6, 2)
        self.status.setAccessibleName("Area map status")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(switcher)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.status)
        if len(self.canvas.views()) == 1:
            self._buttons.button(0).hide()
        self._buttons.idClicked.connect(self._on_view_clicked)
        self.canvas.statusChanged.connect(self.status.setText)
        self.canvas.selectionChanged.connect(self._on_selection_changed)
        self.canvas.viewChanged.connect(self._on_view_changed)
        self.canvas.selectionChanged.connect(self.selectionChanged)
        self.canvas.areaToggled.connect(self.areaToggled)
        self.canvas.blockedAreaClicked.connect(self.blockedAreaClicked)
        self._label_buttons()

    def selected(self) -> tuple[str, ...]:
        return self.canvas.selected()

    def set_selected(self, area_ids: Iterable[str]) -> None:
        self.canvas.set_selected(area_ids)

    def blocked(self) -> dict[str, str]:
        return self.canvas.blocked()

    def set_blocked(self, reasons: Mapping[str, str]) -> None:
        self.canvas.set_blocked(reasons)
        self._label_buttons()

    def current_view(self) -> str:
        return self.canvas.current_view()

    def show_view(self, view: str) -> None:
        self.canvas.show_view(view)

    def view_button(self, view: str) -> QAbstractButton:
        return self._buttons.button(self.canvas.views().index(view))

    @Slot(int)
    def _on_view_clicked(self, index: int) -> None:
        self.canvas.show_view(self.canvas.views()[index])

    @Slot(str)
    def _on_view_changed(self, view: str) -> None:
        self.view_button(view).setChecked(True)

    @Slot(list)
    def _on_selection_changed(self, _selected: list[str]) -> None:
        self._label_buttons()

    def _label_buttons(self) -> None:
        """Each switch names its map and how many areas on it are chosen."""
        chosen = set(self.canvas.selected())
        for view in self.canvas.views():
            count = sum(1 for area in self.canvas.areas(view) if area in chosen)
            title = self.canvas.map_title(view)
            button = self.view_button(view)
            button.setText(f"{title} ({count})" if count else title)
            button.setAccessibleName(f"{title}, {count} selected")
