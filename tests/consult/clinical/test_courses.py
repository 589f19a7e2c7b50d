from __future__ import annotations

import re
from datetime import date

import pytest

from consult import data
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import Course, course_for, parse_courses, plan_course, schedule
from consult.clinical.fileformat import load
from consult.errors import ConsultError
from tests.consult.clinical.factory import consultation


def test_every_concern_has_a_course_within_its_own_range() -> None:
    for concern in catalogue().concerns:
        course = course_for(concern)
        assert course.concern == concern
        assert course.min_sessions <= course.sessions <= course.max_sessions
        assert course.interval_weeks >= 1
        assert course.source.strip() and course.maintenance.strip()


@pytest.mark.parametrize(
    ("concern", "sessions", "interval"),
    [
        ("acne_scars", 4, 4),
        ("fine_lines", 4, 4),
        ("scars", 5, 4),
        ("stretch_marks", 4, 4),
        ("pigmentation", 4, 4),
        ("texture", 3, 4),
        ("enlarged_pores", 3, 4),
        ("laxity", 3, 4),
    ],
)
def test_course_figures_follow_the_clinical_facts(
    concern: str, sessions: int, interval: int
) -> None:
    course = course_for(concern)
    assert (course.sessions, course.interval_weeks) == (sessions, interval)


def test_hair_loss_course_is_marked_as_clinic_guidance() -> None:
    assert "⚠" in course_for("hair_loss").source


def test_unknown_concern_is_a_clear_error() -> None:
    with pytest.raises(ConsultError, match="'wrinkles'"):
        course_for("wrinkles")


def test_acne_scars_example_is_four_sessions_four_weeks_apart(examples) -> None:
    plan = plan_course(load(examples / "acne-scars.json"))
    assert (plan.sessions, plan.interval_weeks) == (4, 4)
    assert plan.sessions_by_region == {"face": 4, "neck": 4}
    assert [course.concern for course in plan.courses] == ["acne_scars", "fine_lines"]


def test_the_most_demanding_concern_sets_the_course_and_regions_keep_their_own() -> None:
    plan = plan_course(
        consultation(areas={"cheeks": ["texture"], "forehead": ["scars"], "neck": ["laxity"]})
    )
    assert plan.sessions == 5  # scars
    assert plan.sessions_by_region == {"face": 5, "neck": 3}
    assert {course.concern for course in plan.courses} == {"texture", "scars", "laxity"}


def test_areas_without_concerns_count_as_texture() -> None:
    plan = plan_course(consultation(areas={"chest": [], "hands": []}))
    assert plan.courses == (course_for("texture"),)
    assert plan.sessions_by_region == {"chest": 3, "hands": 3}


def test_a_tie_on_sessions_takes_the_longer_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    from consult.clinical import courses as module

    table = dict(module.course_table())
    table["pigmentation"] = Course("pigmentation", 4, 6, 4, 6, "yearly", "test")
    monkeypatch.setattr(module, "course_table", lambda: table)
    plan = plan_course(consultation(areas={"cheeks": ["acne_scars", "pigmentation"]}))
    assert (plan.sessions, plan.interval_weeks) == (4, 6)


def test_schedule_spaces_sessions_by_whole_weeks() -> None:
    assert schedule(date(2026, 11, 20), 4, 4) == [
        date(2026, 11, 20),
        date(2026, 12, 18),
        date(2027, 1, 15),
        date(2027, 2, 12),
    ]
    assert schedule(date(2026, 12, 31), 1, 6) == [date(2026, 12, 31)]


@pytest.mark.parametrize(
    ("sessions", "interval", "field"), [(0, 4, "sessions"), (3, 0, "interval_weeks")]
)
def test_schedule_rejects_nonsense(sessions: int, interval: int, field: str) -> None:
    with pytest.raises(ConsultError, match=f"^{field}:"):
        schedule(date(2026, 11, 20), sessions, interval)


def shipped_courses() -> list[dict]:
    return [dict(entry) for entry in data.read_toml("courses.toml")["course"]]


def test_the_shipped_file_parses_to_the_courses_in_use() -> None:
    assert parse_courses({"course": shipped_courses()}) == {
        concern: course_for(concern) for concern in catalogue().concerns
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"sessions": 0}, "course[0].sessions: 0"),
        ({"sessions": 9}, "course[0].sessions: must lie between"),
        ({"interval_weeks": "4"}, "course[0].interval_weeks: '4'"),
        ({"concern": "wrinkles"}, "course[0].concern: 'wrinkles'"),
        ({"source": ""}, "course[0].source: must be non-empty"),
        ({"colour": "red"}, "course[0]: unknown key 'colour'"),
    ],
)
def test_mistakes_in_the_courses_file_name_the_field(change: dict, expected: str) -> None:
    entries = shipped_courses()
    entries[0].update(change)
    with pytest.raises(ConsultError, match=re.escape(expected)):
        parse_courses({"course": entries})


def test_a_concern_without_a_course_is_refused() -> None:
    entries = [entry for entry in shipped_courses() if entry["concern"] != "hair_loss"]
    with pytest.raises(ConsultError, match="no course for hair_loss"):
        parse_courses({"course": entries})


def test_a_course_listed_twice_is_refused() -> None:
    entries = shipped_courses()
    with pytest.raises(ConsultError, match="listed twice"):
        parse_courses({"course": [*entries, entries[0]]})
