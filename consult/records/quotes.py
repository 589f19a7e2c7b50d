"""Quotes, their lines, and the price lists they were priced from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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


# --------------------------------------------------------------------------- prices

@dataclass(frozen=True)
class PriceListInfo:
    id: int
    created_at: datetime
    created_by: str
    note: str
    items: int
