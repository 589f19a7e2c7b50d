"""The drawing surface of the area picker: one map at a time, pointer and keyboard.

Painting is cheap on purpose: every path is scaled once per resize or view change
(see map_paths), and paintEvent only strokes and fills those ready-made paths, so a
click redraws at once. The one slow piece of geometry, where each area's tick goes,
is worked out once per process, one area per idle moment (current view first);
until an area's is known, that area is filled without its tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from consult.clinical import maps
from consult.clinical.catalogue import catalogue
from ui.widgets.map_paths import (
    AreaGeometry,
    Decoration,
    anchor_points,
    area_label,
    area_path,
    catalogue_order,
    check_marks,
    decoration,
    known_anchor_points,
    next_missing_anchor,
)

MARGIN = 10  # pixels kept free around the drawing
_AREA_FILL = QColor(110, 172, 232, 95)
_AREA_EDGE = QColor("#2f6f9f")
_HOVER_FILL = QColor(110, 172, 232, 170)
_SELECTED_FILL = QColor(31, 138, 112, 170)
_SELECTED_EDGE = QColor("#0b4f4a")
_BLOCKED_FILL = QColor(200, 200, 200, 140)
_BLOCKED_HATCH = QColor("#9b2c2c")
_CHECK_INK = QColor("#0b3d38")


class AreaMapCanvas(QWidget):
    """Draws one map at a time and handles the pointer and the keyboard on it.

    Usually used through AreaMapWidget, which adds the view switcher and a status line.
    """

    selectionChanged = Signal(list)  # the selected area ids, in catalogue order
    areaToggled = Signal(str, bool)  # area id, now selected
    blockedAreaClicked = Signal(str, str)  # area id, reason it cannot be treated
    statusChanged = Signal(str)  # one line describing what is under the pointer or focus
    viewChanged = Signal(str)

    def __init__(self, views: Sequence[str], parent: QWidget) -> None:
        super().__init__(parent)
        if not views:
            raise ValueError("an area map needs at least one view")
        self._maps = {view: maps.load(view) for view in views}
        self._view = views[0]
        self._order = catalogue_order(self._maps)
        self._view_of = {a: v for v, m in self._maps.items() for a in m.areas}
        self._labels = {a: area_label(a, self._maps[v]) for a, v in self._view_of.items()}
        self._base_paths = {a: area_path(self._maps[v].area(a)) for a, v in self._view_of.items()}
        # Areas drawn as two shapes (left and right): one area, named, lit and toggled as one.
        self._pairs = frozenset(
            a for a, v in self._view_of.items() if self._maps[v].area(a).is_pair
        )
        self._selected: set[str] = set()
        self._blocked: dict[str, str] = {}
        self._hovered: str | None = None
        self._focused: str | None = None
        self._pressed: str | None = None
        self._scale = 1.0
        self._decorations: dict[int, Decoration] = {}  # by index in the file
        self._geometry: dict[str, AreaGeometry] = {}
        self._paint_order: list[str | int] = []  # area ids and decoration indexes, file order
        self._laid_out: tuple[str, QSize] | None = None  # what the geometry was made for
        self._transform = QTransform()  # map coordinates to widget coordinates, this layout
        self._check_size = 11.0
        self._anchor_timer = QTimer(self)
        self._anchor_timer.setSingleShot(True)
        self._anchor_timer.setInterval(0)
        self._anchor_timer.timeout.connect(self._work_out_next_anchor)
        self._anchor_timer.start()
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 220)
        self.setAccessibleDescription(
            "Tab or the arrow keys move between areas; Space or Enter selects or clears one."
        )
        self._update_accessible_name()

    # ------------------------------------------------------------------ public API

    def views(self) -> tuple[str, ...]:
        return tuple(self._maps)

    def current_view(self) -> str:
        return self._view

    def map_title(self, view: str) -> str:
        return self._maps[view].title

    def show_view(self, view: str) -> None:
        if view not in self._maps:
            raise ValueError(f"this area map does not show the {view!r} view")
        if view == self._view:
            return
        self._view = view
        self._hovered = self._pressed = None
        self._focused = None
        self._relayout()
        self.viewChanged.emit(view)
        self._announce()

    def areas(self, view: str | None = None) -> tuple[str, ...]:
        """The area ids on `view` (all shown views when None), in catalogue order."""
        return tuple(a for a in self._order if view is None or self._view_of[a] == view)

    def label(self, area_id: str) -> str:
        return self._labels[self._known(area_id)]

    def selected(self) -> tuple[str, ...]:
        return tuple(a for a in self._order if a in self._selected)

    def set_selected(self, area_ids: Iterable[str]) -> None:
        """Select exactly these areas; blocked ones are left out (they cannot be chosen)."""
        wanted = {self._known(a) for a in area_ids} - set(self._blocked)
        self._apply_selection(wanted)

    def blocked(self) -> dict[str, str]:
        return dict(self._blocked)

    def set_blocked(self, reasons: Mapping[str, str]) -> None:
        """Mark areas the screening rules out, {area id: reason}; they are deselected.

        Catalogue areas on maps this picker does not show are ignored, so a face-only
        picker can take the whole screening result.
        """
        known = set(catalogue().areas) | set(self._view_of)
        unknown = sorted(a for a in reasons if a not in known)
        if unknown:
            raise ValueError(f"area {unknown[0]!r} is not in the catalogue")
        self._blocked = {a: reason for a, reason in reasons.items() if a in self._view_of}
        self._apply_selection(self._selected - set(self._blocked))
        self.update()
        self._announce()

    def toggle(self, area_id: str) -> bool:
        """Toggle one area as a click would; False (and an explanation) if it is blocked."""
        area_id = self._known(area_id)
        if area_id in self._blocked:
            message = f"{self._labels[area_id]} cannot be selected: {self._blocked[area_id]}"
            self.statusChanged.emit(message)
            self.blockedAreaClicked.emit(area_id, self._blocked[area_id])
            return False
        self._apply_selection(self._selected ^ {area_id})
        return True

    def focused_area(self) -> str | None:
        return self._focused

    def hovered_area(self) -> str | None:
        return self._hovered

    def area_at(self, point: QPointF) -> str | None:
        """The area of the current view under `point` (widget coordinates), if any."""
        self._ensure_layout()
        for area_id, geometry in self._geometry.items():
            if geometry.path.contains(point):
                return area_id
        return None

    def area_path(self, area_id: str) -> QPainterPath:
        """The outline of `area_id` on the current view, in widget coordinates."""
        return QPainterPath(self._current(area_id).path)

    def area_position(self, area_id: str) -> QPointF:
        """A point inside `area_id` on the current view, in widget coordinates.

        Worked out now if the worker has not delivered it yet (a test, a script).
        """
        self._current(area_id)  # on the current view, laid out
        if known_anchor_points(self._view, area_id) is None:
            anchor_points(self._view, area_id)
            self._place(area_id)
        return QPointF(self._geometry[area_id].anchor)

    def status_text(self) -> str:
        return self._describe(self._subject())

    def sizeHint(self) -> QSize:
        return QSize(360, 440)

    # ------------------------------------------------------------------ geometry

    def _known(self, area_id: str) -> str:
        if area_id not in self._view_of:
            shown = ", ".join(self._maps)
            raise ValueError(f"area {area_id!r} is not on the maps shown here ({shown})")
        return area_id

    def _current(self, area_id: str) -> AreaGeometry:
        self._ensure_layout()
        geometry = self._geometry.get(self._known(area_id))
        if geometry is None:
            raise ValueError(f"{area_id!r} is not on the {self._view} view being shown")
        return geometry

    def _ensure_layout(self) -> None:
        """Lay out now if the size changed without a resize event yet (a hidden widget)."""
        if self._laid_out != (self._view, self.size()):
            self._relayout()

    def _relayout(self) -> None:
        """Scale the current view's paths to the widget; the only place geometry is made."""
        self._laid_out = (self._view, self.size())
        area_map = self._maps[self._view]
        transform = self._transform = self._fit(area_map.view_box)
        self._decorations = {
            index: decoration(shape, transform, self._scale)
            for index, shape in enumerate(area_map.shapes)
            if not shape.area
        }
        self._check_size = max(9.0, min(18.0, 11.0 * self._scale))
        self._geometry = {}
        for area_id in area_map.areas:
            self._place(area_id)
        self._paint_order = [
            shape.area if shape.area else index for index, shape in enumerate(area_map.shapes)
        ]
        self.update()

    def _place(self, area_id: str) -> None:
        """One area's outline, ticks and anchor for the current layout."""
        path = self._transform.map(self._base_paths[area_id])
        points = known_anchor_points(self._view, area_id)
        anchors = [self._transform.map(QPointF(*point)) for point in points or ()]
        self._geometry[area_id] = AreaGeometry(
            path,
            check_marks(anchors, self._check_size),
            # Keyboard moves need only a rough centre until the real point is known.
            anchors[0] if anchors else path.boundingRect().center(),
        )

    def _fit(self, box: maps.ViewBox) -> QTransform:
        width = max(1, self.width() - 2 * MARGIN)
        height = max(1, self.height() - 2 * MARGIN)
        self._scale = min(width / box.width, height / box.height)
        dx = (self.width() - box.width * self._scale) / 2 - box.x * self._scale
        dy = (self.height() - box.height * self._scale) / 2 - box.y * self._scale
        return QTransform(self._scale, 0, 0, self._scale, dx, dy)

    @Slot()
    def _work_out_next_anchor(self) -> None:
        """One area's tick points per idle moment, so no moment is long; the view shown first."""
        views = (self._view, *(view for view in self._maps if view != self._view))
        missing = next_missing_anchor(views)
        if missing is None:
            return
        view, area_id = missing
        anchor_points(view, area_id)
        if view == self._view and self._laid_out is not None:
            self._place(area_id)
            self.update()
        self._anchor_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for item in self._paint_order:
            if isinstance(item, int):
                decoration = self._decorations[item]
                painter.setPen(decoration.pen)
                painter.setBrush(decoration.brush)
                painter.drawPath(decoration.path)
            else:
                self._paint_area(painter, item)
        self._paint_focus(painter)
        painter.end()

    def _paint_area(self, painter: QPainter, area_id: str) -> None:
        geometry = self._geometry[area_id]
        hovered = area_id == self._hovered
        if area_id in self._blocked:
            painter.setPen(QPen(_BLOCKED_HATCH, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(_BLOCKED_FILL)
            painter.drawPath(geometry.path)
            painter.setBrush(QBrush(_BLOCKED_HATCH, Qt.BrushStyle.BDiagPattern))
            painter.drawPath(geometry.path)
        elif area_id in self._selected:
            painter.setPen(QPen(_SELECTED_EDGE, 3.0 if hovered else 2.4))
            painter.setBrush(_SELECTED_FILL)
            painter.drawPath(geometry.path)
            self._paint_checks(painter, geometry.checks)
        else:
            painter.setPen(QPen(_AREA_EDGE, 2.2 if hovered else 1.2))
            painter.setBrush(_HOVER_FILL if hovered else _AREA_FILL)
            painter.drawPath(geometry.path)

    @staticmethod
    def _paint_checks(painter: QPainter, checks: QPainterPath) -> None:
        """A dark-edged white tick: readable on any fill, and not a matter of colour."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        round_caps = (Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(QPen(QBrush(_CHECK_INK), 5.0, *round_caps))
        painter.drawPath(checks)
        painter.setPen(QPen(QBrush(Qt.GlobalColor.white), 2.4, *round_caps))
        painter.drawPath(checks)

    def _paint_focus(self, painter: QPainter) -> None:
        if not self.hasFocus() or self._focused not in self._geometry:
            return
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QBrush(Qt.GlobalColor.white), 5.0))
        painter.drawPath(self._geometry[self._focused].path)
        painter.setPen(QPen(QBrush(colour), 3.0, Qt.PenStyle.DashLine))
        painter.drawPath(self._geometry[self._focused].path)

    # ------------------------------------------------------------------ pointer

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._set_hovered(self.area_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = self.area_at(event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        area_id = self.area_at(event.position())
        pressed, self._pressed = self._pressed, None
        if area_id is None or area_id != pressed:
            return
        self._focused = area_id
        if not self.toggle(area_id):
            QToolTip.showText(event.globalPosition().toPoint(), self._describe(area_id), self)
        event.accept()

    def _set_hovered(self, area_id: str | None) -> None:
        if area_id == self._hovered:
            return
        self._hovered = area_id
        self.setToolTip(self._describe(area_id) if area_id else "")
        self.update()
        self._announce()

    # ------------------------------------------------------------------ keyboard

    def focusInEvent(self, event: QFocusEvent) -> None:
        areas = self.areas(self._view)
        if self._focused is None and areas:
            backwards = event.reason() == Qt.FocusReason.BacktabFocusReason
            self._focused = areas[-1] if backwards else areas[0]
        self._announce()
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()
        self._announce()

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab walks through the areas; past the last (or first) it leaves the map."""
        areas = self.areas(self._view)
        if self.hasFocus() and self._focused in areas:
            index = areas.index(self._focused) + (1 if next else -1)
            if 0 <= index < len(areas):
                self._move_focus(areas[index])
                return True
            self._focused = None
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._focused is not None:
                self.toggle(self._focused)
                self._announce()
            event.accept()
            return
        step = _ARROW_STEPS.get(key)
        if step is not None:
            self._move_focus(self._neighbour(step))
            event.accept()
            return
        super().keyPressEvent(event)

    def _neighbour(self, step: tuple[int, int]) -> str | None:
        """The nearest area in the arrow's direction, favouring ones straight ahead."""
        areas = self.areas(self._view)
        if self._focused not in self._geometry:
            return areas[0] if areas else None
        origin = self._geometry[self._focused].anchor
        best, best_score = self._focused, float("inf")
        for area_id in areas:
            offset = self._geometry[area_id].anchor - origin
            ahead = offset.x() * step[0] + offset.y() * step[1]
            aside = abs(offset.x() * step[1]) + abs(offset.y() * step[0])
            if ahead > 1 and ahead + 2 * aside < best_score:
                best, best_score = area_id, ahead + 2 * aside
        return best

    def _move_focus(self, area_id: str | None) -> None:
        if area_id is None or area_id == self._focused:
            return
        self._focused = area_id
        self.update()
        self._announce()

    # ------------------------------------------------------------------ state and words

    def _apply_selection(self, wanted: set[str]) -> None:
        changed = wanted ^ self._selected
        if not changed:
            return
        self._selected = set(wanted)
        self.update()
        for area_id in (a for a in self._order if a in changed):
            self.areaToggled.emit(area_id, area_id in self._selected)
        self.selectionChanged.emit(list(self.selected()))
        self._announce()

    def _describe(self, area_id: str | None) -> str:
        if area_id is None:
            chosen = [self._labels[a] for a in self.selected()]
            if not chosen:
                return "Click or tap an area to select it."
            return f"Selected ({len(chosen)}): " + ", ".join(chosen)
        label = self._labels[area_id]
        if area_id in self._blocked:
            return f"{label}: cannot be treated ({self._blocked[area_id]})"
        selected = area_id in self._selected
        state = "selected" if selected else "not selected"
        if area_id in self._pairs:
            # Said before the click, so a click on the other side is never a surprise.
            does = "clears" if selected else "selects"
            return f"{label}: {state} (a click on either side {does} both)"
        return f"{label}: {state}"

    def is_pair(self, area_id: str) -> bool:
        return self._known(area_id) in self._pairs

    def _subject(self) -> str | None:
        """The area the status line is about: under the pointer, else under keyboard focus."""
        return self._hovered or (self._focused if self.hasFocus() else None)

    def _announce(self) -> None:
        self.statusChanged.emit(self.status_text())
        self._update_accessible_name()
        if self._hovered is not None:
            # Still over the same area after a click: its tip must say what it is now.
            self.setToolTip(self._describe(self._hovered))

    def _update_accessible_name(self) -> None:
        title = self._maps[self._view].title
        if self._focused is None:
            self.setAccessibleName(f"Treatment area map, {title}")
        else:
            self.setAccessibleName(f"{title}, {self._describe(self._focused)}")


_ARROW_STEPS: dict[int, tuple[int, int]] = {  # Qt.Key members (int-valued) to steps
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}
