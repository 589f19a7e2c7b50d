"""The treatment-area maps (resources/maps/<view>.svg), read without Qt.

One parser for everyone who draws a map: the app's area picker turns the shapes into
QPainterPaths, anything else can turn them into its own vector paths. The files
follow a small contract (written at the top of each SVG) so a clinic's medical lead
can edit them in a text editor or a drawing program:

* the root `<svg>` has a `viewBox`;
* an area is a `<path data-area="<area id>" d="…"><title>Label</title></path>`,
  one per area; paired parts (both cheeks) are one path with two subpaths;
* `d` uses only M, L, H, V, C, Q and Z (absolute or relative);
* everything else is decoration: paths without `data-area`, styled by attributes.

A file that breaks the contract raises `MapError` naming the file and the path, so
the mistake is found when the map is loaded, not as a wrongly drawn picture.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property

from consult import data
from consult.errors import ConsultError

VIEWS = ("face", "body_front", "body_back")
"""Every map the product ships, in the order a consultation shows them."""

SVG_NS = "{http://www.w3.org/2000/svg}"

# Presentation attributes a decoration may carry; anything else is ignored.
STYLE_ATTRIBUTES = (
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
)
# Elements that would draw something the contract does not allow.
_FORBIDDEN_ELEMENTS = frozenset(
    {"circle", "ellipse", "rect", "polygon", "polyline", "line", "style", "use", "image", "text"}
)

_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[^\s,]")
_ARGUMENT_COUNT = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0}

Point = tuple[float, float]


class MapError(ConsultError):
    """A map file that breaks the map contract; the message names the file and the path."""


@dataclass(frozen=True)
class ViewBox:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Segment:
    """One step of a path in absolute map coordinates.

    `op` is "M" (move to points[0]), "L" (line to points[0]), "C" (cubic curve with
    control points points[0], points[1] ending at points[2]) or "Z" (close the
    subpath; no points). H and V become L, Q becomes the equivalent C, and relative
    commands are made absolute, so a consumer needs only these four.
    """

    op: str
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Shape:
    """One `<path>` of a map: an area when `area` is set, decoration otherwise."""

    d: str
    segments: tuple[Segment, ...]
    area: str | None = None
    title: str = ""
    style: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def subpaths(self) -> tuple[tuple[Segment, ...], ...]:
        """The segments split at each move: the separate pieces (left and right cheek…)."""
        pieces: list[list[Segment]] = []
        for segment in self.segments:
            if segment.op == "M" or not pieces:
                pieces.append([])
            pieces[-1].append(segment)
        return tuple(tuple(piece) for piece in pieces)

    def polygons(self, steps: int = 16) -> tuple[tuple[Point, ...], ...]:
        """Each subpath as a closed polygon, every curve cut into `steps` straight pieces."""
        polygons = []
        for piece in self.subpaths():
            points: list[Point] = []
            for segment in piece:
                if segment.op in ("M", "L"):
                    points.append(segment.points[0])
                elif segment.op == "C" and points:
                    points.extend(_flatten_cubic(points[-1], segment.points, steps))
            if len(points) >= 3:
                polygons.append(tuple(points))
        return tuple(polygons)

    def piece_count(self) -> int:
        """How many separate pieces the shape has: 2 for a pair (both cheeks), holes not counted.

        A ring (around the mouth) is one piece with a hole; around the eyes is two rings.
        """
        polygons = self.polygons(steps=2)
        return sum(
            1
            for polygon in polygons
            if not any(
                other is not polygon and _inside_polygon(other, *polygon[0]) for other in polygons
            )
        )

    @property
    def is_pair(self) -> bool:
        """Drawn as two separate pieces (left and right) that are one area of the file format."""
        return self.piece_count() == 2

    def label_points(self) -> tuple[Point, ...]:
        """A point well inside each separate piece, for a tick or a number.

        One per piece (both cheeks get one); a ring's hole gets none. The point is the
        one farthest from any edge, so on a ring it sits on the widest part of the band,
        never in the eye or on the lips the ring surrounds.

        The search costs tens of milliseconds an area, most of a cold `consult
        documents`, so the shipped maps' points are stored beside them (LABEL_POINTS,
        keyed by the SHA-256 of the path data; `scripts/map_label_points.py` writes it).
        A path not found there, as in a map a clinic has edited, is searched.
        """
        stored = _stored_label_points().get(path_key(self.d))
        return stored if stored is not None else self.search_label_points()

    def search_label_points(self) -> tuple[Point, ...]:
        """`label_points` found by searching the shape, never from the stored table."""
        polygons = self._outline
        edges = [
            edge for polygon in self.polygons(steps=5) for edge in _edges(polygon)
        ]
        return tuple(
            self._deepest_point(polygon, edges)
            for polygon in polygons
            if not any(
                other is not polygon and _inside_polygon(other, *polygon[0]) for other in polygons
            )
        )

    def _deepest_point(
        self, piece: tuple[Point, ...], edges: list[tuple[Point, Point]]
    ) -> Point:
        """Search a coarse grid over `piece`, then a finer one around the best cell."""
        xs, ys = [p[0] for p in piece], [p[1] for p in piece]
        left, top = min(xs), min(ys)
        width, height = max(xs) - left, max(ys) - top
        best, depth = (left + width / 2, top + height / 2), -1.0
        edges = list(edges)  # reordered as it goes (see _clearance)
        for _ in range(3):
            for i in range(1, 10):
                for j in range(1, 10):
                    x, y = left + width * i / 10, top + height * j / 10
                    # The one piece first: far cheaper than the whole shape.
                    if not (_inside_polygon(piece, x, y) and self.contains(x, y)):
                        continue
                    distance = _clearance((x, y), edges, depth)
                    if distance is not None:
                        best, depth = (x, y), distance
            # Zoom in around the best point found so far.
            width, height = width / 3, height / 3
            left, top = best[0] - width / 2, best[1] - height / 2
        return best

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) is inside the shape under the even-odd rule (holes stay out)."""
        left, top, right, bottom = self._extent
        if not (left <= x <= right and top <= y <= bottom):
            return False
        inside = False
        for polygon in self._outline:
            inside ^= _inside_polygon(polygon, x, y)
        return inside

    @cached_property
    def _extent(self) -> tuple[float, float, float, float]:
        return self.bounds()

    @cached_property
    def _outline(self) -> tuple[tuple[Point, ...], ...]:
        return self.polygons()

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of every point, control points included."""
        xs = [p[0] for s in self.segments for p in s.points]
        ys = [p[1] for s in self.segments for p in s.points]
        return min(xs), min(ys), max(xs), max(ys)


LABEL_POINTS = "maps/label_points.json"


def path_key(d: str) -> str:
    """The key of a path's stored label points: its data's SHA-256, so an edit misses."""
    return hashlib.sha256(d.encode("utf-8")).hexdigest()


@cache
def _stored_label_points() -> dict[str, tuple[Point, ...]]:
    try:
        stored: dict[str, list[list[float]]] = data.read_json(LABEL_POINTS)
    except FileNotFoundError:
        return {}
    return {key: tuple((x, y) for x, y in points) for key, points in stored.items()}


def _flatten_cubic(start: Point, controls: tuple[Point, ...], steps: int) -> list[Point]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = start, *controls
    points = []
    for step in range(1, steps + 1):
        t = step / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        points.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return points


def _inside_polygon(polygon: tuple[Point, ...], x: float, y: float) -> bool:
    """Ray casting: count the edges a ray to the right of the point crosses."""
    inside = False
    previous = polygon[-1]
    for current in polygon:
        (x1, y1), (x2, y2) = previous, current
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        previous = current
    return inside


def _edges(polygon: tuple[Point, ...]) -> list[tuple[Point, Point]]:
    """Every side of the closed polygon, the closing one included."""
    return [(polygon[i - 1], polygon[i]) for i in range(len(polygon))]


def _clearance(point: Point, edges: list[tuple[Point, Point]], deeper_than: float) -> float | None:
    """The distance from `point` to the nearest edge, or None once one is within `deeper_than`.

    A point no deeper than the best so far cannot win, so most points stop after an
    edge or two: the edge that stopped the last one is moved to the front, since
    neighbouring points are usually stopped by the same edge.
    """
    nearest = math.inf
    for index, (a, b) in enumerate(edges):
        distance = _distance_to_segment(point, a, b)
        if distance <= deeper_than:
            edges[0], edges[index] = edges[index], edges[0]
            return None
        nearest = min(nearest, distance)
    return nearest


def _distance_to_segment(point: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


@dataclass(frozen=True)
class AreaMap:
    view: str
    title: str
    view_box: ViewBox
    shapes: tuple[Shape, ...]
    """Every path in file order, which is also the order they are painted in."""

    @property
    def areas(self) -> dict[str, Shape]:
        """The area shapes by area id, in file order."""
        return {shape.area: shape for shape in self.shapes if shape.area}

    def area(self, area_id: str) -> Shape:
        try:
            return self.areas[area_id]
        except KeyError:
            raise MapError(f"the {self.view} map has no area {area_id!r}") from None


@cache
def load(view: str) -> AreaMap:
    """The map for `view` (one of VIEWS), read once per process."""
    if view not in VIEWS:
        raise MapError(f"there is no map called {view!r}; the maps are {', '.join(VIEWS)}")
    name = f"maps/{view}.svg"
    try:
        text = data.read_text(name)
    except FileNotFoundError:
        raise MapError(f"resources/{name} is missing from the installation") from None
    return parse_map(view, text, source=f"resources/{name}")


def parse_map(view: str, text: str, source: str = "map") -> AreaMap:
    """Parse an SVG map; `source` names it in error messages."""
    try:
        # The maps are files shipped with (or edited for) this installation, not input
        # from patients or the network, and ElementTree never fetches external entities.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        raise MapError(f"{source}: not a readable SVG file ({exc})") from None
    if root.tag.removeprefix(SVG_NS) != "svg":
        raise MapError(f"{source}: the top element must be <svg>")
    shapes = tuple(_shapes(root, source))
    _check_unique_areas(shapes, source)
    title = (root.findtext(f"{SVG_NS}title") or "").strip() or view
    return AreaMap(view, title, _view_box(root, source), shapes)


def _view_box(root: ET.Element, source: str) -> ViewBox:
    raw = root.get("viewBox", "")
    try:
        x, y, width, height = (float(part) for part in raw.replace(",", " ").split())
    except ValueError:
        raise MapError(f"{source}: the <svg> element needs a viewBox of four numbers") from None
    if width <= 0 or height <= 0:
        raise MapError(f"{source}: the viewBox {raw!r} has no size")
    return ViewBox(x, y, width, height)


def _shapes(element: ET.Element, source: str) -> Iterator[Shape]:
    for child in element:
        tag = child.tag.removeprefix(SVG_NS) if isinstance(child.tag, str) else ""
        where = _describe(child, source)
        if tag in _FORBIDDEN_ELEMENTS:
            raise MapError(f"{where}: <{tag}> is not allowed in a map; draw it as a <path>")
        if child.get("transform") is not None:
            raise MapError(f"{where}: transforms are not allowed; write the final coordinates")
        if child.get("style") is not None:
            raise MapError(f"{where}: style it with attributes (fill, stroke…), not CSS")
        if tag == "g":
            yield from _shapes(child, source)
        elif tag == "path":
            yield _shape(child, where)


def _shape(element: ET.Element, where: str) -> Shape:
    d = element.get("d", "")
    segments = parse_path(d, where)
    if not any(segment.points for segment in segments):
        raise MapError(f"{where}: the path has no data (d)")
    area = element.get("data-area")
    title = (element.findtext(f"{SVG_NS}title") or "").strip()
    if area is not None and not area.strip():
        raise MapError(f"{where}: data-area is empty")
    if area and not title:
        raise MapError(f"{where}: an area needs a <title> with its label")
    style = {name: element.get(name, "") for name in STYLE_ATTRIBUTES if element.get(name)}
    return Shape(d, segments, area, title, style)


def _describe(element: ET.Element, source: str) -> str:
    area = element.get("data-area")
    if area:
        return f"{source}: area {area!r}"
    return f"{source}: {element.get('id') or 'decoration'}"


def _check_unique_areas(shapes: tuple[Shape, ...], source: str) -> None:
    seen: set[str] = set()
    for shape in shapes:
        if shape.area in seen:
            raise MapError(
                f"{source}: area {shape.area!r} is drawn twice; use one path with subpaths"
            )
        if shape.area:
            seen.add(shape.area)


def parse_path(d: str, where: str = "path") -> tuple[Segment, ...]:
    """The segments of path data `d`, made absolute and reduced to M, L, C and Z."""
    tokens = _TOKEN.findall(d)
    segments: list[Segment] = []
    pen = start = (0.0, 0.0)
    command = ""
    index = 0
    while index < len(tokens):
        if tokens[index].isalpha():
            command = _command(tokens[index], where)
            index += 1
        elif not command:
            raise MapError(f"{where}: expected a path command, found {tokens[index]!r}")
        upper = command.upper()
        count = _ARGUMENT_COUNT[upper]
        args = _numbers(tokens[index : index + count], count, command, where)
        index += count
        segment, pen = _step(upper, args, pen, start, relative=command.islower())
        if upper == "M":
            start = pen
            command = "l" if command.islower() else "L"  # further pairs after M are lines
        elif upper == "Z":
            command = ""  # numbers straight after Z are an error, not an implied command
        segments.append(segment)
    return tuple(segments)


def _command(token: str, where: str) -> str:
    if token.upper() not in _ARGUMENT_COUNT:
        raise MapError(
            f"{where}: path command {token!r} is not allowed; use only M L H V C Q Z "
            "(arcs and smooth-curve shorthands must be written as C curves)"
        )
    return token


def _numbers(raw: list[str], count: int, command: str, where: str) -> list[float]:
    try:
        values = [float(token) for token in raw]
    except ValueError:
        values = []
    if len(values) != count:
        raise MapError(f"{where}: command {command} needs {count} numbers")
    return values


def _step(
    upper: str, args: list[float], pen: Point, start: Point, relative: bool
) -> tuple[Segment, Point]:
    ox, oy = pen if relative else (0.0, 0.0)
    if upper == "Z":
        return Segment("Z"), start
    if upper == "H":
        end = (args[0] + ox, pen[1])
        return Segment("L", (end,)), end
    if upper == "V":
        end = (pen[0], args[0] + oy)
        return Segment("L", (end,)), end
    points = [(args[i] + ox, args[i + 1] + oy) for i in range(0, len(args), 2)]
    end = points[-1]
    if upper in ("M", "L"):
        return Segment(upper, (end,)), end
    if upper == "C":
        return Segment("C", tuple(points)), end
    # A quadratic curve is exactly the cubic whose controls sit 2/3 of the way to its control.
    (qx, qy), (ex, ey) = points
    first = (pen[0] + 2 / 3 * (qx - pen[0]), pen[1] + 2 / 3 * (qy - pen[1]))
    second = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
    return Segment("C", (first, second, end)), end
