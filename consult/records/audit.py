"""Reading the audit trail: its filter, rows, listing pages and the chain check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from consult.errors import InvalidField

# --------------------------------------------------------------------------- audit queries

@dataclass(frozen=True)
class AuditFilter:
    """Which events to list; empty text or None means "any"."""

    username: str | None = None  # exactly as recorded (sign-in attempts name who tried)
    patient: str = ""  # a patient id (digits) or words starting the patient's name
    action: str | None = None
    outcome: str | None = None
    date_from: date | None = None  # inclusive, this computer's local day
    date_to: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidField("date_to", "the end of the date range is before its start")

    def described(self) -> dict[str, str]:
        """The filter as recorded in the audit event of a listing (only what is set)."""
        fields = {
            "username": self.username,
            "patient": self.patient.strip(),
            "action": self.action,
            "outcome": self.outcome,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in fields.items() if value}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    workstation: str
    patient_id: int | None
    patient_name: str | None  # None when the event names no patient or an unknown id
    action: str
    outcome: str
    detail: str  # canonical JSON, as recorded


@dataclass(frozen=True)
class Listing:
    """The first page of a listing and the number of events it covers in all."""

    rows: tuple[AuditRow, ...]
    total: int


@dataclass(frozen=True)
class FilterChoices:
    """The values that occur in the trail, for the filters' drop-down lists."""

    usernames: tuple[str, ...]
    actions: tuple[str, ...]
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of checking the hash chain: intact when `problems` is empty."""

    events: int  # how many events the trail held when the check began
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # legitimate history worth telling: restores from backups
    missing_key: str | None = None  # why this workstation could not check the seals

    @property
    def intact(self) -> bool:
        return not self.problems and self.missing_key is None
