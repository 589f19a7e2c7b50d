"""The course of treatment's tables: devices, product lots, sessions and their entries,
adverse events, bookings."""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from consult.storage.models import Base, one_of
from consult.storage.types import ExactDecimal

DEVICE_KINDS = ("mechanical", "rf")
LOT_KINDS = ("cartridge", "tip", "serum", "numbing")
SESSION_STATUSES = ("draft", "signed")
BOOKING_STATUSES = ("proposed", "booked", "done", "cancelled")


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(one_of("kind", DEVICE_KINDS), name="kind"),
        UniqueConstraint("name", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    serial: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class ProductLot(Base):
    __tablename__ = "product_lots"
    __table_args__ = (
        CheckConstraint(one_of("kind", LOT_KINDS), name="kind"),
        UniqueConstraint("maker", "product", "lot_number"),
        Index("ix_product_lots_lot_number", "lot_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    maker: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    lot_number: Mapped[str] = mapped_column(String(80))
    expiry: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class TreatmentSession(Base):
    """One session of a course. Signed: sealed PDF kept, row refused any change."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (CheckConstraint(one_of("status", SESSION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    areas: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The re-screening: the changes since the last visit (history entries as consult/1
    # writes them), the verdict and findings, and the override reason if one was given.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    override_reason: Mapped[str | None] = mapped_column(Text)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    document_number: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    signed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class SessionEntry(Base):
    """What was done on one area in one session."""

    __tablename__ = "session_entries"
    __table_args__ = (
        CheckConstraint("erythema BETWEEN 0 AND 3", name="erythema"),
        CheckConstraint("passes IS NULL OR passes >= 0", name="passes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    area: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    needle_lot_id: Mapped[int | None] = mapped_column(ForeignKey("product_lots.id"), index=True)
    depth_mm: Mapped[Decimal | None] = mapped_column(ExactDecimal(4, 2))
    passes: Mapped[int | None] = mapped_column(Integer)
    rf_energy: Mapped[str | None] = mapped_column(String(40))
    rf_pulse_ms: Mapped[int | None] = mapped_column(Integer)
    rf_tip: Mapped[str | None] = mapped_column(String(80))
    serum_lot_id: Mapped[int | None] = mapped_column(ForeignKey("product_lots.id"), index=True)
    numbing_lot_id: Mapped[int | None] = mapped_column(ForeignKey("product_lots.id"), index=True)
    erythema: Mapped[int] = mapped_column(Integer)
    pinpoint_bleeding: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    depth_outside_plan: Mapped[bool] = mapped_column(default=False)
    expired_lot: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class AdverseEvent(Base):
    """Something unexpected in or after a session, and what was done. Never changed."""

    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    happened: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(one_of("status", BOOKING_STATUSES), name="status"),
        Index("ix_bookings_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    session_number: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    waits_for_clearance: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


# --------------------------------------------------------------------------- photos
# Before/after photographs (migration 0009). A photo belongs to a consultation and, when
# taken at one, a treatment session. The image is the normalised JPEG (metadata
# stripped, long edge capped); lists read only the thumbnail. Withdrawn photography
# consent is an appended row, never an edit; an erasure deletes the patient's photos and
# leaves a tombstone saying how many, which fingerprints, who and why.
