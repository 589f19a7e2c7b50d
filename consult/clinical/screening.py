"""Contraindication screening: a consultation in, findings and a verdict out.

`screen` is a pure function of the consultation and the rule table
(resources/rules.toml, read once per process). Every finding names its rule, the areas
it concerns, what to tell the practitioner, what to do and where the rule comes from.
Time windows are counted from the consultation date: a rule with a window applies while
consultation_date < date + window, and the finding gives that date to rebook.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from consult.clinical.fileformat import Consultation, HistoryEntry
from consult.clinical.rules import (
    KIND_NOT_GIVEN,
    RANK,
    SEVERITIES,
    Rule,
    RuleTable,
    Window,
    rule_table,
)

__all__ = [
    "BLOCKING",
    "SEVERITIES",
    "SEVERITY_WORDS",
    "Finding",
    "ScreeningResult",
    "screen",
]

# The verdict in words, for a person reading it (the command line, the app's banner).
SEVERITY_WORDS = {
    "proceed": "Proceed: nothing in the history stands in the way.",
    "precautions": "Proceed with precautions: treat with the precautions below.",
    "clearance": "Clearance needed: written physician clearance first.",
    "defer": "Defer: not today; rebook once resolved.",
    "decline": "Decline: do not treat as requested.",
}
# Severities that keep an area from being treated today (spec: `blocked_areas`).
BLOCKING = frozenset(("clearance", "defer", "decline"))
_REBOOK = frozenset(("defer", "decline"))


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    areas: tuple[str, ...]  # the requested areas it concerns; () for the whole consultation
    message: str
    action: str
    source: str
    rebook_on: date | None = None
    patient: str = ""  # the sentence a patient's document prints (never message/action/source)
    conservative_depth: bool = False  # the depth suggestion turns conservative
    wait_until: date | None = None  # before-care: no session before this day

    @property
    def whole_treatment(self) -> bool:
        return not self.areas

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "areas": list(self.areas),
            "message": self.message,
            "action": self.action,
            "source": self.source,
            "rebook_on": self.rebook_on.isoformat() if self.rebook_on else None,
            "patient": self.patient,
        }


@dataclass(frozen=True)
class ScreeningResult:
    verdict: str
    findings: tuple[Finding, ...]  # most serious first, then in rule-table order
    blocked_areas: tuple[str, ...]  # requested areas not to be treated today

    def to_json(self) -> dict[str, Any]:
        """The `consult check --json` document of the spec."""
        return {
            "verdict": self.verdict,
            "findings": [finding.to_json() for finding in self.findings],
            "blocked_areas": list(self.blocked_areas),
        }


@dataclass(frozen=True)
class _Visit:
    """What the rules look at, worked out once per screening."""

    day: date
    age: int
    fitzpatrick: int | None
    treatment: str
    areas: tuple[str, ...]  # requested, in the order asked
    history: Mapping[str, HistoryEntry]


def screen(consultation: Consultation, rules: RuleTable | None = None) -> ScreeningResult:
    """Screen `consultation` against `rules` (default: the clinic's rule table)."""
    table = rules if rules is not None else rule_table()
    visit = _Visit(
        consultation.consultation_date,
        consultation.patient.age_on(consultation.consultation_date),
        consultation.patient.fitzpatrick,
        consultation.treatment,
        consultation.area_ids,
        consultation.history,
    )
    findings = [f for rule in table.rules if (f := _apply(rule, visit, table)) is not None]
    findings.extend(_unrecognised(visit, table))
    # sorted() is stable: equal severities keep rule-table order.
    findings.sort(key=lambda finding: -RANK[finding.severity])
    verdict = findings[0].severity if findings else "proceed"
    blocked = {
        area
        for f in findings
        if f.severity in BLOCKING
        for area in (f.areas or visit.areas)
    }
    return ScreeningResult(
        verdict, tuple(findings), tuple(area for area in visit.areas if area in blocked)
    )


def _unrecognised(visit: _Visit, table: RuleTable) -> list[Finding]:
    """A history key outside the vocabulary is reviewed, never silently ignored."""
    spec = table.unrecognised
    return [
        Finding(
            "unrecognised_history",
            spec.severity,
            (),
            spec.message.replace("{key}", key),
            spec.action,
            spec.source,
            patient=spec.patient,
        )
        for key, entry in visit.history.items()
        if entry.present and key not in table.default_status
    ]


def _apply(rule: Rule, visit: _Visit, table: RuleTable) -> Finding | None:
    if rule.treatment is not None and rule.treatment != visit.treatment:
        return None
    if rule.condition is not None:
        return _apply_condition(rule, visit, table)
    if not _person_matches(rule, visit):
        return None
    areas: tuple[str, ...] = ()
    if rule.area_requested:
        areas = tuple(area for area in visit.areas if area in rule.area_requested)
        if not areas:
            return None
    if rule.applies_to:
        areas = tuple(area for area in (areas or visit.areas) if area in rule.applies_to)
        if not areas:
            return None
    return _finding(rule, visit, areas, rule.message, rule.action)


def _finding(
    rule: Rule,
    visit: _Visit,
    areas: tuple[str, ...],
    message: str,
    action: str,
    rebook_on: date | None = None,
) -> Finding:
    return Finding(
        rule.id,
        rule.severity,
        areas,
        message,
        action,
        rule.source,
        rebook_on,
        patient=rule.patient,
        conservative_depth=rule.conservative_depth,
        wait_until=_after(visit.day, rule.wait) if rule.wait is not None else None,
    )


def _person_matches(rule: Rule, visit: _Visit) -> bool:
    if rule.age_from is not None and visit.age < rule.age_from:
        return False
    if rule.age_under is not None and visit.age >= rule.age_under:
        return False
    if rule.fitzpatrick_at_least is not None:
        return visit.fitzpatrick is not None and visit.fitzpatrick >= rule.fitzpatrick_at_least
    return True


def _apply_condition(rule: Rule, visit: _Visit, table: RuleTable) -> Finding | None:
    entry = visit.history.get(rule.condition or "")
    if entry is None or not entry.present:
        return None
    message, action = rule.message, rule.action
    if rule.status is not None:
        if entry.is_now is None:
            status = table.default_status[rule.condition or ""]
            if rule.condition in table.status_decides:
                message += " (No status given; confirm with the patient.)"
        else:
            status = "now" if entry.is_now else "before"
        if status != rule.status:
            return None
    if rule.kinds and (entry.kind or KIND_NOT_GIVEN) not in rule.kinds:
        return None
    areas = _condition_areas(rule, visit, entry)
    if areas is None:
        return None
    rebook_on = None
    if rule.window is not None:
        if entry.date is None:
            # The event can have been as late as today: the window may run from today.
            rebook_on = _after(visit.day, rule.window)
            message += (
                f" The date was not given, so this is screened as inside its window:"
                f" ask for the date (it applies for {rule.window.describe()} after it)."
            )
            action += f" Until the date is known, the latest it applies to is {rebook_on}."
        else:
            rebook_on = _after(entry.date, rule.window)
            if visit.day >= rebook_on:
                return None
            action += _until(rule.severity, rebook_on)
    if entry.note:
        # For people only: the note is shown, never read for a verdict.
        message += f" Patient's note: {entry.note}"
    return _finding(rule, visit, areas, message, action, rebook_on)


def _condition_areas(rule: Rule, visit: _Visit, entry: HistoryEntry) -> tuple[str, ...] | None:
    """The requested areas the finding concerns, () for all, None when it does not apply."""
    areas: tuple[str, ...] = ()
    if rule.area_specific:
        # No areas named by the patient: it may be anywhere, so every requested area.
        where = entry.areas or visit.areas
        areas = tuple(area for area in visit.areas if area in where)
        if not areas:
            return None
    if rule.applies_to:
        areas = tuple(area for area in (areas or visit.areas) if area in rule.applies_to)
        if not areas:
            return None
    return areas


def _until(severity: str, day: date) -> str:
    if severity in _REBOOK:
        return f" Rebook on or after {day.isoformat()}."
    return f" This applies until {day.isoformat()}."


def _after(start: date, window: Window) -> date:
    """The first day the window no longer covers (date.max when the calendar runs out)."""
    try:
        if window.unit == "days":
            return start + timedelta(days=window.amount)
        if window.unit == "weeks":
            return start + timedelta(weeks=window.amount)
        return _add_months(start, window.amount)
    except (OverflowError, ValueError):
        return date.max


def _add_months(start: date, months: int) -> date:
    """Calendar months; a day the month lacks becomes its last day (31 Aug + 6 = 28 Feb)."""
    years, month_index = divmod(start.month - 1 + months, 12)
    year = start.year + years
    month = month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
