"""Turning consult.clinical.maps shapes into what Qt paints: paths, pens, brushes and ticks.

Pure conversions with no widget state, so the canvas only decides *when* to build
them (on resize or a change of view), never *how*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QTransform

from consult.clinical import maps
from consult.clinical.catalogue import catalogue


@dataclass(frozen=True)
class Decoration:
    path: QPainterPath
    pen: QPen
    brush: QBrush


@dataclass(frozen=True)
class AreaGeometry:
    """One area in widget coordinates: its outline, its check marks, a point inside it."""

    path: QPainterPath
    checks: QPainterPath
    anchor: QPointF


def catalogue_order(shown: Mapping[str, maps.AreaMap]) -> tuple[str, ...]:
    on_maps = [a for area_map in shown.values() for a in area_map.areas]
    ordered = [a for a in catalogue().areas if a in on_maps]
    return tuple(ordered + [a for a in on_maps if a not in ordered])


PAIR_SUFFIX = ", both sides"


def area_label(area_id: str, area_map: maps.AreaMap) -> str:
    """The area's name; a pair drawn as two shapes is named as one ("Cheeks, both sides")."""
    known = catalogue().areas.get(area_id)
    label = known.label if known else area_map.area(area_id).title
    return label + PAIR_SUFFIX if area_map.area(area_id).is_pair else label


def _painter_path(shape: maps.Shape) -> QPainterPath:
    path = QPainterPath()
    for segment in shape.segments:
        points = [QPointF(x, y) for x, y in segment.points]
        if segment.op == "M":
            path.moveTo(points[0])
        elif segment.op == "L":
            path.lineTo(points[0])
        elif segment.op == "C":
            path.cubicTo(*points)
        else:
            path.closeSubpath()
    return path


def area_path(shape: maps.Shape) -> QPainterPath:
    """Areas fill even-odd, so a ring's inner subpath stays a hole (the eye, the lips)."""
    path = _painter_path(shape)
    path.setFillRule(Qt.FillRule.OddEvenFill)
    return path


# Where the ticks go, by (view, area id), in map coordinates. Finding the point deepest
# inside each piece takes up to ~30 ms an area in pure Python, so it is done once per
# process, one area per idle moment (see AreaMapCanvas), and only looked up when painting.
# Not on a worker: pure Python there holds the GIL the window needs for every event.
_ANCHORS: dict[tuple[str, str], tuple[maps.Point, ...]] = {}


def known_anchor_points(view: str, area_id: str) -> tuple[maps.Point, ...] | None:
    """The cached tick points of an area, or None while they are still to be worked out."""
    return _ANCHORS.get((view, area_id))


def anchor_points(view: str, area_id: str) -> tuple[maps.Point, ...]:
    """The tick points of one area: one point well inside each piece, found once."""
    found = _ANCHORS.get((view, area_id))
    if found is None:
        found = _ANCHORS[(view, area_id)] = maps.load(view).area(area_id).label_points()
    return found


def next_missing_anchor(views: Iterable[str]) -> tuple[str, str] | None:
    """The first (view, area id) on `views` whose tick points are not worked out yet."""
    for view in views:
        for area_id in maps.load(view).areas:
            if (view, area_id) not in _ANCHORS:
                return view, area_id
    return None


def check_marks(anchors: list[QPointF], size: float) -> QPainterPath:
    path = QPainterPath()
    for centre in anchors:
        path.moveTo(centre + QPointF(-size * 0.5, 0))
        path.lineTo(centre + QPointF(-size * 0.15, size * 0.38))
        path.lineTo(centre + QPointF(size * 0.55, -size * 0.42))
    return path


def decoration(shape: maps.Shape, transform: QTransform, scale: float) -> Decoration:
    """A decoration path with the pen and brush its SVG attributes ask for."""
    style = shape.style
    path = transform.map(_painter_path(shape))
    evenodd = style.get("fill-rule") == "evenodd"
    path.setFillRule(Qt.FillRule.OddEvenFill if evenodd else Qt.FillRule.WindingFill)
    opacity = float(style.get("opacity", "1"))
    fill = _colour(style.get("fill", "black"), opacity * float(style.get("fill-opacity", "1")))
    stroke = _colour(style.get("stroke", "none"), opacity * float(style.get("stroke-opacity", "1")))
    brush = QBrush(fill) if fill is not None else QBrush(Qt.BrushStyle.NoBrush)
    if stroke is None:
        pen = QPen(Qt.PenStyle.NoPen)
    else:
        pen = QPen(stroke, max(0.8, float(style.get("stroke-width", "1")) * scale))
        pen.setCapStyle(_CAPS.get(style.get("stroke-linecap", ""), Qt.PenCapStyle.FlatCap))
        pen.setJoinStyle(_JOINS.get(style.get("stroke-linejoin", ""), Qt.PenJoinStyle.MiterJoin))
    return Decoration(path, pen, brush)


def _colour(value: str, alpha: float) -> QColor | None:
    if value in ("none", "transparent"):
        return None
    colour = QColor(value)
    if not colour.isValid():
        return None
    colour.setAlphaF(max(0.0, min(1.0, alpha)))
    return colour


_CAPS = {"round": Qt.PenCapStyle.RoundCap, "square": Qt.PenCapStyle.SquareCap}
_JOINS = {"round": Qt.PenJoinStyle.RoundJoin, "bevel": Qt.PenJoinStyle.BevelJoin}
