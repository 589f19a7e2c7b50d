"""Step 3: choose areas on the map, their concerns, and the depth for each.

Depth suggestions come from consult.clinical.depths (conservative when a screening
finding asks for it, such as skin type V–VI); the practitioner may adjust them and the
adjusted figures are what the plan prints. A depth outside the suggestion needs a tick to
confirm it is on purpose, and both documents flag it. Areas that screening would block
are hatched on the map with the reason, and cannot be chosen.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.clinical.depths import DepthRange, suggested_depth
from consult.clinical.fileformat import AreaRequest
from consult.clinical.screening import screen
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.widgets.area_map import AreaMapWidget

BLOCKING = frozenset(("defer", "decline"))
AreaIdRole = Qt.ItemDataRole.UserRole + 4
MAX_DEPTH_MM = 3.0


def _mm(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class AreaCard(QFrame):
    """One chosen area: its concerns and the depth to work at."""

    edited = Signal(str)  # area id

    def __init__(self, area: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.area = area
        self.concerns: dict[str, QCheckBox] = {}
        self.suggestion = QLabel(self)
        self.suggestion.setObjectName("subtitle")
        self.suggestion.setWordWrap(True)
        self.low = self._depth_box("shallowest")
        self.high = self._depth_box("deepest")
        self.confirm = QCheckBox("This depth is outside the suggested range on purpose", self)
        self.confirm.setAccessibleName(
            f"{catalogue().area(area).label}: confirm the depth outside the suggested range"
        )
        self.confirm.setVisible(False)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{catalogue().area(area).label}</b>", self)
        layout.addWidget(title)
        grid = QGridLayout()
        for index, (concern, label) in enumerate(catalogue().concerns.items()):
            box = QCheckBox(label, self)
            box.setAccessibleName(f"{catalogue().area(area).label}: {label}")
            box.toggled.connect(self._changed)
            # One column: the long names ("Pigmentation (sun damage, melasma)") are read
            # whole beside the map on a 1280-pixel screen, never cut off.
            grid.addWidget(box, index, 0)
            self.concerns[concern] = box
        layout.addLayout(grid)
        depth = QHBoxLayout()
        depth.addWidget(QLabel("Planned depth", self))
        depth.addWidget(self.low)
        depth.addWidget(QLabel("to", self))
        depth.addWidget(self.high)
        depth.addStretch(1)
        layout.addLayout(depth)
        layout.addWidget(self.confirm)
        layout.addWidget(self.suggestion)
        self.low.valueChanged.connect(self._changed)
        self.high.valueChanged.connect(self._changed)
        self.confirm.toggled.connect(self._changed)

    def _depth_box(self, which: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(0.1, MAX_DEPTH_MM)
        box.setSingleStep(0.25)
        box.setDecimals(2)
        box.setSuffix(" mm")
        box.setAccessibleName(f"{catalogue().area(self.area).label}: {which} depth")
        return box

    def chosen_concerns(self) -> tuple[str, ...]:
        return tuple(concern for concern, box in self.concerns.items() if box.isChecked())

    def show_state(
        self,
        concerns: tuple[str, ...],
        depth: tuple[Decimal, Decimal],
        note: str,
        outside: bool = False,
        confirmed: bool = False,
    ) -> None:
        widgets = (*self.concerns.values(), self.low, self.high, self.confirm)
        for widget in widgets:
            widget.blockSignals(True)
        for concern, box in self.concerns.items():
            box.setChecked(concern in concerns)
        self.low.setValue(float(depth[0]))
        self.high.setValue(float(depth[1]))
        self.suggestion.setText(note)
        self.confirm.setVisible(outside)
        self.confirm.setChecked(outside and confirmed)
        for widget in widgets:
            widget.blockSignals(False)

    def chosen_depth(self) -> tuple[Decimal, Decimal]:
        return _mm(self.low.value()), _mm(self.high.value())

    @Slot()
    def _changed(self) -> None:
        self.edited.emit(self.area)


class AreasStep(Step):
    title = "Area map"

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self.note(
            "Click the areas to treat, or tick them in the list beside the map. Then tick "
            "the concerns for each; the suggested depth follows and can be adjusted."
        )
        self.map = AreaMapWidget(self)
        self.map.setMinimumSize(440, 300)  # the three view buttons read in full
        # The same areas as a list of tick boxes: Tab to it, arrows and Space, no mouse.
        self.area_list = QListWidget(self)
        self.area_list.setAccessibleName("Areas to treat")
        self.area_list.setFixedWidth(205)
        self.area_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        for area in self.map.canvas.areas():
            item = QListWidgetItem(self.map.canvas.label(area), self.area_list)
            item.setToolTip(self.map.canvas.label(area))
            item.setData(AreaIdRole, area)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.cards: dict[str, AreaCard] = {}
        self.cards_box = QWidget(self)
        self.cards_box.setObjectName("scrollBody")
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.cards_box)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the cards' own boxes
        self.empty = QLabel("No areas chosen yet.", self.cards_box)
        self.empty.setObjectName("subtitle")
        self.cards_layout.insertWidget(0, self.empty)
        row = QHBoxLayout()
        row.addWidget(self.map, 4)
        row.addWidget(self.area_list, 0)
        row.addWidget(scroll, 5)
        self.layout_.addLayout(row, 1)
        self.map.selectionChanged.connect(self._selection_changed)
        self.area_list.itemChanged.connect(self._list_item_changed)

    def enter(self) -> None:
        self.map.set_blocked(self._blocked_reasons())
        self.map.blockSignals(True)
        self.map.set_selected(tuple(self.draft.areas))
        self.map.blockSignals(False)
        self._sync_list()
        self._sync_cards()

    def _sync_list(self) -> None:
        """The tick list shows what the map shows: chosen, free, or blocked with the reason."""
        chosen, blocked = set(self.map.selected()), self.map.blocked()
        self.area_list.blockSignals(True)
        for row in range(self.area_list.count()):
            item = self.area_list.item(row)
            area = item.data(AreaIdRole)
            item.setCheckState(
                Qt.CheckState.Checked if area in chosen else Qt.CheckState.Unchecked
            )
            flags = item.flags()
            if area in blocked:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setToolTip(f"Cannot be treated: {blocked[area]}")
            else:
                item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable)
                item.setToolTip(item.text())
        self.area_list.blockSignals(False)

    @Slot(QListWidgetItem)
    def _list_item_changed(self, item: QListWidgetItem) -> None:
        area = item.data(AreaIdRole)
        wanted = item.checkState() == Qt.CheckState.Checked
        if wanted != (area in self.map.selected()):
            self.map.canvas.toggle(area)  # emits selectionChanged: the draft follows
        self._sync_list()

    def _blocked_reasons(self) -> dict[str, str]:
        """What screening would block if every area were asked for, with the reason."""
        everything = replace(
            self.draft.consultation(),
            areas=tuple(AreaRequest(area, ()) for area in catalogue().areas),
        )
        reasons: dict[str, str] = {}
        for finding in screen(everything).findings:
            if finding.severity in BLOCKING:
                for area in finding.areas:
                    reasons.setdefault(area, finding.message)
        return reasons

    @Slot(list)
    def _selection_changed(self, selected: list[str]) -> None:
        chosen = tuple(selected)
        self.draft.areas = {area: self.draft.areas.get(area, ()) for area in chosen}
        for area in list(self.draft.depths):
            if area not in self.draft.areas:
                del self.draft.depths[area]
        self._sync_list()
        self._sync_cards()
        self.changed.emit()

    def _sync_cards(self) -> None:
        for area in [area for area in self.cards if area not in self.draft.areas]:
            card = self.cards.pop(area)
            self.cards_layout.removeWidget(card)
            card.deleteLater()
        conservative = self.conservative()  # once for every card
        for area in self.draft.areas:
            if area not in self.cards:
                card = AreaCard(area, self.cards_box)
                card.edited.connect(self._card_edited)
                self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
                self.cards[area] = card
            self._show_card(area, conservative)
        self.empty.setVisible(not self.draft.areas)
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Tab goes from the tick list into the cards, in order: a card made later would
        otherwise sit at the end of the window's focus chain, out of the keyboard's reach."""
        previous: QWidget = self.area_list
        for area in self.draft.areas:
            card = self.cards[area]
            for widget in (*card.concerns.values(), card.low, card.high):
                QWidget.setTabOrder(previous, widget)
                previous = widget

    def conservative(self) -> bool:
        """Whether a screening finding asks for conservative depth (skin type V–VI, …)."""
        return any(f.conservative_depth for f in screen(self.draft.consultation()).findings)

    def suggestion(self, area: str, conservative: bool | None = None) -> DepthRange:
        """The suggested range, conservative when a screening finding asks for it."""
        if conservative is None:
            conservative = self.conservative()
        return suggested_depth(
            area, self.draft.areas.get(area, ()), self.draft.treatment, conservative
        )

    def _show_card(self, area: str, conservative: bool | None = None) -> None:
        concerns = self.draft.areas[area]
        suggested = self.suggestion(area, conservative)
        depth = self.draft.depths.get(area, (suggested.min_mm, suggested.max_mm))
        note = f"Suggested {suggested.min_mm}–{suggested.max_mm} mm. {suggested.note}"
        outside = not suggested.contains(*depth)
        if not outside:
            self.draft.depth_confirmed.discard(area)
        confirmed = area in self.draft.depth_confirmed
        self.cards[area].show_state(concerns, depth, note, outside, confirmed)

    @Slot(str)
    def _card_edited(self, area: str) -> None:
        card = self.cards[area]
        concerns = card.chosen_concerns()
        concerns_changed = concerns != self.draft.areas.get(area)
        self.draft.areas[area] = concerns
        if concerns_changed:
            # New concerns bring a new suggestion; a depth set by hand is kept only if
            # the concerns stay the same.
            self.draft.depths.pop(area, None)
            self.draft.depth_confirmed.discard(area)
        else:
            low, high = card.chosen_depth()
            if low > high:
                low, high = high, low
            if self.draft.depths.get(area) not in (None, (low, high)):
                # A new depth is confirmed afresh: the tick was for the old one.
                self.draft.depth_confirmed.discard(area)
            elif card.confirm.isChecked():
                self.draft.depth_confirmed.add(area)
            else:
                self.draft.depth_confirmed.discard(area)
            self.draft.depths[area] = (low, high)
        self._show_card(area)
        self.changed.emit()

    def blocker(self) -> str | None:
        if not self.draft.areas:
            return "Choose at least one area on the map."
        conservative = self.conservative()
        for area, depth in self.draft.depths.items():
            if area not in self.draft.areas or area in self.draft.depth_confirmed:
                continue
            suggested = self.suggestion(area, conservative)
            if not suggested.contains(*depth):
                label = catalogue().area(area).label
                return (
                    f"The planned depth for {label} is outside the suggested "
                    f"{suggested.min_mm}–{suggested.max_mm} mm: confirm it is on purpose, "
                    "or adjust it."
                )
        return None
