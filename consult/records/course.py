"""The course of treatment: sessions, their entries, lots and devices, bookings, recall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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
