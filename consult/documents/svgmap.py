"""The area maps drawn as reportlab vector graphics for the treatment plan.

The maps are the same SVG files the app shows (resources/maps, parsed by consult.clinical.maps),
so the plan and the screen never disagree. Decoration keeps the colours written in the
file. Chosen areas are filled, outlined in dark ink and numbered (the number matches
the plan's table), so the map does not rely on colour alone; the other areas are light
grey.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from reportlab.graphics.shapes import (  # type: ignore[attr-defined]  # FILL_*: not in stubs
    FILL_EVEN_ODD,
    FILL_NON_ZERO,
    Circle,
    Drawing,
    Group,
    Path,
    String,
)
from reportlab.lib import colors

from consult.clinical import maps
from consult.documents import fonts

CHOSEN_FILL = colors.HexColor("#8fd0c9")
CHOSEN_STROKE = colors.HexColor("#0b4f4a")
OTHER_FILL = colors.HexColor("#eceff2")
OTHER_STROKE = colors.HexColor("#a9b3bd")
_LINE_CAPS: dict[str, Literal[0, 1, 2]] = {"butt": 0, "round": 1, "square": 2}
_LINE_JOINS: dict[str, Literal[0, 1, 2]] = {"miter": 0, "round": 1, "bevel": 2}

Point = tuple[float, float]
Matrix = tuple[float, float, float, float]  # scale_x, scale_y, offset_x, offset_y


def draw_map(
    area_map: maps.AreaMap, numbers: Mapping[str, int], width: float, height: float
) -> Drawing:
    """The map scaled into `width` × `height` points; areas in `numbers` are highlighted."""
    fonts.register()
    box = area_map.view_box
    scale = min(width / box.width, height / box.height)
    drawing = Drawing(box.width * scale, box.height * scale)
    # SVG's y axis points down, PDF's up: flip while scaling.
    to_page: Matrix = (scale, -scale, -box.x * scale, (box.y + box.height) * scale)
    labels = Group()
    for shape in area_map.shapes:
        path = _vector(shape, to_page)
        if shape.area is None:
            _style_decoration(path, shape.style, scale)
        elif shape.area in numbers:
            _style_area(path, chosen=True)
            for centre in _label_points(shape, to_page):
                labels.add(_label(numbers[shape.area], centre))
        else:
            _style_area(path, chosen=False)
        drawing.add(path)
    drawing.add(labels)  # last, so no decoration covers a number
    return drawing


def _apply(matrix: Matrix, point: Point) -> Point:
    sx, sy, ox, oy = matrix
    return (point[0] * sx + ox, point[1] * sy + oy)


def _vector(shape: maps.Shape, to_page: Matrix) -> Path:
    points, operators = _page_outline(shape.d, to_page)
    return Path(list(points), list(operators))


# Every plan draws the same few maps at the same few sizes: the scaled outlines and the
# label points are worked out once per process, keyed by the path data itself, so a
# different (or edited) map never gets another map's geometry.
_OUTLINE_CACHE = 1024


@lru_cache(maxsize=_OUTLINE_CACHE)
def _page_outline(d: str, to_page: Matrix) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """The path data `d` as reportlab path points and operators, in page coordinates."""
    path = Path()
    for segment in maps.parse_path(d):
        points = [_apply(to_page, p) for p in segment.points]
        if segment.op == "M":
            path.moveTo(*points[0])
        elif segment.op == "L":
            path.lineTo(*points[0])
        elif segment.op == "C":
            path.curveTo(*points[0], *points[1], *points[2])
        else:
            path.closePath()
    # types-reportlab says the operators are floats; reportlab keeps int codes.
    return tuple(path.points), tuple(path.operators)  # type: ignore[arg-type]


def _style_area(path: Path, chosen: bool) -> None:
    # Even-odd keeps the hole of a ring-shaped area (around the eyes) empty.
    path.fillMode = FILL_EVEN_ODD
    if chosen:
        path.fillColor, path.strokeColor, path.strokeWidth = CHOSEN_FILL, CHOSEN_STROKE, 1.4
    else:
        path.fillColor, path.strokeColor, path.strokeWidth = OTHER_FILL, OTHER_STROKE, 0.5


def _style_decoration(path: Path, style: Mapping[str, str], scale: float) -> None:
    """The SVG presentation attributes of a decoration path, as reportlab properties."""
    opacity = _number(style.get("opacity"), 1.0)
    path.fillColor = _colour(style.get("fill", "black"))
    path.strokeColor = _colour(style.get("stroke", "none"))
    path.fillOpacity = opacity * _number(style.get("fill-opacity"), 1.0)
    path.strokeOpacity = opacity * _number(style.get("stroke-opacity"), 1.0)
    path.strokeWidth = _number(style.get("stroke-width"), 1.0) * scale
    path.strokeLineCap = _LINE_CAPS.get(style.get("stroke-linecap", ""), 0)
    path.strokeLineJoin = _LINE_JOINS.get(style.get("stroke-linejoin", ""), 0)
    path.fillMode = FILL_EVEN_ODD if style.get("fill-rule") == "evenodd" else FILL_NON_ZERO


def _colour(value: str) -> colors.Color | None:
    if value.strip().lower() in ("none", "transparent", ""):
        return None
    try:
        return colors.toColor(value.strip())
    except ValueError:
        return colors.black  # what a browser shows for a colour it cannot read


def _number(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value.strip().removesuffix("px"))
    except ValueError:
        return default


def _label_points(shape: maps.Shape, to_page: Matrix) -> list[Point]:
    """One label per separate piece (left and right cheek), deep inside it.

    Not the centre of each piece's bounding box: for a ring (around the eyes, around
    the mouth) that centre is the eye or the lips. `label_points` picks the point
    farthest from every edge, and a ring's hole gets none.
    """
    return [_apply(to_page, point) for point in _map_label_points(shape.d)]


@lru_cache(maxsize=_OUTLINE_CACHE)
def _map_label_points(d: str) -> tuple[Point, ...]:
    # The search for the deepest point is slow (a third of a second for the face map),
    # and depends on the path data only.
    return maps.Shape(d, maps.parse_path(d)).label_points()


def _label(number: int, centre: Point) -> Group:
    x, y = centre
    badge = Group()
    badge.add(Circle(x, y, 5.5, fillColor=colors.white, strokeColor=CHOSEN_STROKE, strokeWidth=0.9))
    badge.add(
        String(
            x,
            y - 2.6,
            str(number),
            fontName=fonts.BOLD,
            fontSize=7.5,
            fillColor=CHOSEN_STROKE,
            textAnchor="middle",
        )
    )
    return badge
