from __future__ import annotations

import re
from decimal import Decimal

import pytest

from consult import data
from consult.clinical.catalogue import catalogue
from consult.clinical.depths import DepthRange, parse_depths, suggested_depth
from consult.errors import ConsultError

TREATMENTS = ("microneedling", "rf_microneedling")


def mm(low: str, high: str) -> tuple[Decimal, Decimal]:
    return Decimal(low), Decimal(high)


def span(depth: DepthRange) -> tuple[Decimal, Decimal]:
    return depth.min_mm, depth.max_mm


@pytest.mark.parametrize(
    ("area", "concerns", "expected"),
    [
        ("cheeks", ["acne_scars"], mm("1.0", "2.0")),
        ("forehead", ["fine_lines"], mm("0.5", "0.75")),
        ("neck", ["fine_lines"], mm("0.5", "0.75")),
        ("periorbital", ["texture"], mm("0.25", "0.5")),
        ("periorbital", ["acne_scars"], mm("0.25", "0.5")),  # the area is the safety limit
        ("nose", ["scars"], mm("0.5", "1.0")),
        ("scalp", ["hair_loss"], mm("0.5", "1.2")),
        ("thighs", ["stretch_marks"], mm("1.5", "2.0")),
        ("jawline", ["pigmentation"], mm("0.5", "1.0")),
    ],
)
def test_mechanical_depths_follow_the_chart(
    area: str, concerns: list[str], expected: tuple[Decimal, Decimal]
) -> None:
    assert span(suggested_depth(area, concerns, "microneedling")) == expected


def test_depths_are_exact_decimals() -> None:
    depth = suggested_depth("forehead", ["fine_lines"], "microneedling")
    assert isinstance(depth.min_mm, Decimal) and depth.max_mm == Decimal("0.75")


def test_no_concern_is_rejuvenation() -> None:
    assert suggested_depth("cheeks", [], "microneedling").max_mm == Decimal("0.5")


def test_area_without_a_scar_figure_falls_back_to_rejuvenation_and_says_so() -> None:
    depth = suggested_depth("chest", ["stretch_marks"], "microneedling")
    assert span(depth) == mm("0.25", "0.75")
    assert "rejuvenation range" in depth.note


def test_fine_lines_cap_the_area_even_beside_deeper_work() -> None:
    depth = suggested_depth("cheeks", ["acne_scars", "fine_lines"], "microneedling")
    assert span(depth) == mm("0.5", "1.5")
    assert "1.5 mm" in depth.note


def test_rf_notes_its_other_settings_and_keeps_the_conservative_range() -> None:
    depth = suggested_depth("cheeks", ["acne_scars"], "rf_microneedling")
    assert depth.max_mm <= Decimal("2.0")
    assert "RF" in depth.note and "energy" in depth.note


@pytest.mark.parametrize("treatment", TREATMENTS)
def test_every_combination_is_guidance_within_the_safety_caps(treatment: str) -> None:
    known = catalogue()
    for area in known.areas:
        for concern in known.concerns:
            depth = suggested_depth(area, [concern], treatment)
            assert Decimal(0) < depth.min_mm <= depth.max_mm
            assert "⚠" in depth.note and depth.source
            if known.area(area).is_face:
                assert depth.max_mm <= Decimal("2.0")
            if concern == "fine_lines":
                assert depth.max_mm <= Decimal("1.5")


@pytest.mark.parametrize(
    ("area", "concerns", "treatment", "field"),
    [
        ("elbow", ["texture"], "microneedling", "area"),
        ("cheeks", ["freckles"], "microneedling", "concerns"),
        ("cheeks", ["texture"], "laser", "treatment"),
    ],
)
def test_unknown_inputs_name_the_field(
    area: str, concerns: list[str], treatment: str, field: str
) -> None:
    with pytest.raises(ConsultError, match=f"^{field}:"):
        suggested_depth(area, concerns, treatment)


def shipped() -> str:
    return data.read_text("depths.toml")


def test_the_shipped_file_parses() -> None:
    table = parse_depths(shipped())
    assert set(table.areas) == set(catalogue().areas)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("face_max_mm = 2.0", "face_max_mm = -1.0", "limits.face_max_mm: Decimal('-1.0')"),
        (
            "[area.cheeks]\nrejuvenation = [0.5, 1.0]",
            "[area.cheeks]\nrejuvenation = [1.0, 0.5]",
            "area.cheeks.rejuvenation: 1.0 is deeper than 0.5",
        ),
        (
            '[concern.laxity]\nkind = "rejuvenation"',
            '[concern.laxity]\nkind = "lifting"',
            "concern.laxity.kind: 'lifting'",
        ),
        ("[area.legs]", "[area.elbows]", "area.elbows: is not a known area"),
        ("[area.cheeks]\n", "[area.cheeks]\ncolour = 1\n", "area.cheeks: unknown key 'colour'"),
        ("[limits]", "[limits]\n[limits", "not valid TOML"),
    ],
)
def test_mistakes_in_the_depths_file_name_the_field(old: str, new: str, expected: str) -> None:
    text = shipped()
    assert old in text
    with pytest.raises(ConsultError, match=re.escape(expected)):
        parse_depths(text.replace(old, new, 1))
