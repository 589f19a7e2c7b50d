"""The manager's quote listing and reports: filters, sorting, rows, totals, details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from consult.errors import InvalidField
from consult.records import APPROVALS, QUOTE_STATUSES
from consult.records.quotes import QuoteRecord

# The manager's quote listing sorts by these (consult.storage.manager_queries maps them).
SORT_COLUMNS = ("id", "created", "patient", "practitioner", "status", "approval", "total")


# --------------------------------------------------------------------------- manager queries

@dataclass(frozen=True)
class QuoteFilter:
    """Which quotes to list; an empty set or None means "any"."""

    statuses: frozenset[str] = frozenset()
    approvals: frozenset[str] = frozenset()
    practitioner_id: int | None = None
    created_from: date | None = None  # inclusive, the clinic's local day
    created_to: date | None = None  # inclusive
    patient_name: str = ""

    def __post_init__(self) -> None:
        unknown = sorted(self.statuses - set(QUOTE_STATUSES))
        if unknown:
            choices = ", ".join(QUOTE_STATUSES)
            raise InvalidField("status", f'"{unknown[0]}" is not one of {choices}')
        unknown = sorted(self.approvals - set(APPROVALS))
        if unknown:
            raise InvalidField("approval", f'"{unknown[0]}" is not one of {", ".join(APPROVALS)}')
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise InvalidField("created_to", "the end of the date range is before its start")


@dataclass(frozen=True)
class QuoteSort:
    column: str = "created"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise InvalidField("sort", f'"{self.column}" is not one of {", ".join(SORT_COLUMNS)}')


@dataclass(frozen=True)
class QuoteRow:
    id: int
    created_at: datetime
    patient_name: str
    practitioner_name: str
    status: str
    approval: str
    total: Decimal
    currency: str


@dataclass(frozen=True)
class QuoteTotals:
    count: int
    # Normally one currency; a clinic that changed currency gets one sum per currency.
    sums: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str


@dataclass(frozen=True)
class ChangeEvent:
    """One change in a quote's history, from the audit trail."""

    at: datetime
    username: str
    action: str  # quote.create, quote.present, quote.approve, quote.reopen, …
    outcome: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class AreaSummary:
    area: str  # the catalogue's label
    concerns: tuple[str, ...]  # labels too


@dataclass(frozen=True)
class QuoteDetail:
    """Everything the manager's quote detail shows, read in one transaction."""

    quote: QuoteRecord
    patient_name: str
    practitioner_name: str
    treatment: str  # label
    areas: tuple[AreaSummary, ...]
    screening_verdict: str | None
    history: tuple[ChangeEvent, ...]  # oldest first
