"""Per-area results, the course's first day and when going on needs a recorded reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from consult.clinical.outcome import (
    EXCLUDED,
    LATER,
    TODAY,
    area_outcomes,
    course_start,
    left_out,
    needs_reason,
)
from consult.clinical.screening import screen
from tests.consult.clinical.factory import consultation

TWO = {"cheeks": ["acne_scars"], "chest": ["texture"]}
OVERRIDE = {"screening_override": {"reason": "Written clearance on file."}}


def _statuses(history: dict[str, Any]) -> list[tuple[str, str, date | None]]:
    c = consultation(history, areas=TWO)
    return [(o.area, o.status, o.earliest) for o in area_outcomes(c, screen(c))]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ({}, [("cheeks", TODAY, date(2026, 11, 20)), ("chest", TODAY, date(2026, 11, 20))]),
        (
            {"tattoo": {"areas": ["chest"]}},
            [("cheeks", TODAY, date(2026, 11, 20)), ("chest", EXCLUDED, None)],
        ),
        (
            {"botox": {"date": "2026-11-10", "areas": ["cheeks"]}},
            [("cheeks", LATER, date(2026, 11, 24)), ("chest", TODAY, date(2026, 11, 20))],
        ),
        ({"pregnant": True}, [("cheeks", LATER, None), ("chest", LATER, None)]),
        ({"anticoagulants": True}, [("cheeks", LATER, None), ("chest", LATER, None)]),
    ],
)
def test_each_area_is_today_later_or_excluded(history, expected) -> None:
    assert _statuses(history) == expected


@pytest.mark.parametrize(
    ("history", "asked"),
    [
        ({}, False),
        ({"smoker": True}, False),
        ({"tattoo": {"areas": ["chest"]}}, False),  # the cheeks go ahead; the chest is left out
        ({"botox": {"date": "2026-11-10", "areas": ["cheeks"]}}, False),  # planned from its date
        ({"tattoo": True}, True),  # nothing left to treat
        ({"pregnant": True}, True),
        ({"anticoagulants": True}, True),  # a clearance is still required
    ],
)
def test_a_reason_is_needed_only_when_nothing_could_go_on_without_one(history, asked) -> None:
    c = consultation(history, areas=TWO)
    assert needs_reason(c, screen(c)) is asked


def test_the_course_starts_after_every_wait() -> None:
    history = {"smoker": True, "botox": {"date": "2026-11-10", "areas": ["cheeks"]}}
    c = consultation(history, areas=TWO)
    start = course_start(c, screen(c))
    assert start.first_day == date(2026, 12, 4)
    assert {f.rule for f in start.waits} == {"smoker", "botox_recent"}


def test_a_recorded_override_lifts_a_clearance_and_a_whole_decline_but_not_a_wait() -> None:
    c = consultation({"anticoagulants": True, "pregnant": True}, areas=TWO)
    with_reason = replace(c, extra=OVERRIDE)
    assert course_start(c, screen(c)).first_day is None
    start = course_start(with_reason, screen(with_reason), clearance_received=True)
    assert start.first_day is None  # the pregnancy still waits
    assert [f.rule for f in start.waits] == ["pregnant"]

    declined = consultation({"keloid_scarring": True, "tattoo": {"areas": ["chest"]}}, areas=TWO)
    assert left_out(declined, screen(declined)) == ("cheeks", "chest")
    overridden = replace(declined, extra=OVERRIDE)
    assert left_out(overridden, screen(overridden)) == ()
    partial = replace(consultation({"tattoo": {"areas": ["chest"]}}, areas=TWO), extra=OVERRIDE)
    assert left_out(partial, screen(partial)) == ("chest",)
