"""The manager's quote table and reports as the views query them, bound to who is signed in.

A thin adapter: each method is one call of consult.services.quotes with the signed-in
user, so the quote model, the detail dialog and the reports keep a small query object
(and tests can hand them the same one) while every call goes through the service gate.
"""

from __future__ import annotations

import os
from datetime import date

from consult.pricing.reports import StatusTally
from consult.records.manager import (
    Practitioner,
    QuoteDetail,
    QuoteFilter,
    QuoteRow,
    QuoteSort,
    QuoteTotals,
)
from consult.services import quotes
from consult.services.acting import SignedIn


class ManagerDesk:
    def __init__(self, user: SignedIn) -> None:
        self.user = user

    def page(self, flt: QuoteFilter, sort: QuoteSort, offset: int, limit: int) -> list[QuoteRow]:
        return list(quotes.list_page(self.user, flt, sort, offset, limit))

    def totals(self, flt: QuoteFilter) -> QuoteTotals:
        return quotes.totals(self.user, flt)

    def practitioners(self) -> list[Practitioner]:
        return list(quotes.practitioners(self.user))

    def export_csv(self, path: str | os.PathLike[str], flt: QuoteFilter, sort: QuoteSort) -> int:
        return quotes.export_csv(self.user, path, flt, sort)

    def status_tallies(self, flt: QuoteFilter | None = None) -> list[StatusTally]:
        return list(quotes.status_tallies(self.user, flt))

    def detail(self, quote_id: int) -> QuoteDetail:
        return quotes.detail(self.user, quote_id)

    def reopen_expired(self, quote_id: int, today: date | None = None) -> int:
        return quotes.reopen_expired(self.user, quote_id, today)
