"""The contraindication rule table: load resources/rules.toml and check every field.

The table is data a clinic's medical lead edits; its format is described at the top of
the TOML file. A mistake in it stops the app with a message naming the rule and the
field (`rules.toml: rule 'sunburn': window_weeks: -2 must be a whole number above 0`),
never a traceback and never a silently ignored rule.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from consult import data
from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import KIND_CONDITION, PROCEDURE_KINDS
from consult.errors import ConsultError

RESOURCE = "rules.toml"
SEVERITIES = ("proceed", "precautions", "clearance", "defer", "decline")  # least -> most serious
RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
STATUSES = ("now", "before")  # now = active/current, before = history/past
WINDOW_UNITS = ("days", "weeks", "months")
TRIGGERS = ("condition", "age_under", "age_from", "fitzpatrick_at_least", "area_requested")
# `kinds` of a laser_or_peel rule: the file's kinds, or "not_given" for a yes without one.
KIND_NOT_GIVEN = "not_given"
_TEXT_KEYS = ("id", "severity", "message", "action", "source", "patient")
_RULE_KEYS = (
    *_TEXT_KEYS,
    *TRIGGERS,
    "status",
    "treatment",
    *(f"window_{unit}" for unit in WINDOW_UNITS),
    *(f"wait_{unit}" for unit in WINDOW_UNITS),
    "area_specific",
    "applies_to",
    "kinds",
    "conservative_depth",
)


@dataclass(frozen=True)
class Window:
    amount: int
    unit: str  # one of WINDOW_UNITS

    def describe(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    message: str  # for the practitioner
    action: str  # for the practitioner
    source: str  # for the practitioner
    patient: str  # the only sentence a patient's document prints about this finding
    condition: str | None = None
    age_from: int | None = None
    age_under: int | None = None
    fitzpatrick_at_least: int | None = None
    area_requested: tuple[str, ...] = ()
    status: str | None = None
    treatment: str | None = None
    window: Window | None = None
    area_specific: bool = False
    applies_to: tuple[str, ...] = ()  # area ids ("face" expanded to the face areas)
    kinds: tuple[str, ...] = ()  # laser_or_peel kinds it is for (KIND_NOT_GIVEN: none said)
    conservative_depth: bool = False  # the depth suggestion turns conservative (depths.toml)
    wait: Window | None = None  # the first session is at least this long after the visit


@dataclass(frozen=True)
class Unrecognised:
    """What to say about a history key that is not in the vocabulary."""

    severity: str
    message: str  # with {key}
    action: str
    source: str
    patient: str


@dataclass(frozen=True)
class RuleTable:
    default_status: dict[str, str]  # the history vocabulary: condition -> "now" | "before"
    rules: tuple[Rule, ...]  # in table order
    unrecognised: Unrecognised
    # Conditions whose status picks between rules (rosacea active/history, ...): an
    # answer without a status there is worth confirming with the patient.
    status_decides: frozenset[str] = frozenset()

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(self.default_status)


@cache
def rule_table() -> RuleTable:
    """The clinic's rule table, read and checked once per process."""
    return parse_rules(data.read_text(RESOURCE))


def parse_rules(text: str) -> RuleTable:
    """Check and build a rule table from the text of a rules file."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConsultError(f"{RESOURCE}: not valid TOML ({exc})") from None
    _only(raw, ("conditions", "unrecognised_history", "rule"), RESOURCE)
    default_status = _conditions(raw.get("conditions"))
    unrecognised = _unrecognised(raw.get("unrecognised_history"))
    entries = raw.get("rule")
    if not isinstance(entries, list) or not entries:
        raise ConsultError(f"{RESOURCE}: at least one [[rule]] is required")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rule = _rule(entry, index, default_status)
        if rule.id in seen:
            raise ConsultError(f"{RESOURCE}: rule {rule.id!r}: id is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return RuleTable(default_status, tuple(rules), unrecognised, _status_decides(rules))


def _status_decides(rules: list[Rule]) -> frozenset[str]:
    statuses: dict[str, set[str]] = {}
    for rule in rules:
        if rule.condition is not None and rule.status is not None:
            statuses.setdefault(rule.condition, set()).add(rule.status)
    return frozenset(condition for condition, seen in statuses.items() if len(seen) > 1)


# --------------------------------------------------------------------------- sections


def _only(entry: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise ConsultError(f"{where}: unknown key {unknown[0]!r}")


def _conditions(value: Any) -> dict[str, str]:
    where = f"{RESOURCE}: conditions"
    if not isinstance(value, dict) or not value:
        raise ConsultError(f"{where}: a [conditions] table of the history vocabulary is required")
    default_status: dict[str, str] = {}
    for key, declared in value.items():
        if not isinstance(declared, dict):
            raise ConsultError(f"{where}.{key}: must be {{ default_status = ... }}")
        _only(declared, ("default_status",), f"{where}.{key}")
        status = declared.get("default_status")
        if status not in STATUSES:
            raise ConsultError(
                f"{where}.{key}.default_status: {status!r} is not one of {', '.join(STATUSES)}"
            )
        default_status[key] = status
    return default_status


def _unrecognised(value: Any) -> Unrecognised:
    where = f"{RESOURCE}: unrecognised_history"
    if not isinstance(value, dict):
        raise ConsultError(f"{where}: an [unrecognised_history] table is required")
    keys = ("severity", "message", "action", "source", "patient")
    _only(value, keys, where)
    texts = {key: _text(value, key, where) for key in keys}
    _severity(texts["severity"], where)
    return Unrecognised(**texts)


# --------------------------------------------------------------------------- one rule


def _rule(entry: Any, index: int, default_status: dict[str, str]) -> Rule:
    if not isinstance(entry, dict):
        raise ConsultError(f"{RESOURCE}: rule[{index}]: must be a table")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", rule_id):
        raise ConsultError(f"{RESOURCE}: rule[{index}]: id: {rule_id!r} must be a lower_case name")
    where = f"{RESOURCE}: rule {rule_id!r}"
    _only(entry, _RULE_KEYS, where)
    texts = {key: _text(entry, key, where) for key in _TEXT_KEYS}
    _severity(texts["severity"], where)
    triggers = [key for key in TRIGGERS if key in entry]
    if not triggers:
        raise ConsultError(f"{where}: needs a trigger: one of {', '.join(TRIGGERS)}")
    age_only = set(triggers) <= {"age_from", "age_under"}
    if len(triggers) > 1 and not age_only:
        raise ConsultError(
            f"{where}: {triggers[1]}: only one trigger per rule ({triggers[0]} is set)"
        )
    condition = entry.get("condition")
    if condition is not None and condition not in default_status:
        raise ConsultError(
            f"{where}: condition: {condition!r} is not in the [conditions] vocabulary"
        )
    _history_only(entry, where, condition)
    return Rule(
        **texts,
        condition=condition,
        age_from=_whole(entry, "age_from", where, minimum=0),
        age_under=_whole(entry, "age_under", where, minimum=1),
        fitzpatrick_at_least=_fitzpatrick(entry, where),
        area_requested=_areas(entry, "area_requested", where),
        status=_choice(entry, "status", STATUSES, where),
        treatment=_choice(entry, "treatment", tuple(catalogue().treatments), where),
        window=_window(entry, where),
        area_specific=_flag(entry, "area_specific", where),
        applies_to=_areas(entry, "applies_to", where),
        kinds=_kinds(entry, where, condition),
        conservative_depth=_flag(entry, "conservative_depth", where),
        wait=_window(entry, where, prefix="wait"),
    )


def _history_only(entry: dict[str, Any], where: str, condition: str | None) -> None:
    """Fields that read a history answer make no sense on an age or skin-type rule."""
    if condition is not None:
        return
    for key in ("status", "area_specific", "kinds"):
        if key in entry:
            raise ConsultError(f"{where}: {key}: only a condition rule can use it")
    if any(f"window_{unit}" in entry for unit in WINDOW_UNITS):
        raise ConsultError(f"{where}: a time window needs a condition with a date")


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if value is None:
        raise ConsultError(f"{where}: {key}: is required")
    if not isinstance(value, str) or not value.strip():
        raise ConsultError(f"{where}: {key}: must be non-empty text")
    return value


def _severity(value: str, where: str) -> None:
    if value not in SEVERITIES:
        raise ConsultError(f"{where}: severity: {value!r} is not one of {', '.join(SEVERITIES)}")


def _choice(entry: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str | None:
    value = entry.get(key)
    if value is not None and value not in allowed:
        raise ConsultError(f"{where}: {key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _whole(entry: dict[str, Any], key: str, where: str, minimum: int) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConsultError(
            f"{where}: {key}: {value!r} must be a whole number of at least {minimum}"
        )
    return value


def _fitzpatrick(entry: dict[str, Any], where: str) -> int | None:
    value = _whole(entry, "fitzpatrick_at_least", where, minimum=1)
    if value is not None and value > 6:
        raise ConsultError(f"{where}: fitzpatrick_at_least: {value} must be 1 to 6")
    return value


def _flag(entry: dict[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise ConsultError(f"{where}: {key}: {value!r} must be true or false")
    return value


def _window(entry: dict[str, Any], where: str, prefix: str = "window") -> Window | None:
    given = [unit for unit in WINDOW_UNITS if f"{prefix}_{unit}" in entry]
    if len(given) > 1:
        what = "time window" if prefix == "window" else "wait"
        raise ConsultError(f"{where}: {prefix}_{given[1]}: only one {what} per rule")
    if not given:
        return None
    amount = _whole(entry, f"{prefix}_{given[0]}", where, minimum=1)
    assert amount is not None  # the key is present
    return Window(amount, given[0])


def _areas(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if value == "face":
        return catalogue().face_areas()
    if not isinstance(value, list) or not value:
        raise ConsultError(f'{where}: {key}: must be "face" or a list of area ids')
    for area in value:
        if area not in catalogue().areas:
            raise ConsultError(f"{where}: {key}: {area!r} is not a known area")
    return tuple(dict.fromkeys(value))


def _kinds(entry: dict[str, Any], where: str, condition: str | None) -> tuple[str, ...]:
    value = entry.get("kinds")
    if value is None:
        return ()
    if condition != KIND_CONDITION:
        raise ConsultError(f"{where}: kinds: only a {KIND_CONDITION} rule has kinds")
    allowed = (*PROCEDURE_KINDS, KIND_NOT_GIVEN)
    if not isinstance(value, list) or not value:
        raise ConsultError(f"{where}: kinds: must be a list of {', '.join(allowed)}")
    for kind in value:
        if kind not in allowed:
            raise ConsultError(f"{where}: kinds: {kind!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(value))
