"""The consultation's tables: consultations, quotes and their lines, consent records."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.records import APPROVALS, QUOTE_STATUSES
from consult.storage.models import Base, one_of
from consult.storage.types import money, percent, rate

CONSULTATION_STATUSES = ("draft", "completed")
CONSENT_KINDS = ("consent", "plan")


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint(one_of("status", CONSULTATION_STATUSES), name="status"),)

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


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(one_of("status", QUOTE_STATUSES), name="status"),
        CheckConstraint(one_of("approval", APPROVALS), name="approval"),
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
    __table_args__ = (CheckConstraint(one_of("kind", CONSENT_KINDS), name="kind"),)

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
