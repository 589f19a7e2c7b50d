"""The records the services hand out: plain frozen values, no database behind them.

Screens and commands receive these from `consult.services` and never see an ORM row,
a session or a query, so nothing they hold can change the database behind the
service's back, and `ui/` needs neither SQLAlchemy nor `consult.storage`. The storage
repositories build them; they live here, below both, so neither imports the other's
types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from consult.access import Actor
from consult.clinic.settings import ClinicSettings
from consult.clinical import fileformat
from consult.clinical.fileformat import Consultation
from consult.errors import ConsultError, InvalidField

QUOTE_STATUSES = ("draft", "presented", "accepted", "declined", "expired")
APPROVALS = ("not_needed", "pending", "approved", "rejected")
# The manager's quote listing sorts by these (consult.storage.manager_queries maps them).
SORT_COLUMNS = ("id", "created", "patient", "practitioner", "status", "approval", "total")
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


# --------------------------------------------------------------------------- consultations

@dataclass(frozen=True)
class ConsultationSummary:
    """One line of a patient's list of consultations (no medical history in it)."""

    id: int
    patient_id: int
    practitioner_id: int | None
    consultation_date: date
    treatment: str
    status: str
    screening_verdict: str | None
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class ConsultationRecord:
    id: int
    patient_id: int
    practitioner_id: int | None
    status: str
    consultation: Consultation  # the consult/1 view, patient details as stored now
    screening_verdict: str | None
    screening: Mapping[str, Any] | None = field(compare=False)
    override_reason: str | None
    draft_step: int
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def consultation_date(self) -> date:
        return self.consultation.consultation_date

    @property
    def treatment(self) -> str:
        return self.consultation.treatment


# --------------------------------------------------------------------------- consents

@dataclass(frozen=True)
class ConsentInfo:
    """A stored document's details, without the PDF bytes."""

    id: int
    consultation_id: int
    patient_id: int
    kind: str
    sha256: str
    size: int
    signed_at: datetime | None
    patient_signed_name: str | None
    practitioner_id: int | None
    supersedes_id: int | None
    created_at: datetime
    document_number: str | None = None  # printed on the sealed PDF


# --------------------------------------------------------------------------- quotes

@dataclass(frozen=True)
class QuoteLineRecord:
    position: int
    kind: str
    item: str
    description: str
    unit_price: Decimal
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class QuoteRecord:
    id: int
    consultation_id: int
    patient_id: int
    practitioner_id: int | None
    price_list_version_id: int
    status: str
    approval: str
    approval_comment: str | None
    approved_by: int | None
    currency: str
    sessions: int
    interval_weeks: int
    tax_rate: Decimal
    course_discount_percent: Decimal
    manual_discount_percent: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    valid_until: date
    created_at: datetime
    updated_at: datetime
    version: int
    lines: tuple[QuoteLineRecord, ...] = ()


@dataclass(frozen=True)
class QuotePage:
    quotes: tuple[QuoteRecord, ...]
    next_after: tuple[datetime, int] | None  # pass back as `after` for the next page


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


# --------------------------------------------------------------------------- prices

@dataclass(frozen=True)
class PriceListInfo:
    id: int
    created_at: datetime
    created_by: str
    note: str
    items: int


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


# --------------------------------------------------------------------------- manager queries

@dataclass(frozen=True)
class QuoteFilter:
    """Which quotes to list; an empty set or None means "any"."""

    statuses: frozenset[str] = frozenset()
    approvals: frozenset[str] = frozenset()
    practitioner_id: int | None = None
    created_from: date | None = None  # inclusive, the clinic's local day
    created_to: date | None = None  # inclusive
    patient_name: str = ""

    def __post_init__(self) -> None:
        unknown = sorted(self.statuses - set(QUOTE_STATUSES))
        if unknown:
            choices = ", ".join(QUOTE_STATUSES)
            raise InvalidField("status", f'"{unknown[0]}" is not one of {choices}')
        unknown = sorted(self.approvals - set(APPROVALS))
        if unknown:
            raise InvalidField("approval", f'"{unknown[0]}" is not one of {", ".join(APPROVALS)}')
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise InvalidField("created_to", "the end of the date range is before its start")


@dataclass(frozen=True)
class QuoteSort:
    column: str = "created"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise InvalidField("sort", f'"{self.column}" is not one of {", ".join(SORT_COLUMNS)}')


@dataclass(frozen=True)
class QuoteRow:
    id: int
    created_at: datetime
    patient_name: str
    practitioner_name: str
    status: str
    approval: str
    total: Decimal
    currency: str


@dataclass(frozen=True)
class QuoteTotals:
    count: int
    # Normally one currency; a clinic that changed currency gets one sum per currency.
    sums: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str


@dataclass(frozen=True)
class ChangeEvent:
    """One change in a quote's history, from the audit trail."""

    at: datetime
    username: str
    action: str  # quote.create, quote.present, quote.approve, quote.reopen, …
    outcome: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class AreaSummary:
    area: str  # the catalogue's label
    concerns: tuple[str, ...]  # labels too


@dataclass(frozen=True)
class QuoteDetail:
    """Everything the manager's quote detail shows, read in one transaction."""

    quote: QuoteRecord
    patient_name: str
    practitioner_name: str
    treatment: str  # label
    areas: tuple[AreaSummary, ...]
    screening_verdict: str | None
    history: tuple[ChangeEvent, ...]  # oldest first


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



# --------------------------------------------------------------------------- the course

@dataclass(frozen=True)
class DeviceRecord:
    id: int
    name: str
    kind: str  # "mechanical" or "rf"
    serial: str


@dataclass(frozen=True)
class LotInput:
    """A product lot as typed: maker, product, kind, lot number and expiry."""

    maker: str
    product: str
    kind: str  # "cartridge", "tip", "serum" or "numbing"
    lot_number: str
    expiry: date


@dataclass(frozen=True)
class LotRecord:
    id: int
    maker: str
    product: str
    kind: str
    lot_number: str
    expiry: date
    sessions_used: int = 0  # how many sessions used it (the lots listing)

    def expired_on(self, day: date) -> bool:
        return self.expiry < day


@dataclass(frozen=True)
class EntryInput:
    """What was done on one area: the device, the lots, the settings and the response.

    `confirm_outside_plan` and `confirm_expired_lot` are the practitioner's explicit
    answer to "the depth is outside the plan's range" / "this lot has expired"; without
    them such an entry is refused, with them it is stored and flagged.
    """

    area: str
    device_id: int
    erythema: int
    needle_lot: LotInput | None = None
    depth_mm: Decimal | None = None
    passes: int | None = None
    rf_energy: str = ""
    rf_pulse_ms: int | None = None
    rf_tip: str = ""
    serum_lot: LotInput | None = None
    numbing_lot: LotInput | None = None
    pinpoint_bleeding: bool = False
    notes: str = ""
    confirm_outside_plan: bool = False
    confirm_expired_lot: bool = False


@dataclass(frozen=True)
class SessionEntryRecord:
    id: int
    area: str
    device: DeviceRecord
    needle_lot: LotRecord | None
    depth_mm: Decimal | None
    planned_min_mm: Decimal | None
    planned_max_mm: Decimal | None
    passes: int | None
    rf_energy: str
    rf_pulse_ms: int | None
    rf_tip: str
    serum_lot: LotRecord | None
    numbing_lot: LotRecord | None
    erythema: int
    pinpoint_bleeding: bool
    notes: str
    depth_outside_plan: bool
    expired_lot: bool


@dataclass(frozen=True)
class AdverseEventRecord:
    id: int
    happened: str
    action_taken: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    """A treatment session as the practitioner sees it (every view of it is audited)."""

    id: int
    patient_id: int
    patient_name: str
    consultation_id: int
    session_date: date
    practitioner_id: int
    practitioner: str
    status: str  # "draft" or "signed"
    areas: tuple[str, ...]
    changes: tuple[str, ...]  # the history keys that changed since the last visit
    verdict: str
    findings: tuple[str, ...]
    override_reason: str | None
    entries: tuple[SessionEntryRecord, ...]
    adverse_events: tuple[AdverseEventRecord, ...]
    amends_id: int | None
    amendment_reason: str | None
    document_number: str | None
    sha256: str | None
    signed_at: datetime | None
    version: int


@dataclass(frozen=True)
class SessionSummary:
    id: int
    session_date: date
    practitioner: str
    status: str
    areas: tuple[str, ...]
    document_number: str | None
    amends_id: int | None
    flagged: bool  # an entry outside the plan's depth or with an expired lot, or an event


@dataclass(frozen=True)
class RecallHit:
    """One session that used a recalled lot."""

    session_id: int
    patient_id: int
    patient_name: str
    session_date: date
    practitioner: str
    areas: tuple[str, ...]
    devices: tuple[str, ...]
    lots: tuple[str, ...]  # "maker product lot" of the matching lots it used
    status: str
    document_number: str | None
    amends_id: int | None = None  # an amendment names the session it corrects


BOOKING_STATUSES = ("proposed", "booked", "done", "cancelled")
DUE_KINDS = ("due", "overdue", "waiting for clearance")


@dataclass(frozen=True)
class BookingRecord:
    id: int
    patient_id: int
    patient_name: str
    consultation_id: int | None
    practitioner_id: int | None
    practitioner: str
    session_number: int | None
    starts_at: datetime  # in the clinic's time zone
    status: str
    waits_for_clearance: bool
    version: int


@dataclass(frozen=True)
class DueItem:
    booking: BookingRecord
    kind: str  # one of DUE_KINDS


# --------------------------------------------------------------------------- photos


@dataclass(frozen=True)
class PhotoRecord:
    """A before/after photograph's particulars (the image itself is fetched apart)."""

    id: int
    patient_id: int
    consultation_id: int
    session_id: int | None
    session_date: date | None
    area: str
    view: str
    stage: str  # "before" or "after"
    taken_on: date
    width: int
    height: int
    sha256: str
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True)
class PhotoImage:
    """A photo with its bytes: the stored JPEG, or its thumbnail."""

    photo: PhotoRecord
    jpeg: bytes


@dataclass(frozen=True)
class PhotoConsent:
    """What the patient's signed consent and any withdrawal since allow.

    `clinical`: photos may be taken and seen; `marketing`: also used in marketing;
    `withdrawn`: clinical consent was given and has since been withdrawn (the photos are
    kept but hidden). `consultation_id` is the consultation whose consent is on file.
    """

    clinical: bool
    marketing: bool
    withdrawn: bool
    consultation_id: int | None


@dataclass(frozen=True)
class PhotoList:
    """A patient's photos as the acting user may see them: `hidden` counts what is not."""

    patient_id: int
    consent: PhotoConsent
    photos: tuple[PhotoRecord, ...]
    hidden: int
    erased: int  # photos erased on request (the tombstones' count)


@dataclass(frozen=True)
class PhotoErasureRecord:
    patient_id: int
    photo_count: int
    sha256s: tuple[str, ...]
    reason: str
    erased_by: str
    erased_at: datetime
