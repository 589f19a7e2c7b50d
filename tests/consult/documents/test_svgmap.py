"""Drawing the area maps as reportlab vectors."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Group, Path, String

from consult.clinical import maps
from consult.clinical.catalogue import catalogue
from consult.documents import svgmap

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 200">
  <path d="M0 0 H100 V200 H0 Z" fill="#f7e8dd" fill-opacity="0.5" stroke="#8c6d5c"
        stroke-width="2"/>
  <path data-area="cheeks" d="M10 10 h20 v20 h-20 z M70 10 h20 v20 h-20 z">
    <title>Cheeks</title></path>
  <path data-area="perioral" d="M30 100 H70 V140 H30 Z M40 110 V130 H60 V110 Z">
    <title>Around the mouth</title></path>
  <path data-area="nose" d="M45 40 q5 -10 10 0 z"><title>Nose</title></path>
</svg>"""


def _drawing(numbers):
    return svgmap.draw_map(maps.parse_map("face", SVG), numbers, 50, 100)


def _paths(drawing):
    return [item for item in drawing.contents if isinstance(item, Path)]


def _labels(drawing):
    badges = [item for item in drawing.contents if isinstance(item, Group)][-1]
    return [s.text for badge in badges.contents for s in badge.contents if isinstance(s, String)]


def test_scaled_to_fit_and_flipped():
    drawing = _drawing({})
    assert (drawing.width, drawing.height) == (50, 100)
    cheeks = _paths(drawing)[1]
    # SVG y=10..30 from the top is PDF y=85..95 from the bottom at half scale.
    ys = cheeks.points[1::2]
    assert min(ys) == 85 and max(ys) == 95


def test_chosen_areas_are_filled_outlined_and_numbered():
    drawing = _drawing({"cheeks": 1, "perioral": 2})
    _outline, cheeks, perioral, nose = _paths(drawing)
    assert cheeks.fillColor == svgmap.CHOSEN_FILL and cheeks.strokeColor == svgmap.CHOSEN_STROKE
    assert perioral.fillColor == svgmap.CHOSEN_FILL
    assert nose.fillColor == svgmap.OTHER_FILL
    # One badge per cheek; the ring around the mouth gets one, not one in its hole too.
    assert sorted(_labels(drawing)) == ["1", "1", "2"]


def test_decoration_keeps_its_colours():
    outline = _paths(_drawing({}))[0]
    assert outline.fillColor.hexval() == "0xf7e8dd"
    assert outline.fillOpacity == 0.5
    assert outline.strokeWidth == 1.0  # 2 map units at half scale


def test_the_shipped_maps_draw_every_catalogue_area():
    for view in maps.VIEWS:
        area_map = maps.load(view)
        expected = {a.id for a in catalogue().areas.values() if a.view == view}
        assert expected <= set(area_map.areas)
        numbers = {area: n for n, area in enumerate(sorted(expected), start=1)}
        assert len(_labels(svgmap.draw_map(area_map, numbers, 200, 200))) >= len(expected)


def test_a_ring_is_numbered_on_its_band_not_in_its_hole():
    drawing = _drawing({"perioral": 2})
    badges = [item for item in drawing.contents if isinstance(item, Group)][-1]
    (badge,) = badges.contents
    circle = next(item for item in badge.contents if isinstance(item, Circle))
    # Back to map units: half scale, y flipped in a 200-unit-high box.
    x, y = circle.cx * 2, 200 - circle.cy * 2
    ring = maps.parse_map("face", SVG).area("perioral")
    assert ring.contains(x, y)  # on the band…
    assert not (40 < x < 60 and 110 < y < 130)  # …not over the mouth it surrounds
