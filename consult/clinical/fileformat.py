"""The public `consult/1` consultation file: load, validate, save.

The format is specified in shared/spec/consultation-format.md. Loading validates every
field and raises `InvalidField` naming the first bad one
(`history.isotretinoin.date: "2026-02-30" is not a date`). Unknown keys are kept so a
file round-trips exactly: `dumps(loads(text))` gives the same data back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Literal, overload

from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError, InvalidField
from consult.protection import atomic
from consult.protection.input_files import read_input
from consult.protection.safe_text import check_text

FORMAT = "consult/1"
STATUSES = ("active", "history", "current", "past")
# `laser_or_peel.kind`, from the gentlest to the most cautious window (the spec's list).
PROCEDURE_KINDS = (
    "non_ablative_laser",
    "ipl",
    "rf",
    "superficial_peel",
    "medium_peel",
    "deep_peel",
    "ablative_laser",
    "dermabrasion",
)
KIND_CONDITION = "laser_or_peel"  # the one history item that carries a `kind`
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PATIENT_KEYS = ("name", "date_of_birth", "fitzpatrick", "email", "phone")
_ENTRY_KEYS = ("status", "date", "areas", "note")
_KIND = "kind"
_TOP_KEYS = ("format", "consultation_date", "patient", "treatment", "areas", "history")
# Upper bounds keep a hostile or broken file from exhausting memory in the PDFs and UI.
MAX_TEXT = 2000
# The longest number literal accepted anywhere in a file (a date is text, a Fitzpatrick
# type one digit): longer ones are bad input, never a conversion attempted.
MAX_NUMBER_DIGITS = 100


@dataclass(frozen=True)
class Patient:
    name: str
    date_of_birth: date
    fitzpatrick: int | None = None
    email: str | None = None
    phone: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def age_on(self, day: date) -> int:
        """Whole years of age on `day` (a 29 February birthday counts on 1 March)."""
        had_birthday = (day.month, day.day) >= (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - (0 if had_birthday else 1)


@dataclass(frozen=True)
class AreaRequest:
    area: str
    concerns: tuple[str, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """One answer of the medical history.

    `present` is False for an explicit "no". `as_flag` remembers that the file said a
    bare `true`/`false`, so it is written back the same way.
    """

    present: bool = True
    status: str | None = None
    date: date | None = None
    areas: tuple[str, ...] = ()
    note: str | None = None
    as_flag: bool = False
    kind: str | None = None  # laser_or_peel only: one of PROCEDURE_KINDS
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_now(self) -> bool | None:
        """True for active/current, False for history/past, None when not said."""
        if self.status is None:
            return None
        return self.status in ("active", "current")


@dataclass(frozen=True)
class Consultation:
    consultation_date: date
    patient: Patient
    treatment: str
    areas: tuple[AreaRequest, ...]
    history: Mapping[str, HistoryEntry] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def area_ids(self) -> tuple[str, ...]:
        return tuple(request.area for request in self.areas)

    def present_history(self) -> dict[str, HistoryEntry]:
        """The conditions the patient said yes to."""
        return {key: entry for key, entry in self.history.items() if entry.present}


# --------------------------------------------------------------------------- loading


def load(path: str | Path) -> Consultation:
    """Read and validate a consult/1 file; every problem is a `ConsultError`."""
    file = Path(path)
    raw = read_input(file, "consultation file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConsultError(f"{file}: is not UTF-8 text") from None
    return loads(text, source=str(file))


def loads(text: str, source: str = "input") -> Consultation:
    overlong: list[_OverlongNumber] = []
    try:
        document = json.loads(
            text,
            parse_int=partial(_number, int, overlong),
            parse_float=partial(_number, float, overlong),
        )
    except json.JSONDecodeError as exc:
        raise ConsultError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ConsultError(f"{source}: nested too deeply to be a consultation file") from None
    _require_valid_unicode(document, source)
    if overlong:
        _refuse_overlong_number(document)
    return from_dict(document)


class _OverlongNumber(str):
    """A number literal too long to be a value of any field (kept as its text)."""


def _number(convert: Callable[[str], Any], overlong: list[_OverlongNumber], literal: str) -> Any:
    """A JSON number, or a marker for one longer than MAX_NUMBER_DIGITS.

    Python refuses to turn a string of more than 4,300 digits into an int (a ValueError
    that would otherwise surface as an internal error), and converting a long one takes
    time quadratic in its length; no field of the format needs more than a few digits.
    """
    if len(literal) > MAX_NUMBER_DIGITS:
        marker = _OverlongNumber(literal)
        overlong.append(marker)
        return marker
    return convert(literal)


def _refuse_overlong_number(document: Any) -> None:
    """InvalidField naming where the first overlong number is (iteratively: no depth limit)."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, _OverlongNumber):
            raise InvalidField(
                path,
                f"is a number {len(value):,} characters long; "
                f"numbers in a consultation file have at most {MAX_NUMBER_DIGITS}",
            )
        if isinstance(value, dict):
            children = [(f"{path}.{key}" if path else key, item) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        else:
            continue
        pending.extend(reversed(children))  # the first in the file is found first


def _require_valid_unicode(document: Any, source: str) -> None:
    """JSON's \\ud800-style escapes can smuggle in text no file or PDF can hold; refuse it."""
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ConsultError(
            f"{source}: contains an unpaired surrogate escape (such as \\ud800), not valid text"
        ) from None


def from_dict(document: Any) -> Consultation:
    if not isinstance(document, dict):
        raise InvalidField("", "a consultation file must be a JSON object")
    fmt = document.get("format")
    if fmt is None:
        raise InvalidField("format", "is required")
    if fmt != FORMAT:
        raise InvalidField("format", f"{_show(fmt)} is not supported (expected {FORMAT!r})")
    consultation_date = _date(document, "consultation_date", "consultation_date", required=True)
    patient = _patient(document.get("patient"), consultation_date)
    treatment = _treatment(document.get("treatment"))
    areas = _areas(document.get("areas"))
    history = _history(document.get("history", {}))
    extra = {key: value for key, value in document.items() if key not in _TOP_KEYS}
    _check_optional_text(extra)
    return Consultation(consultation_date, patient, treatment, areas, history, extra)


def _check_optional_text(extra: Mapping[str, Any]) -> None:
    """The optional keys people write in (the spec's `practitioner` and override reason)
    are held to the same rule as the patient's name and notes; their other checks are
    where they are used (consult.documents.build)."""
    practitioner = extra.get("practitioner")
    if isinstance(practitioner, str):
        check_text(practitioner, "practitioner")
    override = extra.get("screening_override")
    if isinstance(override, Mapping) and isinstance(override.get("reason"), str):
        check_text(override["reason"], "screening_override.reason", multiline=True)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@overload
def _date(container: dict[str, Any], key: str, path: str, required: Literal[True]) -> date: ...
@overload
def _date(
    container: dict[str, Any], key: str, path: str, required: bool = False
) -> date | None: ...
def _date(
    container: dict[str, Any], key: str, path: str, required: bool = False
) -> date | None:
    if key not in container or container[key] is None:
        if required:
            raise InvalidField(path, "is required")
        return None
    value = container[key]
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise InvalidField(path, f"{_show(value)} is not a date (use YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(path, f"{_show(value)} is not a date") from None


@overload
def _text(
    container: dict[str, Any],
    key: str,
    path: str,
    required: Literal[True],
    multiline: bool = False,
) -> str: ...
@overload
def _text(
    container: dict[str, Any], key: str, path: str, required: bool = False, multiline: bool = False
) -> str | None: ...
def _text(
    container: dict[str, Any], key: str, path: str, required: bool = False, multiline: bool = False
) -> str | None:
    value = container.get(key)
    if value is None:
        if required:
            raise InvalidField(path, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidField(path, f"{_show(value)} must be text")
    if required and not value.strip():
        raise InvalidField(path, "must not be empty")
    if len(value) > MAX_TEXT:
        raise InvalidField(path, f"is longer than {MAX_TEXT} characters")
    return check_text(value, path, multiline=multiline)


def _patient(value: Any, consultation_date: date) -> Patient:
    if value is None:
        raise InvalidField("patient", "is required")
    if not isinstance(value, dict):
        raise InvalidField("patient", "must be an object")
    name = _text(value, "name", "patient.name", required=True)
    born = _date(value, "date_of_birth", "patient.date_of_birth", required=True)
    if born > consultation_date:
        raise InvalidField(
            "patient.date_of_birth", f"{born.isoformat()} is after the consultation date"
        )
    fitzpatrick = value.get("fitzpatrick")
    if fitzpatrick is not None and (
        isinstance(fitzpatrick, bool)
        or not isinstance(fitzpatrick, int)
        or not 1 <= fitzpatrick <= 6
    ):
        raise InvalidField(
            "patient.fitzpatrick", f"{_show(fitzpatrick)} must be a whole number 1 to 6"
        )
    email = _text(value, "email", "patient.email")
    if email is not None and email and "@" not in email:
        raise InvalidField("patient.email", f"{_show(email)} is not an e-mail address")
    phone = _text(value, "phone", "patient.phone")
    extra = {key: item for key, item in value.items() if key not in _PATIENT_KEYS}
    return Patient(name, born, fitzpatrick, email, phone, extra)


def _treatment(value: Any) -> str:
    if value is None:
        raise InvalidField("treatment", "is required")
    known = catalogue().treatments
    if not isinstance(value, str) or value not in known:
        raise InvalidField("treatment", f"{_show(value)} is not one of {', '.join(known)}")
    return value


def _area_id(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in catalogue().areas:
        raise InvalidField(path, f"{_show(value)} is not a known area")
    return value


def _areas(value: Any) -> tuple[AreaRequest, ...]:
    if value is None:
        raise InvalidField("areas", "is required")
    if not isinstance(value, list):
        raise InvalidField("areas", "must be a list")
    if not value:
        raise InvalidField("areas", "must name at least one area")
    requests: list[AreaRequest] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        path = f"areas[{index}]"
        if not isinstance(item, dict):
            raise InvalidField(path, "must be an object with an area and its concerns")
        area = _area_id(item.get("area"), f"{path}.area")
        if area in seen:
            raise InvalidField(f"{path}.area", f"{area!r} is listed twice")
        seen.add(area)
        concerns = item.get("concerns", [])
        if not isinstance(concerns, list):
            raise InvalidField(f"{path}.concerns", "must be a list")
        for c_index, concern in enumerate(concerns):
            if not isinstance(concern, str) or concern not in catalogue().concerns:
                raise InvalidField(
                    f"{path}.concerns[{c_index}]", f"{_show(concern)} is not a known concern"
                )
        requests.append(AreaRequest(area, tuple(dict.fromkeys(concerns))))
    return tuple(requests)


def _history(value: Any) -> dict[str, HistoryEntry]:
    if not isinstance(value, dict):
        raise InvalidField("history", "must be an object")
    return {
        key: _entry(item, f"history.{key}", with_kind=key == KIND_CONDITION)
        for key, item in value.items()
    }


def _entry(value: Any, path: str, with_kind: bool = False) -> HistoryEntry:
    if isinstance(value, bool):
        return HistoryEntry(present=value, as_flag=True)
    if not isinstance(value, dict):
        raise InvalidField(path, f"{_show(value)} must be true, false or an object")
    status = value.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidField(f"{path}.status", f"{_show(status)} is not one of {', '.join(STATUSES)}")
    when = _date(value, "date", f"{path}.date")
    areas = value.get("areas", [])
    if not isinstance(areas, list):
        raise InvalidField(f"{path}.areas", "must be a list of area ids")
    area_ids = tuple(
        dict.fromkeys(_area_id(area, f"{path}.areas[{i}]") for i, area in enumerate(areas))
    )
    note = _text(value, "note", f"{path}.note", multiline=True)
    kind = _kind(value.get(_KIND), f"{path}.{_KIND}") if with_kind else None
    known = (*_ENTRY_KEYS, _KIND) if with_kind else _ENTRY_KEYS
    extra = {key: item for key, item in value.items() if key not in known}
    return HistoryEntry(True, status, when, area_ids, note, False, kind, extra)


def _kind(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in PROCEDURE_KINDS:
        raise InvalidField(path, f"{_show(value)} is not one of {', '.join(PROCEDURE_KINDS)}")
    return value


# --------------------------------------------------------------------------- saving


def to_dict(consultation: Consultation) -> dict[str, Any]:
    patient = consultation.patient
    patient_out: dict[str, Any] = {
        "name": patient.name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    for key in ("fitzpatrick", "email", "phone"):
        if getattr(patient, key) is not None:
            patient_out[key] = getattr(patient, key)
    patient_out.update(patient.extra)
    document: dict[str, Any] = {
        "format": FORMAT,
        "consultation_date": consultation.consultation_date.isoformat(),
        "patient": patient_out,
        "treatment": consultation.treatment,
        "areas": [
            {"area": request.area, "concerns": list(request.concerns)}
            for request in consultation.areas
        ],
        "history": history_out(consultation.history),
    }
    document.update(consultation.extra)
    return document


def history_out(history: Mapping[str, HistoryEntry]) -> dict[str, Any]:
    """History entries as consult/1 writes them (a consultation's, or a session's changes)."""
    return {key: _entry_out(entry) for key, entry in history.items()}


def _entry_out(entry: HistoryEntry) -> Any:
    if entry.as_flag or not entry.present:
        return entry.present
    out: dict[str, Any] = {}
    if entry.status is not None:
        out["status"] = entry.status
    if entry.date is not None:
        out["date"] = entry.date.isoformat()
    if entry.areas:
        out["areas"] = list(entry.areas)
    if entry.kind is not None:
        out[_KIND] = entry.kind
    if entry.note is not None:
        out["note"] = entry.note
    out.update(entry.extra)
    return out if out else True


def dumps(consultation: Consultation) -> str:
    return json.dumps(to_dict(consultation), ensure_ascii=False, indent=2) + "\n"


def save(consultation: Consultation, path: str | Path) -> Path:
    """Write atomically: a crash leaves either the old file or the new one."""
    return atomic.write_text(path, dumps(consultation))
