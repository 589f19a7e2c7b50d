"""The shipped SVG maps keep their contract and agree with the catalogue."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from consult import data
from consult.clinical import maps
from consult.clinical.catalogue import catalogue

PAIRED = {"cheeks", "jawline", "arms", "hands", "hips", "thighs", "buttocks", "legs"}
RINGS = {"periorbital": 2, "perioral": 1}  # area -> how many rings (outer + hole each)


def test_every_catalogue_area_is_on_the_map_its_view_names_and_only_there():
    for area in catalogue().areas.values():
        on = [view for view in maps.VIEWS if area.id in maps.load(view).areas]
        assert on == [area.view], area.id


def test_every_map_area_is_a_catalogue_area_titled_with_its_label():
    for view in maps.VIEWS:
        for area_id, shape in maps.load(view).areas.items():
            assert catalogue().area(area_id).view == view
            assert shape.title == catalogue().area(area_id).label


@pytest.mark.parametrize("view", maps.VIEWS)
def test_area_path_data_uses_only_the_allowed_commands(view):
    text = re.sub(r"<!--.*?-->", "", data.read_text(f"maps/{view}.svg"), flags=re.DOTALL)
    for d in re.findall(r'data-area="[^"]+" d="([^"]+)"', text):
        assert set(re.findall(r"[A-Za-z]", d)) <= set("MLHVCQZmlhvcqz")
    assert not re.search(r"<(circle|ellipse|rect)\b", text)
    assert "transform=" not in text


@pytest.mark.parametrize("area_id", sorted(PAIRED))
def test_paired_parts_are_one_path_with_a_left_and_a_right_piece(area_id):
    shape = _shape(area_id)
    left, right = sorted(shape.polygons(), key=lambda polygon: polygon[0][0])
    view_box = _map_of(area_id).view_box
    middle = view_box.x + view_box.width / 2
    assert max(x for x, _ in left) < middle < min(x for x, _ in right)


@pytest.mark.parametrize(("area_id", "rings"), sorted(RINGS.items()))
def test_rings_leave_their_middle_empty(area_id, rings):
    shape = _shape(area_id)
    assert len(shape.subpaths()) == 2 * rings
    for hole in _holes(shape):
        cx, cy = _centre(hole)
        assert not shape.contains(cx, cy)
        # ... while the band around the hole is part of the area.
        top = min(y for _, y in hole)
        assert shape.contains(cx, top - 4)


@pytest.mark.parametrize("view", maps.VIEWS)
def test_every_piece_of_every_area_has_a_label_point_inside_it(view):
    for area_id, shape in maps.load(view).areas.items():
        points = shape.label_points()
        rings = RINGS.get(area_id, 0)
        expected = 2 if area_id in PAIRED else rings or 1
        assert len(points) == expected, area_id
        assert all(shape.contains(x, y) for x, y in points), area_id


def test_a_ring_gets_its_label_on_the_band_not_in_the_hole():
    around_the_mouth = maps.load("face").area("perioral")
    (point,) = around_the_mouth.label_points()
    assert around_the_mouth.contains(*point)
    assert [a for a, s in maps.load("face").areas.items() if s.contains(*point)] == ["perioral"]


def test_the_stored_label_points_are_what_the_search_finds_for_every_shipped_area():
    """resources/maps/label_points.json is current: run scripts/map_label_points.py if not."""
    stored = data.read_json(maps.LABEL_POINTS)
    searched = {
        maps.path_key(shape.d): [[x, y] for x, y in shape.search_label_points()]
        for view in maps.VIEWS
        for shape in maps.load(view).areas.values()
    }
    assert stored == searched


def test_an_edited_path_is_searched_instead_of_looked_up():
    cheeks = maps.load("face").area("cheeks")
    moved = cheeks.d.replace("M", "M ", 1)  # the same shape, other text: not in the table
    assert maps.path_key(moved) not in data.read_json(maps.LABEL_POINTS)
    edited = maps.Shape(moved, maps.parse_path(moved), area="cheeks")
    assert edited.label_points() == cheeks.label_points()
    assert all(edited.contains(x, y) for x, y in edited.label_points())


def test_the_eyes_and_the_lips_are_not_inside_any_area():
    face = maps.load("face")
    for point in [(141, 211), (259, 211), (200, 362)]:
        assert [a for a, s in face.areas.items() if s.contains(*point)] == []


@pytest.mark.parametrize("view", maps.VIEWS)
def test_areas_do_not_overlap_and_stay_inside_the_drawing(view):
    area_map = maps.load(view)
    box = area_map.view_box
    for shape in area_map.areas.values():
        left, top, right, bottom = shape.bounds()
        assert box.x <= left and right <= box.x + box.width
        assert box.y <= top and bottom <= box.y + box.height
    grid = [
        (box.x + i * box.width / 80, box.y + j * box.height / 80)
        for i in range(81)
        for j in range(81)
    ]
    covered = {
        area_id: {p for p in grid if shape.contains(*p)}
        for area_id, shape in area_map.areas.items()
    }
    for (name_a, a), (name_b, b) in combinations(covered.items(), 2):
        assert a and b
        assert a & b == set(), f"{name_a} and {name_b} overlap at {sorted(a & b)[:3]}"


@pytest.mark.parametrize("view", maps.VIEWS)
def test_every_area_has_room_to_be_tapped(view):
    for area_id, shape in maps.load(view).areas.items():
        left, top, right, bottom = shape.bounds()
        assert right - left >= 20 and bottom - top >= 15, area_id


# --------------------------------------------------------------------------- the parser


def test_path_data_is_made_absolute_and_reduced_to_move_line_curve_close():
    segments = maps.parse_path("m10,10 h5 v5 l-5,0 q5,5 10,0 c1,1 2,2 3,3 z M0 0 20 0 20-5Z")
    assert [s.op for s in segments] == ["M", "L", "L", "L", "C", "C", "Z", "M", "L", "L", "Z"]
    assert segments[1].points == ((15.0, 10.0),)
    assert segments[2].points == ((15.0, 15.0),)
    assert segments[3].points == ((10.0, 15.0),)
    # The quadratic from (10,15) via (15,20) to (20,15) as its exact cubic.
    first, second, end = segments[4].points
    assert end == (20.0, 15.0)
    assert first == pytest.approx((10 + 2 / 3 * 5, 15 + 2 / 3 * 5))
    assert second == pytest.approx((20 - 2 / 3 * 5, 15 + 2 / 3 * 5))
    assert segments[5].points[-1] == (23.0, 18.0)
    assert segments[9].points == ((20.0, -5.0),)


def test_a_closed_subpath_returns_the_pen_to_its_start():
    segments = maps.parse_path("M10,10 L20,10 L20,20 Z l5,0")
    assert segments[-1].points == ((15.0, 10.0),)


@pytest.mark.parametrize(
    ("d", "problem"),
    [
        ("M0,0 A5,5 0 0 1 10,10 Z", "command 'A' is not allowed"),
        ("M0,0 S5,5 10,10", "command 'S' is not allowed"),
        ("M0,0 C1,1 2,2", "command C needs 6 numbers"),
        ("10,10 L20,20", "expected a path command"),
        ("M0,0 L1,#", "command L needs 2 numbers"),
    ],
)
def test_bad_path_data_is_reported_with_the_area_and_the_problem(d, problem):
    svg = _svg(f'<path data-area="chin" d="{d}"><title>Chin</title></path>')
    with pytest.raises(maps.MapError) as caught:
        maps.parse_map("face", svg, source="maps/face.svg")
    assert str(caught.value).startswith("maps/face.svg: area 'chin': ")
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('<circle data-area="chin" cx="1" cy="1" r="1"/>', "<circle> is not allowed"),
        ('<path data-area="chin" d="M0,0 L1,1 Z" transform="scale(2)"><title>C</title></path>',
         "transforms are not allowed"),
        ('<path d="M0,0 L1,1 Z" style="fill:red"/>', "not CSS"),
        ('<path data-area="chin" d="M0,0 L1,1 L0,1 Z"/>', "needs a <title>"),
        ('<path data-area="chin" d="M0,0 L9,0 L0,9 Z"><title>Chin</title></path>'
         '<path data-area="chin" d="M20,0 L29,0 L20,9 Z"><title>Chin</title></path>',
         "drawn twice"),
        ('<path data-area="chin" d=""><title>Chin</title></path>', "has no data"),
        ('<path d="Z"/>', "has no data"),
    ],
)
def test_contract_breaches_are_reported(body, problem):
    with pytest.raises(maps.MapError, match=re.escape(problem)):
        maps.parse_map("face", _svg(body), source="maps/face.svg")


def test_a_map_needs_a_view_box_and_must_be_svg():
    with pytest.raises(maps.MapError, match="needs a viewBox"):
        maps.parse_map("face", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    with pytest.raises(maps.MapError, match="not a readable SVG"):
        maps.parse_map("face", "<svg")
    with pytest.raises(maps.MapError, match="must be <svg>"):
        maps.parse_map("face", "<html/>")


def test_decorations_keep_their_presentation_attributes():
    svg = _svg('<path d="M0,0 L5,5" fill="none" stroke="#8c6d5c" stroke-width="2" id="x"/>')
    (shape,) = maps.parse_map("face", svg).shapes
    assert shape.area is None
    assert shape.style == {"fill": "none", "stroke": "#8c6d5c", "stroke-width": "2"}


def test_an_unknown_map_or_area_is_named():
    with pytest.raises(maps.MapError, match="no map called 'feet'"):
        maps.load("feet")
    with pytest.raises(maps.MapError, match="no area 'nose'"):
        maps.load("body_back").area("nose")


# --------------------------------------------------------------------------- helpers


def _svg(body: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{body}</svg>'


def _map_of(area_id: str) -> maps.AreaMap:
    return maps.load(catalogue().area(area_id).view)


def _shape(area_id: str) -> maps.Shape:
    return _map_of(area_id).area(area_id)


def _centre(polygon):
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _holes(shape: maps.Shape):
    """The subpaths that lie inside another subpath of the same shape."""
    polygons = shape.polygons()
    return [
        inner
        for inner in polygons
        if any(inner is not outer and _encloses(outer, inner) for outer in polygons)
    ]


def _encloses(outer, inner) -> bool:
    left, top = min(x for x, _ in outer), min(y for _, y in outer)
    right, bottom = max(x for x, _ in outer), max(y for _, y in outer)
    return all(left < x < right and top < y < bottom for x, y in inner)
