"""Quotes: the practitioner's quote for a consultation, the manager's table and decisions."""

from __future__ import annotations

import os
from datetime import date

from consult.clinical.fileformat import Consultation
from consult.errors import InvalidField
from consult.pricing import QuoteOptions, lifecycle
from consult.pricing.quote import Quote
from consult.pricing.reports import StatusTally
from consult.records.manager import (
    Practitioner,
    QuoteDetail,
    QuoteFilter,
    QuoteRow,
    QuoteSort,
    QuoteTotals,
)
from consult.records.quotes import QuoteRecord
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, prices, quotes
from consult.storage.manager_queries import ManagerQueries
from consult.storage.settings import get_settings


@use_case("quotes.save")
def save(user: SignedIn, consultation_id: int, quote: Quote) -> QuoteRecord:
    return quotes.save_quote(user.database, user.actor, consultation_id, quote)


def _priced_for_signing(
    user: SignedIn, consultation: Consultation, options: QuoteOptions, override_reason: str = ""
) -> Quote:
    """The quote exactly as signing would price it: one pricing for both."""
    from consult.documents.build import priced_course

    settings = get_settings(user.database)
    price_list = prices.current_price_list(user.database)
    return priced_course(consultation, price_list, settings.pricing, options, override_reason)


@use_case("quotes.ask_approval")
def ask_approval(
    user: SignedIn,
    consultation_id: int,
    consultation: Consultation,
    options: QuoteOptions,
    override_reason: str = "",
) -> QuoteRecord:
    """Put a discount above the clinic's limit to a manager, from the consultation.

    The quote is stored waiting for approval and shows in the manager's table. Asking
    twice on the same terms returns the quote already asked for.
    """
    quote = _priced_for_signing(user, consultation, options, override_reason)
    if not quote.needs_approval:
        raise InvalidField(
            "manual_discount_percent", "is within the clinic's limit: no approval is needed"
        )
    with transaction(user) as session:
        asked = quotes.matching_approval(session, consultation_id, quote)
        if asked is not None and asked.approval != lifecycle.REJECTED:
            return quotes.to_record(asked)
        row = quotes.add_quote(session, user.actor, consultation_id, quote)
        audit.record(
            session,
            user.actor,
            "quote.approval_asked",
            patient_id=row.patient_id,
            detail={
                "quote": row.id,
                "consultation": consultation_id,
                "discount_percent": str(quote.manual_discount_percent),
            },
        )
        return quotes.to_record(row)


@use_case("quotes.approval_status")
def approval_status(
    user: SignedIn,
    consultation_id: int,
    consultation: Consultation,
    options: QuoteOptions,
    override_reason: str = "",
) -> QuoteRecord | None:
    """The quote put to a manager on these terms (pending, approved, rejected), or None."""
    quote = _priced_for_signing(user, consultation, options, override_reason)
    if not quote.needs_approval:
        return None
    with transaction(user) as session:
        asked = quotes.matching_approval(session, consultation_id, quote)
        return quotes.to_record(asked) if asked is not None else None


@use_case("quotes.list_for_patient")
def list_for_patient(user: SignedIn, patient_id: int) -> tuple[QuoteRecord, ...]:
    return tuple(quotes.list_for_patient(user.database, user.actor, patient_id))


@use_case("quotes.change_status")
def change_status(
    user: SignedIn, quote_id: int, event: str, *, expected_version: int
) -> QuoteRecord:
    """Present, accept or decline a quote by the lifecycle's rules."""
    return quotes.change_status(
        user.database, user.actor, quote_id, event, expected_version=expected_version
    )


@use_case("quotes.decide_approval")
def decide_approval(
    user: SignedIn, quote_id: int, *, approve: bool, comment: str = "", expected_version: int
) -> QuoteRecord:
    return quotes.decide_approval(
        user.database,
        user.actor,
        quote_id,
        approve=approve,
        comment=comment,
        expected_version=expected_version,
    )


@use_case("quotes.expire_due")
def expire_due(user: SignedIn, today: date | None = None) -> int:
    return quotes.expire_due(user.database, user.actor, today)


def _queries(user: SignedIn) -> ManagerQueries:
    return ManagerQueries(user.database, user.actor)


@use_case("quotes.list_page")
def list_page(
    user: SignedIn, flt: QuoteFilter, sort: QuoteSort, offset: int, limit: int
) -> tuple[QuoteRow, ...]:
    """One page of the manager's quote table."""
    return tuple(_queries(user).page(flt, sort, offset, limit))


@use_case("quotes.totals")
def totals(user: SignedIn, flt: QuoteFilter) -> QuoteTotals:
    return _queries(user).totals(flt)


@use_case("quotes.practitioners")
def practitioners(user: SignedIn) -> tuple[Practitioner, ...]:
    return tuple(_queries(user).practitioners())


@use_case("quotes.export_csv")
def export_csv(
    user: SignedIn, path: str | os.PathLike[str], flt: QuoteFilter, sort: QuoteSort
) -> int:
    return _queries(user).export_csv(path, flt, sort)


@use_case("quotes.detail")
def detail(user: SignedIn, quote_id: int) -> QuoteDetail:
    return _queries(user).detail(quote_id)


@use_case("quotes.reopen_expired")
def reopen_expired(user: SignedIn, quote_id: int, today: date | None = None) -> int:
    return _queries(user).reopen_expired(quote_id, today)


@use_case("reports.status_tallies")
def status_tallies(user: SignedIn, flt: QuoteFilter | None = None) -> tuple[StatusTally, ...]:
    return tuple(_queries(user).status_tallies(flt))
