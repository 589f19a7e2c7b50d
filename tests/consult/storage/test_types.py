"""Money stays exact and times stay unambiguous through both database engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from consult.storage import Database
from consult.storage.models import PriceItem, PriceListVersion

AMOUNTS = [Decimal("0.10"), Decimal("0.20"), Decimal("199.00"), Decimal("9999999999.99")]


def _price_list(session, amounts) -> int:
    version = PriceListVersion(created_at=datetime.now(UTC), created_by="test", note="")
    version.items = [
        PriceItem(treatment="microneedling", kind="addon", item=f"x{i}", label="x", unit_price=a)
        for i, a in enumerate(amounts)
    ]
    session.add(version)
    session.flush()
    return version.id


def test_decimal_money_round_trips_exactly_and_sums_exactly(db: Database):
    with db.Session.begin() as session:
        version_id = _price_list(session, AMOUNTS)
    with db.Session() as session:
        stored = session.scalars(
            select(PriceItem.unit_price)
            .where(PriceItem.version_id == version_id)
            .order_by(PriceItem.id)
        ).all()
        total = session.scalar(
            select(func.sum(PriceItem.unit_price)).where(PriceItem.version_id == version_id)
        )
    assert stored == AMOUNTS
    assert all(isinstance(value, Decimal) for value in stored)
    assert total == Decimal("10000000199.29")


def test_a_float_is_refused_as_money(db: Database):
    with pytest.raises(StatementError, match=r"must be Decimal"), db.Session.begin() as session:
        _price_list(session, [0.1])


def test_more_decimal_places_than_the_column_holds_are_refused(db: Database):
    with pytest.raises(StatementError, match=r"more than 2 decimal places"):
        with db.Session.begin() as session:
            _price_list(session, [Decimal("1.005")])


def test_datetimes_come_back_aware_and_equal(db: Database):
    moment = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with db.Session.begin() as session:
        version = PriceListVersion(created_at=moment, created_by="test", note="")
        session.add(version)
        session.flush()
        version_id = version.id
    with db.Session() as session:
        stored = session.get(PriceListVersion, version_id).created_at
    assert stored == moment
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(db: Database):
    with pytest.raises(StatementError, match=r"naive datetime"), db.Session.begin() as session:
        session.add(PriceListVersion(created_at=datetime(2026, 1, 1), created_by="t", note=""))
