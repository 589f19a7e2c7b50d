"""The area maps drawn as reportlab vector graphics for the treatment plan.

The maps are the same SVG files the app shows (resources/maps, parsed by consult.maps),
so the plan and the screen never disagree. Decoration keeps the colours written in the
file. Chosen areas are filled, outlined in dark ink and numbered (the number matches
the plan's table), so the map does not rely on colour alone; the other areas are light
grey.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.graphics.shapes import (
    FILL_EVEN_ODD,
    FILL_NON_ZERO,
    Circle,
    Drawing,
    Group,
    Path,
    String,
)
from reportlab.lib import colors

from consult import maps
from consult.documents import fonts

CHOSEN_FILL = colors.HexColor("#8fd0c9")
CHOSEN_STROKE = colors.HexColor("#0b4f4a")
OTHER_FILL = colors.HexColor("#eceff2")
OTHER_STROKE = colors.HexColor("#a9b3bd")
_LINE_CAPS = {"butt": 0, "round": 1, "square": 2}
_LINE_JOINS = {"miter": 0, "round": 1, "bevel": 2}

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
    path = Path()
    for segment in shape.segments:
        points = [_apply(to_page, p) for p in segment.points]
        if segment.op == "M":
            path.moveTo(*points[0])
        elif segment.op == "L":
            path.lineTo(*points[0])
        elif segment.op == "C":
            path.curveTo(*points[0], *points[1], *points[2])
        else:
            path.closePath()
    return path


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
    """One label per separate piece (left and right cheek); a ring's hole gets none."""
    boxes = [_bounds(polygon) for polygon in shape.polygons()]
    outer = [
        box for box in boxes if not any(_inside(box, other) for other in boxes if other != box)
    ]
    return [
        _apply(to_page, ((left + right) / 2, (top + bottom) / 2))
        for left, top, right, bottom in outer
    ]


def _bounds(polygon: tuple[Point, ...]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(box: tuple[float, ...], other: tuple[float, ...]) -> bool:
    return other[0] <= box[0] and other[1] <= box[1] and box[2] <= other[2] and box[3] <= other[3]


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
