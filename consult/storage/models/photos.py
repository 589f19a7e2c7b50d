"""The photos' tables: the photos, consent withdrawals, erasures."""

from datetime import date, datetime
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
)
from sqlalchemy.orm import Mapped, mapped_column

from consult.storage.models import Base, one_of

PHOTO_STAGES = ("before", "after")
PHOTO_CONSENT_SCOPES = ("clinical", "marketing")


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint(one_of("stage", PHOTO_STAGES), name="stage"),
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
    __table_args__ = (CheckConstraint(one_of("scope", PHOTO_CONSENT_SCOPES), name="scope"),)

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
