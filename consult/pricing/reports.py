"""The manager's reports: accepted revenue and conversion, by month and by practitioner.

Pure functions over plain rows. The database side (consult.storage.manager_queries)
counts quotes per (month, practitioner, status) in one GROUP BY query and hands the
tallies here, so a report over 100,000 quotes moves a few hundred rows, not 100,000.

Definitions (what a manager reads in the report):
- a quote was *presented* when it reached the patient: its status is presented,
  accepted, declined or expired (a draft never reached anyone);
- *conversion* is accepted ÷ presented, as a percentage with one decimal;
- *accepted revenue* is the sum of the totals of accepted quotes;
- a quote counts in the month it was created.

CSV files are written atomically (consult.protection.atomic) with money as 2-decimal strings,
dates in ISO 8601, so a spreadsheet or another program reads them unambiguously, and
text that a spreadsheet would run as a formula is neutralised (see `csv_value`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TypeVar

from consult.errors import ConsultError
from consult.protection import atomic

PRESENTED_STATUSES = frozenset({"presented", "accepted", "declined", "expired"})
CENTS = Decimal("0.01")
ONE_DECIMAL = Decimal("0.1")
# What tallies are grouped by: a month or a practitioner.
Key = TypeVar("Key")


@dataclass(frozen=True)
class StatusTally:
    """How many quotes, worth how much, one practitioner had in one status in one month."""

    month: date  # the first day of the month the quotes were created
    practitioner: str
    status: str
    count: int
    total: Decimal


@dataclass(frozen=True)
class ReportRow:
    key: str  # "2026-03" for a month, the practitioner's name otherwise
    quotes: int
    presented: int
    accepted: int
    accepted_revenue: Decimal

    @property
    def conversion_percent(self) -> Decimal | None:
        """accepted ÷ presented in percent (one decimal), None when nothing was presented."""
        if self.presented == 0:
            return None
        ratio = Decimal(self.accepted * 100) / Decimal(self.presented)
        return ratio.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


REPORT_HEADER = ("period_or_practitioner", "quotes", "presented", "accepted",
                 "conversion_percent", "accepted_revenue")


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def by_month(tallies: Iterable[StatusTally]) -> list[ReportRow]:
    """One row per month from the first to the last month with quotes, gaps included.

    Empty months are kept so a chart's time axis has no holes that hide a bad month.
    """
    grouped = _group(tallies, lambda tally: _first_of_month(tally.month))
    if not grouped:
        return []
    months = _month_range(min(grouped), max(grouped))
    return [_row(month_label(month), grouped.get(month, [])) for month in months]


def by_practitioner(tallies: Iterable[StatusTally]) -> list[ReportRow]:
    """One row per practitioner, in alphabetical order."""
    grouped = _group(tallies, lambda tally: tally.practitioner)
    return [_row(name, grouped[name]) for name in sorted(grouped, key=str.casefold)]


def totals(rows: Sequence[ReportRow], label: str = "Total") -> ReportRow:
    """The sum of report rows (conversion recomputed from the sums, not averaged)."""
    return ReportRow(
        key=label,
        quotes=sum(row.quotes for row in rows),
        presented=sum(row.presented for row in rows),
        accepted=sum(row.accepted for row in rows),
        accepted_revenue=sum((row.accepted_revenue for row in rows), Decimal("0.00")),
    )


def _group(
    tallies: Iterable[StatusTally], key: Callable[[StatusTally], Key]
) -> dict[Key, list[StatusTally]]:
    grouped: dict[Key, list[StatusTally]] = {}
    for tally in tallies:
        grouped.setdefault(key(tally), []).append(tally)
    return grouped


def _row(key: str, tallies: Sequence[StatusTally]) -> ReportRow:
    accepted = [tally for tally in tallies if tally.status == "accepted"]
    revenue = sum((tally.total for tally in accepted), Decimal("0.00"))
    return ReportRow(
        key=key,
        quotes=sum(tally.count for tally in tallies),
        presented=sum(tally.count for tally in tallies if tally.status in PRESENTED_STATUSES),
        accepted=sum(tally.count for tally in accepted),
        accepted_revenue=revenue.quantize(CENTS, rounding=ROUND_HALF_UP),
    )


def _first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def _month_range(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


# --- CSV -------------------------------------------------------------------------------


def money_text(amount: Decimal) -> str:
    """Money for a file: two decimals, a dot, no grouping, no currency sign."""
    return str(amount.quantize(CENTS, rounding=ROUND_HALF_UP))


# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
# carriage return, strips them and reads what follows as one): OWASP's CSV injection list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: object) -> str:
    """One CSV cell: every CSV Consult writes goes through here.

    Numbers are written as plain numbers (a Decimal is money, two decimals; an int as
    it is), so a negative amount stays "-20.00" and a spreadsheet sums it. Text is
    neutralised by OWASP's rule: a cell starting with =, +, -, @, tab or carriage
    return gets a leading single quote, which spreadsheets show as text and never run.
    A phone number is text, not a number ("+1 555 0100" has spaces, and its leading
    zeros and plus matter), so it becomes "'+1 555 0100": still readable, never a
    formula. Only the type decides, never how the text looks: "-5" typed in a name is
    text and quoted, so no crafted value can pass itself off as a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralised(str(value))


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: a formula-like start gets a single quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return buffer.getvalue()


def write_csv(path: str | os.PathLike[str], header: Sequence[str],
              rows: Iterable[Sequence[object]]) -> Path:
    """Write a CSV file atomically: a reader never sees half a file."""
    text = csv_text(header, rows)
    try:
        return atomic.write_text(path, text)
    except OSError as error:
        raise ConsultError(f"{path} cannot be written ({error.strerror or error})") from None


def report_rows_for_csv(rows: Sequence[ReportRow]) -> list[tuple[object, ...]]:
    """Report rows as CSV cells; the conversion is a percentage with one decimal."""
    return [
        (row.key, row.quotes, row.presented, row.accepted,
         "" if row.conversion_percent is None else str(row.conversion_percent),
         row.accepted_revenue)
        for row in rows
    ]


def write_report_csv(path: str | os.PathLike[str], rows: Sequence[ReportRow]) -> Path:
    return write_csv(path, REPORT_HEADER, report_rows_for_csv(rows))
