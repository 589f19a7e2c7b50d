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

The tables a start of the app needs (settings, accounts, patients, the audit trail,
prices) are here; the others live in one module per workspace (clinical, course,
photos), imported by the repositories that use them: mapping a class costs
SQLAlchemy about a millisecond a column set, and a start used six of nineteen.
`load_all` imports them all, for whatever needs the whole schema (migrations, a merge
that follows every table naming a patient).
"""

import importlib
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

from consult.storage.types import UTCDateTime, money, percent, rate

# Stable constraint names: Alembic's batch mode on SQLite needs them to alter tables.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("practitioner", "manager", "reception")
PRICE_KINDS = ("region", "addon")
# The patient-name trigram index of migration 0006 is engine-specific (an FTS5 table
# with its shadow tables on SQLite, a pg_trgm GIN index on PostgreSQL) and has no ORM
# class: the comparison of models and migrations leaves these names out.
SEARCH_INDEX_NAMES = frozenset({"patient_search", "ix_patients_search_trigram"})


def is_search_index(name: str | None) -> bool:
    """Whether a table or index name belongs to the patient-name trigram index."""
    return name is not None and (
        name in SEARCH_INDEX_NAMES or name.startswith("patient_search_")
    )


def column_width(column: Any) -> int:
    """How many characters a String(N) column (a mapped attribute) holds: PostgreSQL
    refuses a longer value, which SQLite would store, so input is checked against it."""
    length = column.type.length
    if not isinstance(length, int):
        raise TypeError(f"{column} has no length")
    return length


def one_of(column: str, values: tuple[str, ...]) -> str:
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
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

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
        CheckConstraint(one_of("kind", PRICE_KINDS), name="kind"),
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


WORKSPACE_MODULES = ("clinical", "course", "photos")


def load_all() -> None:
    """Map every table: the workspaces' modules are otherwise imported only by use."""
    for name in WORKSPACE_MODULES:
        importlib.import_module(f"{__name__}.{name}")
