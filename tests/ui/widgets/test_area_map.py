"""The area picker driven as a practitioner would: pointer, keyboard, screening blocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from consult.clinical import maps
from consult.clinical.catalogue import catalogue
from ui.widgets.area_map import AreaMapWidget

# The offscreen platform used for tests says these when a window or a tooltip is shown.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def picker(qtbot) -> AreaMapWidget:
    widget = AreaMapWidget()
    qtbot.addWidget(widget)
    widget.resize(420, 560)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _hover(widget: QWidget, point: QPointF) -> None:
    """A plain pointer move, as the window system delivers it."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        point,
        widget.mapToGlobal(point),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def _cheek_centre(picker: AreaMapWidget) -> QPoint:
    """The middle of one cheek's outline (the cheeks are one path of two pieces)."""
    one_cheek = picker.canvas.area_path("cheeks").toSubpathPolygons()[0]
    return one_cheek.boundingRect().center().toPoint()


def test_clicking_the_centre_of_a_cheek_toggles_the_cheeks(qtbot, picker):
    centre = _cheek_centre(picker)
    with qtbot.waitSignal(picker.selectionChanged, timeout=30_000) as changed:
        qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert changed.args == [["cheeks"]]
    assert picker.selected() == ("cheeks",)
    assert picker.view_button("face").text().endswith("(1)")

    with qtbot.waitSignal(picker.areaToggled, timeout=30_000) as toggled:
        qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert toggled.args == ["cheeks", False]
    assert picker.selected() == ()


def test_clicking_between_areas_selects_nothing(qtbot, picker):
    with qtbot.assertNotEmitted(picker.selectionChanged):
        qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert picker.selected() == ()


def test_hovering_names_the_area_in_the_tooltip_and_the_status_line(qtbot, picker):
    picker.view_button("face").setFocus()
    qtbot.waitUntil(picker.view_button("face").hasFocus, timeout=30_000)
    _hover(picker.canvas, picker.canvas.area_position("perioral"))
    assert picker.canvas.hovered_area() == "perioral"
    assert picker.canvas.toolTip() == "Around the mouth: not selected"
    assert picker.status.text() == "Around the mouth: not selected"

    _hover(picker.canvas, QPointF(2, 2))
    assert picker.canvas.toolTip() == ""
    assert picker.status.text() == "Click or tap an area to select it."


def test_the_keyboard_walks_the_areas_and_toggles_them(qtbot, picker):
    canvas = picker.canvas
    canvas.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(canvas.hasFocus, timeout=30_000)
    assert canvas.focused_area() == "forehead"

    qtbot.keyClick(canvas, Qt.Key.Key_Tab)
    assert canvas.focused_area() == "periorbital"
    with qtbot.waitSignal(picker.areaToggled, timeout=30_000) as toggled:
        qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert toggled.args == ["periorbital", True]
    assert "Around the eyes (outside the orbital rim), both sides: selected" in (
        canvas.accessibleName()
    )

    qtbot.keyClick(canvas, Qt.Key.Key_Backtab)
    assert canvas.focused_area() == "forehead"
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.focused_area() == "nose"
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert picker.selected() == ("periorbital", "nose")
    assert picker.status.text() == "Nose: selected"


def test_tab_leaves_the_map_after_its_last_area(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    picker = AreaMapWidget(host, views=("body_back",))
    after = QLineEdit(host)
    layout = QVBoxLayout(host)
    layout.addWidget(picker)
    layout.addWidget(after)
    host.resize(400, 600)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    picker.canvas.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(picker.canvas.hasFocus, timeout=30_000)

    visited = [picker.canvas.focused_area()]
    for _ in range(3):
        qtbot.keyClick(picker.canvas, Qt.Key.Key_Tab)
        visited.append(picker.canvas.focused_area())
    assert visited == ["scalp", "back", "buttocks", "legs"]
    qtbot.keyClick(picker.canvas, Qt.Key.Key_Tab)
    qtbot.waitUntil(after.hasFocus, timeout=30_000)


def test_a_blocked_area_is_hatched_explained_and_cannot_be_selected(qtbot, picker):
    picker.set_selected(["cheeks", "chin"])
    with qtbot.waitSignal(picker.selectionChanged, timeout=30_000) as changed:
        picker.set_blocked({"cheeks": "active acne in the area"})
    assert changed.args == [["chin"]]  # screening takes a blocked area back out

    centre = _cheek_centre(picker)
    with qtbot.assertNotEmitted(picker.selectionChanged):
        with qtbot.waitSignal(picker.blockedAreaClicked, timeout=30_000) as refused:
            qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert refused.args == ["cheeks", "active acne in the area"]
    assert picker.selected() == ("chin",)
    assert picker.status.text() == "Cheeks, both sides cannot be selected: active acne in the area"

    _hover(picker.canvas, QPointF(centre))
    assert picker.canvas.toolTip() == (
        "Cheeks, both sides: cannot be treated (active acne in the area)"
    )

    picker.set_selected(["cheeks", "nose"])
    assert picker.selected() == ("nose",)


def test_a_blocked_area_is_drawn_hatched(picker):
    point = picker.canvas.area_position("nose").toPoint()
    plain = picker.canvas.grab().toImage()
    picker.set_blocked({"nose": "recent filler"})
    hatched = picker.canvas.grab().toImage()
    around = [point + QPoint(dx, dy) for dx in range(-6, 7) for dy in range(-6, 7)]
    assert {plain.pixelColor(p).name() for p in around} != {hatched.pixelColor(p).name()
                                                            for p in around}
    # A hatch is a pattern: the blocked area shows more than one colour up close.
    assert len({hatched.pixelColor(p).name() for p in around}) > 1


@pytest.mark.parametrize("view", maps.VIEWS)
def test_each_view_draws_every_catalogue_area_where_it_can_be_picked(qtbot, picker, view):
    picker.show_view(view)
    assert picker.view_button(view).isChecked()
    expected = [a.id for a in catalogue().areas.values() if a.view == view]
    assert picker.canvas.areas(view) == tuple(expected)
    for area_id in expected:
        point = picker.canvas.area_position(area_id)
        assert picker.canvas.area_at(point) == area_id
        before = picker.canvas.grab().toImage().pixelColor(point.toPoint())
        picker.set_selected([area_id])
        after = picker.canvas.grab().toImage().pixelColor(point.toPoint())
        assert before != after, area_id


def test_selection_is_reported_in_catalogue_order_across_views(qtbot, picker):
    with qtbot.waitSignal(picker.selectionChanged, timeout=30_000) as changed:
        picker.set_selected(["legs", "neck", "forehead"])
    assert changed.args == [["forehead", "neck", "legs"]]
    assert picker.view_button("body_back").text() == "Body, back view (1)"
    assert picker.view_button("body_back").accessibleName() == "Body, back view, 1 selected"


def test_the_switch_buttons_change_the_view(qtbot, picker):
    qtbot.mouseClick(picker.view_button("body_front"), Qt.MouseButton.LeftButton)
    assert picker.current_view() == "body_front"
    assert picker.canvas.area_at(picker.canvas.area_position("thighs")) == "thighs"
    with pytest.raises(ValueError, match="'cheeks' is not on the body_front view"):
        picker.canvas.area_position("cheeks")


def test_unknown_areas_are_refused_by_name(picker):
    with pytest.raises(ValueError, match="area 'elbows' is not on the maps shown here"):
        picker.set_selected(["elbows"])
    with pytest.raises(ValueError, match="area 'elbows' is not in the catalogue"):
        picker.set_blocked({"elbows": "no reason"})


def test_a_picker_can_show_a_single_map(qtbot):
    picker = AreaMapWidget(views=("face",))
    qtbot.addWidget(picker)
    assert picker.canvas.views() == ("face",)
    assert picker.view_button("face").isHidden()
    with pytest.raises(ValueError, match="'legs' is not on the maps shown here"):
        picker.set_selected(["legs"])
    picker.set_blocked({"legs": "varicose veins", "chin": "cold sore"})
    assert picker.blocked() == {"chin": "cold sore"}


def _other_cheek_centre(picker: AreaMapWidget) -> QPoint:
    other_cheek = picker.canvas.area_path("cheeks").toSubpathPolygons()[1]
    return other_cheek.boundingRect().center().toPoint()


def test_a_pair_is_named_lit_and_toggled_as_one(qtbot, picker):
    left, right = _cheek_centre(picker), _other_cheek_centre(picker)
    assert picker.canvas.area_at(QPointF(left)) == picker.canvas.area_at(QPointF(right)) == "cheeks"
    _hover(picker.canvas, QPointF(left))
    assert picker.canvas.hovered_area() == "cheeks"  # both halves are lit: one area
    # Before any click the user is told what a click on either side does.
    assert picker.status.text() == (
        "Cheeks, both sides: not selected (a click on either side selects both)"
    )
    qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=left)
    assert picker.selected() == ("cheeks",)
    _hover(picker.canvas, QPointF(right))
    assert picker.canvas.toolTip() == (
        "Cheeks, both sides: selected (a click on either side clears both)"
    )
    qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=right)
    assert picker.selected() == ()
    qtbot.mouseClick(picker.canvas, Qt.MouseButton.LeftButton, pos=right)
    assert picker.selected() == ("cheeks",)
    assert picker.canvas.label("cheeks") == "Cheeks, both sides"
    assert picker.canvas.label("nose") == "Nose"


def test_every_paired_area_of_the_catalogue_is_named_as_a_pair():
    pairs = {
        area for view in maps.VIEWS for area, shape in maps.load(view).areas.items()
        if shape.is_pair
    }
    assert {"cheeks", "periorbital", "arms", "hands", "hips", "buttocks", "thighs",
            "legs"} <= pairs
    assert not pairs & {"nose", "forehead", "chin", "perioral", "neck", "back"}
