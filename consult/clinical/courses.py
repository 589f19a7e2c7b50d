"""Treatment courses: sessions and interval per concern, a consultation's course, dates.

The figures live in resources/courses.toml so a medical lead can change them. A
consultation's course is driven by its most demanding concern: the number of sessions
is the largest any requested concern needs, and each priced region gets the sessions
its own areas need (a quote line per region).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from consult import data
from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import Consultation
from consult.errors import ConsultError

RESOURCE = "courses.toml"
# An area the practitioner chose without ticking a concern is planned as rejuvenation.
DEFAULT_CONCERN = "texture"
_FIELDS = (
    "concern",
    "sessions",
    "interval_weeks",
    "min_sessions",
    "max_sessions",
    "maintenance",
    "source",
)


@dataclass(frozen=True)
class Course:
    """The usual course for one concern."""

    concern: str
    sessions: int
    interval_weeks: int
    min_sessions: int
    max_sessions: int
    maintenance: str
    source: str


@dataclass(frozen=True)
class CoursePlan:
    """The course for a whole consultation."""

    sessions: int  # the largest number of sessions any requested concern needs
    interval_weeks: int  # the interval of the course that sets `sessions` (ties: the longer)
    sessions_by_region: dict[str, int]  # priced region -> sessions its requested areas need
    courses: tuple[Course, ...]  # one per requested concern, in the order first requested


def course_for(concern: str) -> Course:
    """The course for `concern`; an unknown concern is a `ConsultError`."""
    courses = course_table()
    if concern not in courses:
        raise ConsultError(f"{concern!r} has no treatment course in {RESOURCE}")
    return courses[concern]


def plan_course(consultation: Consultation) -> CoursePlan:
    """The course for every requested area; areas without concerns count as texture."""
    by_concern: dict[str, Course] = {}
    by_region: dict[str, int] = {}
    for request in consultation.areas:
        region = catalogue().region_of(request.area)
        for concern in request.concerns or (DEFAULT_CONCERN,):
            course = by_concern.setdefault(concern, course_for(concern))
            by_region[region] = max(by_region.get(region, 0), course.sessions)
    courses = tuple(by_concern.values())
    leading = max(courses, key=lambda course: (course.sessions, course.interval_weeks))
    return CoursePlan(leading.sessions, leading.interval_weeks, by_region, courses)


def schedule(start: date, sessions: int, interval_weeks: int) -> list[date]:
    """The session dates: the first on `start`, then one every `interval_weeks`."""
    if sessions < 1:
        raise ConsultError(f"sessions: {sessions} must be at least 1")
    if interval_weeks < 1:
        raise ConsultError(f"interval_weeks: {interval_weeks} must be at least 1")
    gap = timedelta(weeks=interval_weeks)
    return [start + gap * number for number in range(sessions)]


@cache
def course_table() -> dict[str, Course]:
    """The shipped courses by concern, read and checked once per process."""
    return parse_courses(data.read_toml(RESOURCE))


def parse_courses(raw: dict[str, Any]) -> dict[str, Course]:
    """Check the parsed courses file; every concern of the catalogue needs a course."""
    unknown = sorted(set(raw) - {"course"})
    if unknown:
        raise ConsultError(f"{RESOURCE}: unknown key {unknown[0]!r}")
    courses: dict[str, Course] = {}
    for index, entry in enumerate(raw.get("course", [])):
        course = _course(entry, index)
        if course.concern in courses:
            raise ConsultError(f"{RESOURCE}: course {course.concern!r} is listed twice")
        courses[course.concern] = course
    missing = [concern for concern in catalogue().concerns if concern not in courses]
    if missing:
        raise ConsultError(f"{RESOURCE}: no course for {', '.join(missing)}")
    return courses


def _course(entry: Any, index: int) -> Course:
    where = f"{RESOURCE}: course[{index}]"
    if not isinstance(entry, dict):
        raise ConsultError(f"{where}: must be a table")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise ConsultError(f"{where}: unknown key {unknown[0]!r}")
    for key in _FIELDS:
        if key not in entry:
            raise ConsultError(f"{where}.{key}: is required")
    concern = entry["concern"]
    if concern not in catalogue().concerns:
        raise ConsultError(f"{where}.concern: {concern!r} is not a known concern")
    for key in ("sessions", "interval_weeks", "min_sessions", "max_sessions"):
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConsultError(f"{where}.{key}: {value!r} must be a whole number of at least 1")
    if not entry["min_sessions"] <= entry["sessions"] <= entry["max_sessions"]:
        raise ConsultError(f"{where}.sessions: must lie between min_sessions and max_sessions")
    for key in ("maintenance", "source"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ConsultError(f"{where}.{key}: must be non-empty text")
    return Course(**{key: entry[key] for key in _FIELDS})
