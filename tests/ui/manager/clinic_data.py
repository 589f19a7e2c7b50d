"""A small clinic built by hand in a real database, for the manager workspace tests.

Rows are inserted directly with the storage models (bulk INSERTs) so each test knows
exactly which quotes exist and can check filters and totals against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from consult.access import Actor
from consult.storage.db import Database
from consult.storage.models import Patient, PriceListVersion, User
from consult.storage.models.clinical import Consultation, Quote
from consult.storage.patients import search_key


@dataclass(frozen=True)
class QuoteSpec:
    patient: str
    practitioner: str | None
    status: str
    approval: str
    total: str
    created: datetime
    currency: str = "USD"


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


PRACTITIONERS = ("Ana Souza", "Ben Okafor")
PATIENTS = ("Zoë Ångström", "Maria Souza", "Иван Петров", "Tom Hardy")

# Twelve quotes over three months, every status and approval state, two practitioners.
SPECS = (
    QuoteSpec("Zoë Ångström", "Ana Souza", "accepted", "not_needed", "1000.00", at(2026, 1, 5)),
    QuoteSpec("Maria Souza", "Ana Souza", "accepted", "approved", "500.50", at(2026, 1, 20)),
    QuoteSpec("Иван Петров", "Ana Souza", "declined", "not_needed", "400.00", at(2026, 1, 31, 23)),
    QuoteSpec("Tom Hardy", "Ben Okafor", "draft", "not_needed", "999.99", at(2026, 1, 10)),
    QuoteSpec("Zoë Ångström", "Ben Okafor", "presented", "pending", "300.00", at(2026, 2, 1)),
    QuoteSpec("Maria Souza", "Ben Okafor", "presented", "approved", "250.25", at(2026, 2, 14)),
    QuoteSpec("Иван Петров", "Ben Okafor", "expired", "not_needed", "120.00", at(2026, 2, 28)),
    QuoteSpec("Tom Hardy", "Ana Souza", "accepted", "not_needed", "75.00", at(2026, 3, 1)),
    QuoteSpec("Zoë Ångström", "Ana Souza", "draft", "pending", "50.00", at(2026, 3, 2)),
    QuoteSpec("Maria Souza", "Ben Okafor", "declined", "rejected", "610.10", at(2026, 3, 15)),
    QuoteSpec("Tom Hardy", None, "accepted", "not_needed", "199.00", at(2026, 3, 20)),
    QuoteSpec("Иван Петров", "Ben Okafor", "presented", "not_needed", "88.80", at(2026, 3, 31)),
)


def open_database(folder: Path) -> Database:
    return Database.open(f"sqlite:///{folder / 'clinic.sqlite3'}")


def add_manager(db: Database, username: str = "boss") -> Actor:
    """A manager account in the database and the Actor for it."""
    now = datetime.now(UTC)
    with db.Session.begin() as session:
        user_id = session.execute(
            insert(User).returning(User.id),
            [dict(username=username, full_name="Clinic Manager", role="manager",
                  password_hash="not-a-login", active=True, created_at=now, version=1)],
        ).scalar_one()
    return Actor(user_id, username, "manager", "test-seat")


def fill(db: Database, specs: tuple[QuoteSpec, ...] = SPECS) -> dict[str, int]:
    """Insert the practitioners, patients, one consultation per quote and the quotes.

    Returns the ids by name (users and patients) for the tests' filters.
    """
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    with db.Session.begin() as session:
        version_id = session.scalar(select(PriceListVersion.id).order_by(PriceListVersion.id))
        for name in PRACTITIONERS:
            ids[name] = session.execute(
                insert(User).returning(User.id),
                [dict(username=name.split()[0].lower(), full_name=name, role="practitioner",
                      password_hash="not-a-login", active=True, created_at=now, version=1)],
            ).scalar_one()
        for number, name in enumerate(PATIENTS):
            ids[name] = session.execute(
                insert(Patient).returning(Patient.id),
                [dict(name=name, date_of_birth=date(1980 + number, 1, 1), fitzpatrick=2,
                      search_key=search_key(name), created_at=now, updated_at=now, version=1)],
            ).scalar_one()
        for spec in specs:
            insert_quote(session, spec, ids, version_id)
    return ids


def insert_quote(session, spec: QuoteSpec, ids: dict[str, int], version_id: int) -> int:
    practitioner_id = ids[spec.practitioner] if spec.practitioner else None
    consultation_id = session.execute(
        insert(Consultation).returning(Consultation.id),
        [dict(patient_id=ids[spec.patient], practitioner_id=practitioner_id,
              consultation_date=spec.created.date(), treatment="microneedling",
              status="completed", areas=[{"area": "cheeks", "concerns": ["acne_scars"]}],
              history={}, extra={}, screening_verdict="proceed", draft_step=0,
              created_at=spec.created, updated_at=spec.created, version=1)],
    ).scalar_one()
    total = Decimal(spec.total)
    return session.execute(
        insert(Quote).returning(Quote.id),
        [dict(consultation_id=consultation_id, patient_id=ids[spec.patient],
              practitioner_id=practitioner_id, price_list_version_id=version_id,
              status=spec.status, approval=spec.approval, currency=spec.currency,
              sessions=4, interval_weeks=4, tax_rate=Decimal("0"),
              course_discount_percent=Decimal("0"), manual_discount_percent=Decimal("0"),
              subtotal=total, discount=Decimal("0.00"), tax=Decimal("0.00"), total=total,
              valid_until=spec.created.date() + timedelta(days=30),
              created_at=spec.created, updated_at=spec.created, version=1)],
    ).scalar_one()


def consultation_of(db: Database, quote_id: int) -> int:
    with db.Session() as session:
        return session.scalar(select(Quote.consultation_id).where(Quote.id == quote_id))


def priced_quote(db: Database, actor: Actor, consultation_id: int, **choices) -> int:
    """Price a stored consultation with the real engine and save the quote; returns its id."""
    from consult.pricing.options import QuoteOptions
    from consult.pricing.quote import build_quote
    from consult.storage import consultations, prices, quotes, settings

    record = consultations.get_consultation(db, actor, consultation_id)
    priced = build_quote(record.consultation, prices.current_price_list(db),
                         settings.get_settings(db).pricing, QuoteOptions(**choices))
    return quotes.save_quote(db, actor, consultation_id, priced).id
