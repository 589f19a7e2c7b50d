"""Column types that keep money exact and time unambiguous on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC, returned aware on every engine.

    SQLite has no time zone type: the value is stored as naive UTC text and given its
    zone back on the way out. A naive datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware datetimes only")
        in_utc = value.astimezone(UTC)
        return in_utc.replace(tzinfo=None) if dialect.name == "sqlite" else in_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: Any
    ) -> Callable[[Any], datetime | None] | None:
        """One plain call per value, not the generic decorator's two.

        SQLite: the stored text parsed straight to UTC in one C call. The generic path
        parses the text with SQLAlchemy's regular expression and then adds the zone: a
        200-row page of the manager's listing spent as long converting as SQLite spent
        finding the rows. PostgreSQL: every connection's TimeZone is UTC
        (consult.storage.db), so the driver already gives datetime.UTC and only another
        zone (a session that changed it) is converted.
        """
        if dialect.name == "sqlite":
            return _sqlite_utc_datetime
        if dialect.name == "postgresql":
            return _aware_as_utc
        return super().result_processor(dialect, coltype)


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places that round-trips exactly.

    PostgreSQL stores NUMERIC(precision, places). SQLite has no exact decimal type (its
    NUMERIC is a float underneath), so there the value is stored as a whole number of
    the smallest unit (cents for money): exact, sortable and summable in SQL.
    A value with more places than the column holds is refused, never rounded away.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, places: int) -> None:
        super().__init__()
        self.precision = precision
        self.places = places
        self._quantum = Decimal(1).scaleb(-places)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.places, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = self._exact(value)
        if dialect.name == "sqlite":
            return int(exact.scaleb(self.places))
        return exact

    def result_processor(
        self, dialect: Dialect, coltype: Any
    ) -> Callable[[Any], Decimal | None] | None:
        """On SQLite, the whole number of smallest units scaled in one step (no extra
        SQLAlchemy processing layer): scaleb of an integer already has exactly
        `places` places."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        places = -self.places

        def scaled(value: Any) -> Decimal | None:
            if value is None:
                return None
            return Decimal(value if type(value) is int else int(value)).scaleb(places)

        return scaled

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.places).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    def _exact(self, value: Any) -> Decimal:
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
            raise TypeError(f"{value!r}: amounts must be Decimal, not {type(value).__name__}")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        exact = number.quantize(self._quantum)
        if exact != number:
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return exact


def money() -> ExactDecimal:
    """Currency amounts: two places, up to 9,999,999,999.99."""
    return ExactDecimal(12, 2)


def rate() -> ExactDecimal:
    """A fraction such as a tax rate of 0.0825."""
    return ExactDecimal(6, 4)


def percent() -> ExactDecimal:
    """A percentage such as a 12.5 % discount."""
    return ExactDecimal(5, 2)


def _aware_as_utc(value: datetime | None) -> datetime | None:
    """A timestamptz from the driver, in UTC (it already is, on our connections)."""
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _sqlite_utc_datetime(value: Any) -> datetime | None:
    """SQLite's stored naive-UTC text ("2026-11-20 09:30:00.000000") as an aware datetime.

    Parsing the text with its zone appended gives datetime.UTC itself in one C call;
    `.replace(tzinfo=UTC)` afterwards costs more than the parsing.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # text that already names its zone
            value = datetime.fromisoformat(value)
    moment: datetime = value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
