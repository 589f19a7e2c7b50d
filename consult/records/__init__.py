"""The records the services hand out: plain frozen values, no database behind them.

Screens and commands receive these from `consult.services` and never see an ORM row,
a session or a query, so nothing they hold can change the database behind the
service's back, and `ui/` needs neither SQLAlchemy nor `consult.storage`. The storage
repositories build them; they live here, below both, so neither imports the other's
types.

The values most screens and repositories need are here; the rest live in one module per
workspace (consultations, quotes, manager, audit, course, photos), imported by what
uses them, so a start of the app does not build the forty-odd classes it never uses
(creating a frozen dataclass costs Python most of a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from consult.access import Actor
from consult.clinic.settings import ClinicSettings
from consult.clinical import fileformat
from consult.errors import ConsultError

QUOTE_STATUSES = ("draft", "presented", "accepted", "declined", "expired")
APPROVALS = ("not_needed", "pending", "approved", "rejected")
_SETTINGS_KEYS = tuple(f.name for f in fields(ClinicSettings))


# --------------------------------------------------------------------------- patients

@dataclass(frozen=True)
class PatientRecord:
    id: int
    name: str
    date_of_birth: date
    fitzpatrick: int | None
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    def as_patient(self) -> fileformat.Patient:
        """The consult/1 patient, for screening, quoting and documents."""
        return fileformat.Patient(
            self.name, self.date_of_birth, self.fitzpatrick, self.email, self.phone
        )


@dataclass(frozen=True)
class MergeResult:
    kept: PatientRecord
    removed_id: int
    moved: dict[str, int]  # table -> rows that now name the kept patient


# --------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class StoredSettings:
    """The settings as stored: every ClinicSettings field, the logo and the row version."""

    name: str
    address: str
    phone: str
    email: str
    currency: str
    locale: str
    tax_rate: Decimal
    course_discount_percent: Decimal
    manual_discount_limit_percent: Decimal
    quote_validity_days: int
    idle_lock_minutes: int
    time_zone: str
    photo_long_edge: int
    logo: bytes | None
    version: int

    @property
    def pricing(self) -> ClinicSettings:
        """The validated settings the quote engine prices with."""
        return ClinicSettings(**{key: getattr(self, key) for key in _SETTINGS_KEYS})


# --------------------------------------------------------------------------- users

@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: datetime
    locked_until: datetime | None = None  # UTC; in the past once the lock has run out

    def actor(self, workstation: str) -> Actor:
        return Actor(self.id, self.username, self.role, workstation)

    def locked_at(self, now: datetime) -> bool:
        """Whether the account refuses sign-in at `now`."""
        return self.locked_until is not None and self.locked_until > now


# --------------------------------------------------------------------------- exchange

@dataclass(frozen=True)
class ImportResult:
    patient_id: int
    consultation_id: int
    patient_created: bool
    consultation_version: int
    contact_updated: tuple[str, ...] = ()  # fields of a registered patient the file changed


# What to do when the file's patient is already registered (see the module's doc).
KEEP_STORED = "keep"
USE_FILE = "file"
NEW_PATIENT = "new"
EXISTING_CHOICES = (KEEP_STORED, USE_FILE, NEW_PATIENT)


class PatientAlreadyRegistered(ConsultError):
    """The file's patient matches a registered one: the practitioner must choose.

    `stored` is the registered patient as it is now (its `version` goes back with the
    choice, so a record changed meanwhile is not overwritten); `incoming` is the file's.
    """

    def __init__(self, stored: PatientRecord, incoming: fileformat.Patient) -> None:
        self.stored = stored
        self.incoming = incoming
        super().__init__(
            f"{stored.name}, born {stored.date_of_birth.isoformat()}, is already registered "
            f"(patient {stored.id}): say whether the file's consultation goes to that record "
            f'keeping its contact details ("{KEEP_STORED}"), goes to it with the file\'s '
            f'contact details ("{USE_FILE}"), or to a new patient ("{NEW_PATIENT}")'
        )
