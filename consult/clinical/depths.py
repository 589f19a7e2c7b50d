"""Suggested needle depth per area and concern, read from resources/depths.toml.

The figures are guidance (mostly industry charts): the app shows them as a starting
point the practitioner adjusts. The rules for combining area and concern are described
at the top of the TOML file, next to the figures a medical lead edits.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from typing import Any

from consult import data
from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError

RESOURCE = "depths.toml"
KINDS = ("rejuvenation", "scars")
# An area with no concern ticked is planned as general rejuvenation.
DEFAULT_CONCERN = "texture"
GUIDANCE = "⚠ Guidance: adjust to the patient's skin."


@dataclass(frozen=True)
class DepthRange:
    min_mm: Decimal  # also the depth to start at
    max_mm: Decimal
    note: str
    source: str
    conservative: bool = False  # narrowed by depths.toml [conservative]

    def contains(self, low: Decimal, high: Decimal) -> bool:
        """Whether a planned range lies within this suggestion."""
        return self.min_mm <= low and high <= self.max_mm


@dataclass(frozen=True)
class Conservative:
    """How a suggestion narrows for skin at risk (Fitzpatrick V–VI, "conservative depth")."""

    start_mm: dict[str, Decimal]  # area -> the depth to start at there
    note: str
    source: str


@dataclass(frozen=True)
class _Span:
    low: Decimal
    high: Decimal

    def overlap(self, other: _Span) -> _Span | None:
        low, high = max(self.low, other.low), min(self.high, other.high)
        return _Span(low, high) if low <= high else None


@dataclass(frozen=True)
class _Concern:
    kind: str
    span: _Span
    never_over: Decimal | None
    source: str


@dataclass(frozen=True)
class _Area:
    spans: dict[str, _Span]
    source: str


@dataclass(frozen=True)
class DepthTable:
    face_max: Decimal
    body_max: Decimal
    limits_source: str
    treatments: dict[str, tuple[str, str]]  # treatment -> (note, source)
    concerns: dict[str, _Concern]
    areas: dict[str, _Area]
    conservative: Conservative


def suggested_depth(
    area: str, concerns: Sequence[str], treatment: str, conservative: bool = False
) -> DepthRange:
    """The depth range to suggest for `concerns` on `area` with `treatment`.

    `conservative` (a finding asks for conservative depth): the deepest becomes the middle
    of the normal range and the start its shallowest (depths.toml [conservative]).
    """
    table = depth_table()
    if area not in table.areas:
        raise ConsultError(f"area: {area!r} is not a known area")
    if treatment not in table.treatments:
        raise ConsultError(f"treatment: {treatment!r} is not a known treatment")
    notes: list[str] = [table.treatments[treatment][0]]
    sources: list[str] = [table.treatments[treatment][1], table.areas[area].source]
    spans: list[_Span] = []
    for concern in dict.fromkeys(concerns or (DEFAULT_CONCERN,)):
        if concern not in table.concerns:
            raise ConsultError(f"concerns: {concern!r} is not a known concern")
        spans.append(_span_for(table, area, concern, notes))
        sources.append(table.concerns[concern].source)
    low = min(span.low for span in spans)
    high = max(span.high for span in spans)
    high = _apply_caps(table, area, concerns or (DEFAULT_CONCERN,), high, notes)
    low = min(low, high)
    if conservative:
        rule = table.conservative
        high = tidy_mm(((low + high) / 2).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))
        low = min(low, rule.start_mm.get(area, low), high)
        notes.append(rule.note)
        sources.append(rule.source)
    notes.append(GUIDANCE)
    return DepthRange(
        low, high, " ".join(notes), "; ".join(dict.fromkeys(sources)), conservative
    )


def _span_for(table: DepthTable, area: str, concern: str, notes: list[str]) -> _Span:
    rule = table.concerns[concern]
    area_spans = table.areas[area].spans
    span = area_spans.get(rule.kind)
    if span is None:
        # No chart figure for this kind of work here: the shallower range is the safe one.
        span = area_spans["rejuvenation"]
        notes.append(
            f"No {rule.kind} depth is charted for {_label(area)}; the rejuvenation range is given."
        )
    # Where area and concern disagree completely, the area is the safety limit.
    return span.overlap(rule.span) or span


def tidy_mm(depth: Decimal) -> Decimal:
    """1.50 as 1.5, 2 as 2.0, 0.37 as it is: the figures read as the chart's do."""
    tenths = depth.quantize(Decimal("0.1"))
    return tenths if tenths == depth else depth.normalize()


def _apply_caps(
    table: DepthTable, area: str, concerns: Sequence[str], high: Decimal, notes: list[str]
) -> Decimal:
    is_face = catalogue().area(area).is_face
    cap = table.face_max if is_face else table.body_max
    if high > cap:
        notes.append(f"Capped at {cap} mm by default on the {'face' if is_face else 'body'}.")
        high = cap
    for concern in dict.fromkeys(concerns):
        never_over = table.concerns[concern].never_over
        if never_over is not None and high > never_over:
            label = catalogue().concerns[concern].lower()
            notes.append(f"Capped at {never_over} mm: never deeper for {label}.")
            high = never_over
    return high


def _label(area: str) -> str:
    return catalogue().area(area).label.lower()


# --------------------------------------------------------------------------- loading


@cache
def depth_table() -> DepthTable:
    """The shipped depth table, read and checked once per process."""
    return parse_depths(data.read_text(RESOURCE))


def parse_depths(text: str) -> DepthTable:
    """Check and build the depth table from the text of a depths file."""
    try:
        # Decimals straight from the text: 0.25 mm stays exactly 0.25.
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConsultError(f"{RESOURCE}: not valid TOML ({exc})") from None
    _only(raw, ("limits", "treatment", "concern", "area", "conservative"), RESOURCE)
    limits = _table_at(raw, "limits", RESOURCE)
    _only(limits, ("face_max_mm", "body_max_mm", "source"), "limits")
    treatments = {
        key: _treatment(value, f"treatment.{key}")
        for key, value in _table_at(raw, "treatment", RESOURCE).items()
    }
    concerns = {
        key: _concern(value, f"concern.{key}")
        for key, value in _table_at(raw, "concern", RESOURCE).items()
    }
    areas = {
        key: _area(value, f"area.{key}") for key, value in _table_at(raw, "area", RESOURCE).items()
    }
    _same_ids("treatment", treatments, catalogue().treatments)
    _same_ids("concern", concerns, catalogue().concerns)
    _same_ids("area", areas, catalogue().areas)
    return DepthTable(
        _millimetres(limits, "face_max_mm", "limits"),
        _millimetres(limits, "body_max_mm", "limits"),
        _text(limits, "source", "limits"),
        treatments,
        concerns,
        areas,
        _conservative(_table_at(raw, "conservative", RESOURCE)),
    )


def _conservative(entry: dict[str, Any]) -> Conservative:
    where = "conservative"
    _only(entry, ("start_mm", "note", "source"), where)
    starts = entry.get("start_mm", {})
    if not isinstance(starts, dict):
        raise _fail(f"{where}.start_mm", "must be a table of area = depth in mm")
    for area in starts:
        if area not in catalogue().areas:
            raise _fail(f"{where}.start_mm.{area}", "is not a known area")
    return Conservative(
        {area: _millimetres(starts, area, f"{where}.start_mm") for area in starts},
        _text(entry, "note", where),
        _text(entry, "source", where),
    )


def _fail(where: str, problem: str) -> ConsultError:
    return ConsultError(f"{RESOURCE}: {where}: {problem}")


def _only(entry: dict[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}")


def _table_at(entry: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = entry.get(key)
    if not isinstance(value, dict):
        raise _fail(where, f"a [{key}] table is required")
    return value


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", "must be non-empty text")
    return value


def _millimetres(entry: dict[str, Any], key: str, where: str) -> Decimal:
    value = entry.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value > 0:
        raise _fail(f"{where}.{key}", f"{value!r} must be a depth in mm above 0")
    return value


def _range(entry: dict[str, Any], key: str, where: str) -> _Span:
    value = entry.get(key)
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(f"{where}.{key}", "must be [shallowest, deepest] in mm")
    low = _millimetres({"low": value[0]}, "low", f"{where}.{key}")
    high = _millimetres({"high": value[1]}, "high", f"{where}.{key}")
    if low > high:
        raise _fail(f"{where}.{key}", f"{low} is deeper than {high}")
    return _Span(low, high)


def _treatment(entry: Any, where: str) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise _fail(where, "must be a table")
    _only(entry, ("note", "source"), where)
    return _text(entry, "note", where), _text(entry, "source", where)


def _concern(entry: Any, where: str) -> _Concern:
    if not isinstance(entry, dict):
        raise _fail(where, "must be a table")
    _only(entry, ("kind", "range", "never_over", "source"), where)
    kind = entry.get("kind")
    if kind not in KINDS:
        raise _fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    never_over = _millimetres(entry, "never_over", where) if "never_over" in entry else None
    return _Concern(kind, _range(entry, "range", where), never_over, _text(entry, "source", where))


def _area(entry: Any, where: str) -> _Area:
    if not isinstance(entry, dict):
        raise _fail(where, "must be a table")
    _only(entry, (*KINDS, "source"), where)
    if "rejuvenation" not in entry:
        raise _fail(f"{where}.rejuvenation", "is required")
    spans = {kind: _range(entry, kind, where) for kind in KINDS if kind in entry}
    return _Area(spans, _text(entry, "source", where))


def _same_ids(kind: str, table: dict[str, Any], known: dict[str, Any]) -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise _fail(f"{kind}.{unknown[0]}", f"is not a known {kind}")
    missing = [key for key in known if key not in table]
    if missing:
        raise _fail(kind, f"no entry for {', '.join(missing)}")
