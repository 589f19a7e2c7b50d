"""The clinic database's tables, as SQLAlchemy 2 typed ORM classes.

Only the storage package uses these classes; everything outside it receives frozen
dataclasses from the repositories. The schema itself is created and changed by the
Alembic migrations in consult/storage/migrations, which must agree with this file
(a test compares them).

Rows a user edits carry `version`, SQLAlchemy's optimistic lock: an UPDATE names the
version it read, so a save over someone else's newer save fails instead of silently
overwriting it. Consent records and audit events have no version: they are never
updated (database triggers refuse it).

No `from __future__ import annotations` here, unlike the rest of the package: with it,
SQLAlchemy evaluates every `Mapped[...]` annotation from its text (over two hundred of
them), a good part of what loading this module costs at each start. A class named
before it is defined is quoted instead.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from consult.records import APPROVALS, QUOTE_STATUSES
from consult.storage.types import ExactDecimal, UTCDateTime, money, percent, rate

# Stable constraint names: Alembic's batch mode on SQLite needs them to alter tables.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("practitioner", "manager", "reception")
CONSULTATION_STATUSES = ("draft", "completed")
PRICE_KINDS = ("region", "addon")
CONSENT_KINDS = ("consent", "plan")


# The patient-name trigram index of migration 0006 is engine-specific (an FTS5 table
# with its shadow tables on SQLite, a pg_trgm GIN index on PostgreSQL) and has no ORM
# class: the comparison of models and migrations leaves these names out.
SEARCH_INDEX_NAMES = frozenset({"patient_search", "ix_patients_search_trigram"})


def is_search_index(name: str | None) -> bool:
    """Whether a table or index name belongs to the patient-name trigram index."""
    return name is not None and (
        name in SEARCH_INDEX_NAMES or name.startswith("patient_search_")
    )


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class ClinicSettings(Base):
    """The one row of clinic-wide settings (id is always 1)."""

    __tablename__ = "clinic_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("tax_rate >= 0", name="tax_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    locale: Mapped[str] = mapped_column(String(20), default="en_US")
    tax_rate: Mapped[Decimal] = mapped_column(rate(), default=Decimal("0"))
    course_discount_percent: Mapped[Decimal] = mapped_column(percent(), default=Decimal("0"))
    manual_discount_limit_percent: Mapped[Decimal] = mapped_column(percent(), default=Decimal("10"))
    quote_validity_days: Mapped[int] = mapped_column(Integer, default=30)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The long edge, in pixels, a stored photograph is scaled down to (migration 0009).
    photo_long_edge: Mapped[int] = mapped_column(Integer, default=4000, server_default="4000")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Sign-in throttling (consult.storage.users): wrong passwords in a row since the
    # last success or lock, and until when the account refuses to sign in.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        CheckConstraint("fitzpatrick BETWEEN 1 AND 6", name="fitzpatrick"),
        Index("ix_patients_name_dob", "search_key", "date_of_birth"),
        # Search walks names in order in this index alone on PostgreSQL (migration 0010).
        Index("ix_patients_search_key_id", "search_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    fitzpatrick: Mapped[int | None] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    # The name casefolded with accents stripped, padded with a leading space so a
    # word-prefix search is `LIKE '% souz%'`; phone_digits is the phone without spaces.
    search_key: Mapped[str] = mapped_column(String(210))
    phone_digits: Mapped[str | None] = mapped_column(String(50), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint(_one_of("status", CONSULTATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    consultation_date: Mapped[date] = mapped_column(Date, index=True)
    treatment: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    areas: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The medical history exactly as consult/1 writes it.
    history: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Keys of an imported file this app does not use, kept so an export gives them back:
    # {"document": top-level keys, "patient": keys of the patient object}.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    screening_verdict: Mapped[str | None] = mapped_column(String(20))
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    override_reason: Mapped[str | None] = mapped_column(Text)
    draft_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail (see consult.storage.audit).

    `id` is the position in the chain, assigned by the writer (no sequence), so a
    deleted row leaves a visible gap.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(80))
    workstation: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of `hash` under the clinic's audit key (kept outside the database); None for
    # events written before seals existed (migration 0005) or at a seat without the key.
    mac: Mapped[str | None] = mapped_column(String(64))


class PriceListVersion(Base):
    """One edition of the price list; the newest is current, old ones stay for old quotes."""

    __tablename__ = "price_list_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list["PriceItem"]] = relationship(
        back_populates="price_list", order_by="PriceItem.id"
    )


class PriceItem(Base):
    __tablename__ = "price_items"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PRICE_KINDS), name="kind"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        UniqueConstraint("version_id", "treatment", "kind", "item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("price_list_versions.id"), index=True)
    treatment: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(money())
    price_list: Mapped[PriceListVersion] = relationship(back_populates="items")


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(_one_of("status", QUOTE_STATUSES), name="status"),
        CheckConstraint(_one_of("approval", APPROVALS), name="approval"),
        # The manager's listing filters on these and totals (currency, total) from the
        # index alone (migration 0003).
        Index("ix_quotes_status_created_total", "status", "created_at", "currency", "total"),
        Index("ix_quotes_approval_created_total", "approval", "created_at", "currency", "total"),
        Index(
            "ix_quotes_practitioner_created_total",
            "practitioner_id", "created_at", "currency", "total",
        ),
        Index("ix_quotes_created_total", "created_at", "currency", "total"),
        Index("ix_quotes_patient_total", "patient_id", "currency", "total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    price_list_version_id: Mapped[int] = mapped_column(ForeignKey("price_list_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approval: Mapped[str] = mapped_column(String(20), default="not_needed")
    approval_comment: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    currency: Mapped[str] = mapped_column(String(3))
    sessions: Mapped[int] = mapped_column(Integer)
    interval_weeks: Mapped[int] = mapped_column(Integer)
    tax_rate: Mapped[Decimal] = mapped_column(rate())
    course_discount_percent: Mapped[Decimal] = mapped_column(percent())
    manual_discount_percent: Mapped[Decimal] = mapped_column(percent())
    subtotal: Mapped[Decimal] = mapped_column(money())
    discount: Mapped[Decimal] = mapped_column(money())
    tax: Mapped[Decimal] = mapped_column(money())
    total: Mapped[Decimal] = mapped_column(money())
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    lines: Mapped[list["QuoteLine"]] = relationship(
        back_populates="quote", order_by="QuoteLine.position", cascade="all, delete-orphan"
    )

    __mapper_args__: Mapping[str, Any] = {"version_id_col": version}


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (UniqueConstraint("quote_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    item: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    unit_price: Mapped[Decimal] = mapped_column(money())
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(money())
    quote: Mapped[Quote] = relationship(back_populates="lines")


class ConsentRecord(Base):
    """A finished consent or plan PDF. Never changed: an amendment is a new linked row."""

    __tablename__ = "consent_records"
    __table_args__ = (CheckConstraint(_one_of("kind", CONSENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]
    patient_signed_name: Mapped[str | None] = mapped_column(String(200))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id"))
    # The number printed on the sealed PDF; one per sealed version (None before 0007).
    document_number: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    created_at: Mapped[datetime]


# --------------------------------------------------------------------------- the course
# After the consent: devices, product lots, treatment sessions, their per-area entries,
# adverse events and bookings (migration 0008). A signed session and its entries are
# never changed (triggers refuse it); a correction is a new session that amends it.

DEVICE_KINDS = ("mechanical", "rf")
LOT_KINDS = ("cartridge", "tip", "serum", "numbing")
SESSION_STATUSES = ("draft", "signed")
BOOKING_STATUSES = ("proposed", "booked", "done", "cancelled")


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DEVICE_KINDS), name="kind"),
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
        CheckConstraint(_one_of("kind", LOT_KINDS), name="kind"),
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
    __table_args__ = (CheckConstraint(_one_of("status", SESSION_STATUSES), name="status"),)

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
        CheckConstraint(_one_of("status", BOOKING_STATUSES), name="status"),
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

PHOTO_STAGES = ("before", "after")
PHOTO_CONSENT_SCOPES = ("clinical", "marketing")


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint(_one_of("stage", PHOTO_STAGES), name="stage"),
        # The framing guide and the compare view look photos up by patient, area and view.
        Index("ix_photos_patient_area_view", "patient_id", "area", "view"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("treatment_sessions.id"), index=True
    )
    area: Mapped[str] = mapped_column(String(40))
    view: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(10))
    taken_on: Mapped[date] = mapped_column(Date)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    image: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime]


class PhotoConsentWithdrawal(Base):
    """The patient withdrew photography consent (clinical: every use; marketing: only that)."""

    __tablename__ = "photo_consent_withdrawals"
    __table_args__ = (CheckConstraint(_one_of("scope", PHOTO_CONSENT_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class PhotoErasure(Base):
    """The tombstone of a lawful erasure: the photos are gone, this says they were."""

    __tablename__ = "photo_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    photo_count: Mapped[int] = mapped_column(Integer)
    # The SHA-256 of every erased image: what the audit trail named when each was kept.
    sha256s: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    erased_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[datetime]
