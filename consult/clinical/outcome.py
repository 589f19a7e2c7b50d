"""What the screening means per requested area, and when the course may start.

The verdict of `screen` is the most serious severity for the consultation as requested
(the spec's meaning). A clinic also needs the answer per area: which areas can be
treated today, which wait (and for what), and which are left out. Pure functions of a
consultation and its screening.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from consult.clinical.fileformat import Consultation
from consult.clinical.rules import RANK
from consult.clinical.screening import BLOCKING, Finding, ScreeningResult

TODAY = "today"  # can be treated today
LATER = "later"  # not today: waits for a date, a clearance or a condition to resolve
EXCLUDED = "excluded"  # declined: left out of the quote and the plan

# The optional consult/1 key holding the practitioner's recorded reason to go on.
OVERRIDE_KEY = "screening_override"


@dataclass(frozen=True)
class AreaOutcome:
    area: str
    status: str  # TODAY, LATER or EXCLUDED
    findings: tuple[Finding, ...]  # the blocking findings that concern it, most serious first
    earliest: date | None  # the first safe day; None while it waits for something undated

    @property
    def today(self) -> bool:
        return self.status == TODAY


@dataclass(frozen=True)
class CourseStart:
    """The first day a session may be booked, and what the course waits for."""

    first_day: date | None  # None: it waits for something with no date (a clearance, …)
    waits: tuple[Finding, ...]  # the findings the first session waits for

    @property
    def undated(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.waits if _open_ended(finding))


def area_outcomes(
    consultation: Consultation, result: ScreeningResult, *, override: bool = False
) -> tuple[AreaOutcome, ...]:
    """Per requested area, in the order asked: today, later (from when) or excluded.

    `override`: a reason to go on is recorded (spec: `screening_override`, such as a
    clearance on file): a clearance no longer holds an area back, and when a decline
    would leave nothing to treat, the practitioner goes ahead past it. A declined area
    beside treatable ones stays out, and a wait still holds (a rebook date, a pregnancy),
    so no session is booked before it.
    """
    held_back = ("defer", "decline") if override else BLOCKING
    outcomes = tuple(
        _outcome(area, consultation, result, held_back) for area in consultation.area_ids
    )
    if override and not planned_areas(outcomes):
        outcomes = tuple(
            _outcome(area, consultation, result, ("defer",)) for area in consultation.area_ids
        )
    return outcomes


def needs_reason(consultation: Consultation, result: ScreeningResult) -> bool:
    """Whether going on needs a recorded reason (spec: what `documents` refuses).

    Every requested area stopped by a defer or decline, or a clearance still required
    for what is planned. A declined area beside treatable ones is simply left out, and
    an area that waits for a date is planned from it: neither needs a reason.
    """
    return stopped_entirely(consultation, result) or awaits_clearance(consultation, result)


def stopped_entirely(consultation: Consultation, result: ScreeningResult) -> bool:
    """Every requested area is stopped by a defer or decline: nothing to print or sign."""
    outcomes = area_outcomes(consultation, result)
    return bool(outcomes) and all(
        any(f.severity in ("defer", "decline") for f in outcome.findings)
        for outcome in outcomes
    )


def awaits_clearance(consultation: Consultation, result: ScreeningResult) -> bool:
    """A physician's clearance is required for what is planned: print, but never sign."""
    planned = set(planned_areas(area_outcomes(consultation, result)))
    return any(
        f.severity == "clearance" and (f.whole_treatment or planned & set(f.areas))
        for f in result.findings
    )


def _outcome(
    area: str, consultation: Consultation, result: ScreeningResult, held_back: Collection[str]
) -> AreaOutcome:
    blocking = tuple(
        finding
        for finding in result.findings
        if finding.severity in held_back and (finding.whole_treatment or area in finding.areas)
    )
    if not blocking:
        return AreaOutcome(area, TODAY, (), consultation.consultation_date)
    if any(finding.severity == "decline" for finding in blocking):
        return AreaOutcome(area, EXCLUDED, blocking, None)
    if any(_open_ended(finding) for finding in blocking):
        return AreaOutcome(area, LATER, blocking, None)
    latest = max(finding.rebook_on for finding in blocking if finding.rebook_on is not None)
    return AreaOutcome(area, LATER, blocking, latest)


def _open_ended(finding: Finding) -> bool:
    """A wait with no date: a clearance to receive, or a condition to resolve."""
    return finding.severity == "clearance" or finding.rebook_on is None


def excluded_areas(outcomes: tuple[AreaOutcome, ...]) -> tuple[str, ...]:
    return tuple(outcome.area for outcome in outcomes if outcome.status == EXCLUDED)


def planned_areas(outcomes: tuple[AreaOutcome, ...]) -> tuple[str, ...]:
    return tuple(outcome.area for outcome in outcomes if outcome.status != EXCLUDED)


def has_override(consultation: Consultation) -> bool:
    """A recorded reason to go on (spec: `screening_override`), such as a clearance on file."""
    value = consultation.extra.get(OVERRIDE_KEY)
    return isinstance(value, dict) and isinstance(value.get("reason"), str) and bool(
        value["reason"].strip()
    )


def course_start(
    consultation: Consultation, result: ScreeningResult, *, clearance_received: bool = False
) -> CourseStart:
    """No session before any wait that concerns a planned area or the whole treatment.

    `clearance_received`: a reason to go on is recorded (see `area_outcomes`' override).

    Dated waits: every blocking finding's `rebook_on` and every before-care wait
    (`wait_until`, such as stopping smoking 2 weeks before). Undated: a clearance not yet
    received, or a condition to resolve; then the first session has no date.
    """
    planned = set(
        planned_areas(area_outcomes(consultation, result, override=clearance_received))
    )
    day = consultation.consultation_date
    waits: list[Finding] = []
    dated: list[date] = [day]
    undated = False
    for finding in result.findings:
        if not (finding.whole_treatment or planned & set(finding.areas)):
            continue
        if finding.wait_until is not None and finding.wait_until > day:
            waits.append(finding)
            dated.append(finding.wait_until)
        if finding.severity not in BLOCKING or finding.severity == "decline":
            continue  # a declined area is not planned; a whole-treatment decline plans nothing
        if finding.severity == "clearance" and clearance_received:
            continue  # the clearance on file is what lets treatment go on
        if _open_ended(finding):
            undated = True
            waits.append(finding)
        elif finding.rebook_on is not None and finding.rebook_on > day:
            waits.append(finding)
            dated.append(finding.rebook_on)
    ordered = tuple(sorted(dict.fromkeys(waits), key=lambda finding: -RANK[finding.severity]))
    return CourseStart(None if undated else max(dated), ordered)


def left_out(
    consultation: Consultation, result: ScreeningResult, *, override: bool | None = None
) -> tuple[str, ...]:
    """The requested areas a quote and a plan leave out: those a decline covers.

    With a recorded override (default: the consultation's `screening_override`) the
    practitioner goes ahead with every requested area.
    """
    if override is None:
        override = has_override(consultation)
    return excluded_areas(area_outcomes(consultation, result, override=override))


def first_session_line(consultation: Consultation, result: ScreeningResult) -> str:
    """When the course may start: never before a wait the screening or before-care states."""
    start = course_start(consultation, result, clearance_received=has_override(consultation))
    waits = ", ".join(finding.rule for finding in start.waits)
    if start.first_day is None:
        undated = ", ".join(finding.rule for finding in start.undated)
        line = f"First session: not booked until resolved ({undated})"
        dated = [f for f in start.waits if f not in start.undated]
        if dated:
            latest = max(f.rebook_on or f.wait_until or date.min for f in dated)
            rules = ", ".join(f.rule for f in dated)
            line += f", and not before {latest.isoformat()} ({rules})"
        return line
    if waits:
        return f"First session: on or after {start.first_day.isoformat()} ({waits})"
    return f"First session: from {start.first_day.isoformat()}"
