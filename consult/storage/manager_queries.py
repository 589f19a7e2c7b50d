"""The manager's view of every quote: filtered, sorted, paged listings and aggregates.

Every answer is computed by the database (WHERE, ORDER BY, LIMIT/OFFSET, COUNT, SUM,
GROUP BY) and handed back as frozen dataclasses, so a screen over 100,000 quotes
never holds more than the page it shows, and sorting never happens in Python.

Reading the listing needs `quote.read_all`, reports `reports.read`. Listing pages
are not audited one by one (a manager scrolling would write thousands of events);
opening a quote and exporting the listing are (see consult.storage.quotes and
`export_csv` here).

Also here, for the manager's quote detail: the quote with its consultation summary
and its history of changes (read back from the audit trail), and reopening an
expired quote as a new draft priced again (consult.pricing.lifecycle's rules,
stored and audited through consult.storage.quotes).
"""

from __future__ import annotations

import json
import os
import time as _time
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    UnaryExpression,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session, selectinload

from consult.access import Actor, require
from consult.clinical.catalogue import catalogue
from consult.clinical.outcome import left_out
from consult.clinical.screening import screen
from consult.errors import ConsultError
from consult.pricing import lifecycle, reports
from consult.pricing.options import QuoteOptions
from consult.pricing.quote import build_quote
from consult.records.manager import (
    AreaSummary,
    ChangeEvent,
    Practitioner,
    QuoteDetail,
    QuoteFilter,
    QuoteRow,
    QuoteSort,
    QuoteTotals,
)
from consult.records.quotes import QuoteRecord
from consult.storage import audit, consultations, prices, quotes, settings
from consult.storage.db import Database
from consult.storage.models import AuditEvent, Patient, User
from consult.storage.models.clinical import Consultation, Quote
from consult.storage.patients import name_words, names_condition, searchable

# Audit actions that change a quote; views and listings are left out of its history.
CHANGE_ACTIONS = ("quote.create", "quote.present", "quote.accept", "quote.decline",
                  "quote.expire", "quote.approve", "quote.reject", "quote.reopen")

# The listing and its aggregates are SQLAlchemy Core over the mapped tables: rows come
# back as tuples with only the column types' conversions, without the ORM's
# per-row bookkeeping, which would double the time of a 200-row page.
# The columns of a statement that a filter passes through unchanged.
Columns = TypeVarTuple("Columns")

QUOTES = Quote.__table__
PATIENTS = Patient.__table__
USERS = User.__table__

SORT_EXPRESSIONS = {
    "id": QUOTES.c.id,
    "created": QUOTES.c.created_at,
    "patient": PATIENTS.c.name,
    # As shown: a quote without a practitioner sorts as an empty name on every engine
    # (SQLite puts NULL first, PostgreSQL last).
    "practitioner": func.coalesce(USERS.c.full_name, literal_column("''")),
    "status": QUOTES.c.status,
    "approval": QUOTES.c.approval,
    "total": QUOTES.c.total,
}

CSV_HEADER = ("quote", "created_at", "patient", "practitioner", "status", "approval",
              "currency", "subtotal", "discount", "tax", "total", "valid_until")


class ManagerQueries:
    """The quote listing and its aggregates for one signed-in manager."""

    def __init__(self, db: Database, actor: Actor) -> None:
        require(actor, "quote.read_all")
        self.db = db
        self.actor = actor

    def page(self, flt: QuoteFilter, sort: QuoteSort, offset: int, limit: int) -> list[QuoteRow]:
        """One page of the listing: `limit` rows from `offset` in `sort` order."""
        statement = _page_statement(flt, sort, _clock(), self.db.dialect)
        with self.db.engine.connect() as connection:
            # .all() fetches the page in one driver call; iterating the result would
            # fetch row by row, which doubled the time of a short (date-range) query.
            rows = connection.execute(statement, {"offset": offset, "limit": limit}).all()
        return [QuoteRow(*row) for row in rows]

    def totals(self, flt: QuoteFilter) -> QuoteTotals:
        """Count and sum of every quote the filter keeps, in one aggregate query.

        min/max of the currency tell whether the set holds one currency (always, unless
        the clinic changed currency) without a GROUP BY, which would sort 100,000 rows;
        only a mixed set needs a second query to sum per currency.
        """
        with self.db.engine.connect() as connection:
            lowest, highest, count, total = connection.execute(
                _totals_statement(flt, _clock(), self.db.dialect)
            ).one()
            if count == 0:
                return QuoteTotals(0, {})
            if lowest == highest:
                return QuoteTotals(count, {lowest: total})
            per_currency = connection.execute(
                _filtered(_PER_CURRENCY, flt, self.db.dialect)
            ).all()
            return QuoteTotals(count, dict(per_currency))

    def practitioners(self) -> list[Practitioner]:
        """Everyone who has quotes or may make them, for the practitioner filter."""
        quoted = select(Quote.practitioner_id).where(Quote.practitioner_id.is_not(None))
        statement = (
            select(User.id, User.full_name)
            .where((User.role == "practitioner") | User.id.in_(quoted.distinct()))
            .order_by(User.full_name)
        )
        with self.db.Session() as session:
            return [Practitioner(*row) for row in session.execute(statement)]

    def export_csv(self, path: str | os.PathLike[str], flt: QuoteFilter, sort: QuoteSort) -> int:
        """Write the filtered listing to `path` (atomically); returns the number of rows.

        Rows come as plain tuples, fetched in batches. The export is audited: it takes
        patients' names out of the system.
        """
        statement = _filtered(_CSV_LISTING, flt, self.db.dialect).order_by(*_order(sort))
        with self.db.engine.connect() as connection:
            rows = list(connection.execution_options(yield_per=2000).execute(statement))
        reports.write_csv(path, CSV_HEADER, rows)
        with self.db.Session.begin() as session:
            audit.record(session, self.actor, "quotes.export_csv",
                         detail={"rows": len(rows), "file": Path(path).name})
        return len(rows)

    def status_tallies(self, flt: QuoteFilter | None = None) -> list[reports.StatusTally]:
        """Quotes counted and summed per (month created, practitioner, status).

        Months are the clinic's local months, the same clock the date filters use: a
        quote made at 00:30 on 1 April counts in April wherever UTC has it. The month
        boundaries are worked out here, as instants, and each quote is put in its month
        by comparing instants in SQL (the same comparison the filters make), so
        both engines agree and no time zone database is needed in the server.
        """
        require(self.actor, "reports.read")
        flt = flt or QuoteFilter()
        quotes = QUOTES.c
        with self.db.engine.connect() as connection:
            # Two queries, not one: SQLite reads a lone min() or max() off the index.
            first, last = (
                connection.scalar(
                    _filtered(select(edge(quotes.created_at)), flt, self.db.dialect)
                )
                for edge in (func.min, func.max)
            )
            if first is None or last is None:
                return []
            months = local_months(first, last)
            practitioner = func.coalesce(USERS.c.full_name, literal_column("'(no practitioner)'"))
            # Grouped by the output column's name: the month's SQL carries bound
            # parameters, which PostgreSQL would not match between SELECT and GROUP BY.
            statement = _filtered(
                select(
                    _month_number(quotes.created_at, months).label("month_number"),
                    practitioner,
                    quotes.status,
                    func.count(quotes.id),
                    func.sum(quotes.total),
                )
                .select_from(QUOTES)
                .outerjoin(USERS, USERS.c.id == quotes.practitioner_id)
                .group_by(literal_column("month_number"), practitioner, quotes.status),
                flt,
                self.db.dialect,
            )
            return [
                reports.StatusTally(months[number], name, status, count, total)
                for number, name, status, count, total in connection.execute(statement)
            ]

    def detail(self, quote_id: int) -> QuoteDetail:
        """The quote with its lines, consultation summary and history (the view is audited)."""
        record = quotes.get_quote(self.db, self.actor, quote_id)
        with self.db.Session() as session:
            consultation = session.get_one(Consultation, record.consultation_id)
            patient_name = session.scalar(
                select(Patient.name).where(Patient.id == record.patient_id)
            )
            practitioner = session.scalar(
                select(User.full_name).where(User.id == record.practitioner_id)
            )
            history = _history(session, record)
        return QuoteDetail(
            quote=record,
            patient_name=patient_name or "",
            practitioner_name=practitioner or "",
            treatment=catalogue().treatments.get(consultation.treatment, consultation.treatment),
            areas=tuple(_area_summary(item) for item in consultation.areas),
            screening_verdict=consultation.screening_verdict,
            history=tuple(history),
        )

    def reopen_expired(self, quote_id: int, today: date | None = None) -> int:
        """Reopen an expired quote as a new draft, priced again with today's price list.

        The expired quote stays as it was (it is the record of what was offered); the
        new draft keeps its choices (add-ons, up-front payment, manual discount, number
        of sessions) and its practitioner, is valid from today, and asks for approval
        again if its discount needs one. Returns the new quote's id.
        """
        require(self.actor, "quote.write_own")
        day = today or date.today()
        current_prices = prices.current_price_list(self.db)
        clinic = settings.get_settings(self.db).pricing
        with self.db.Session.begin() as session:
            old = _load_quote(session, quote_id)
            lifecycle.reopen(old.status, today=day, validity_days=clinic.quote_validity_days,
                             needs_approval=False)  # refuses anything but an expired quote
            row = consultations.load(session, old.consultation_id)
            consultation = consultations.as_consultation(row, session.get(Patient, row.patient_id))
            # Declined areas stay out; areas that waited are quoted (they are planned).
            priced = build_quote(consultation, current_prices, clinic, _options_of(old),
                                 left_out(consultation, screen(consultation)))
            draft = lifecycle.reopen(old.status, today=day,
                                     validity_days=clinic.quote_validity_days,
                                     needs_approval=priced.needs_approval)
            priced = replace(priced, valid_until=draft.valid_until)
            new = quotes.add_quote(session, self.actor, old.consultation_id, priced,
                                   status=draft.status)
            new.practitioner_id = old.practitioner_id  # the practitioner keeps the patient
            session.flush()
            audit.record(session, self.actor, "quote.reopen", patient_id=old.patient_id,
                         detail={"quote": new.id, "reopened_from": old.id})
            return new.id


# --- statement building -------------------------------------------------------------------


# Built once; each query adds its WHERE, ORDER BY and LIMIT to a copy.
_LISTING = (
    select(
        QUOTES.c.id,
        QUOTES.c.created_at,
        PATIENTS.c.name,
        func.coalesce(USERS.c.full_name, ""),
        QUOTES.c.status,
        QUOTES.c.approval,
        QUOTES.c.total,
        QUOTES.c.currency,
    )
    .select_from(QUOTES)
    .join(PATIENTS, PATIENTS.c.id == QUOTES.c.patient_id)
    .outerjoin(USERS, USERS.c.id == QUOTES.c.practitioner_id)
)
_CSV_LISTING = (
    select(
        QUOTES.c.id, QUOTES.c.created_at, PATIENTS.c.name, func.coalesce(USERS.c.full_name, ""),
        QUOTES.c.status, QUOTES.c.approval, QUOTES.c.currency, QUOTES.c.subtotal,
        QUOTES.c.discount, QUOTES.c.tax, QUOTES.c.total, QUOTES.c.valid_until,
    )
    .select_from(QUOTES)
    .join(PATIENTS, PATIENTS.c.id == QUOTES.c.patient_id)
    .outerjoin(USERS, USERS.c.id == QUOTES.c.practitioner_id)
)
_TOTALS = select(
    func.min(QUOTES.c.currency),
    func.max(QUOTES.c.currency),
    func.count(QUOTES.c.id),
    func.sum(QUOTES.c.total),
).select_from(QUOTES)
_PER_CURRENCY = (
    select(QUOTES.c.currency, func.sum(QUOTES.c.total))
    .select_from(QUOTES)
    .group_by(QUOTES.c.currency)
)


def _clock() -> tuple[object, ...]:
    """This computer's time zone as the C library has it: a filter's local days become
    other instants when it changes, so cached statements are keyed on it."""
    return (_time.tzname, _time.timezone, _time.altzone)


# A manager flips between a handful of filters; building a statement and its cache key
# cost a short query as much as SQLite's own work, so the built statements are kept.
@lru_cache(maxsize=64)
def _page_statement(
    flt: QuoteFilter, sort: QuoteSort, _zone: tuple[object, ...], dialect: str
) -> Select[Any]:
    return (
        _filtered(_LISTING, flt, dialect)
        .order_by(*_order(sort))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )


@lru_cache(maxsize=64)
def _totals_statement(
    flt: QuoteFilter, _zone: tuple[object, ...], dialect: str
) -> Select[Any, Any, int, Any]:
    return _filtered(_TOTALS, flt, dialect)


def _filtered(statement: Select[*Columns], flt: QuoteFilter, dialect: str) -> Select[*Columns]:
    quotes = QUOTES.c
    if flt.statuses:
        statement = statement.where(quotes.status.in_(sorted(flt.statuses)))
    if flt.approvals:
        statement = statement.where(quotes.approval.in_(sorted(flt.approvals)))
    if flt.practitioner_id is not None:
        statement = statement.where(quotes.practitioner_id == flt.practitioner_id)
    if flt.created_from is not None:
        statement = statement.where(quotes.created_at >= local_day_start(flt.created_from))
    if flt.created_to is not None and flt.created_to < date.max:  # the last day: no end
        next_day = flt.created_to + timedelta(days=1)
        statement = statement.where(quotes.created_at < local_day_start(next_day))
    words = name_words(searchable(flt.patient_name))
    if words:
        # A subquery, not the listing's join, so totals need no join. The patient
        # search's own matching (consult.storage.patients.names_condition): every typed
        # word in the name, in any order, through the trigram index (migration 0006).
        matching = select(PATIENTS.c.id).where(names_condition(words, dialect))
        statement = statement.where(quotes.patient_id.in_(matching))
    return statement


def _order(sort: QuoteSort) -> list[UnaryExpression[Any]]:
    column = SORT_EXPRESSIONS[sort.column]
    tie_breaker = QUOTES.c.id
    if sort.descending:
        return [column.desc(), tie_breaker.desc()]
    return [column.asc(), tie_breaker.asc()]


def _history(session: Session, record: QuoteRecord) -> list[ChangeEvent]:
    """The quote's changes from the audit trail, oldest first.

    Events are found through the patient (an indexed column) and kept when their
    detail names this quote, as itself or as the quote it was reopened from.
    """
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.patient_id == record.patient_id,
               AuditEvent.action.in_(CHANGE_ACTIONS))
        .order_by(AuditEvent.id)
    )
    history = []
    for event in events:
        detail = json.loads(event.detail or "{}")
        if record.id in (detail.get("quote"), detail.get("reopened_from")):
            history.append(ChangeEvent(event.at, event.username, event.action, event.outcome,
                                       detail))
    return history


def _load_quote(session: Session, quote_id: int) -> Quote:
    row = session.get(Quote, quote_id, options=[selectinload(Quote.lines)])
    if row is None:
        raise ConsultError(f"quote {quote_id} does not exist")
    return row


def _area_summary(item: dict[str, Any]) -> AreaSummary:
    cat = catalogue()
    area = cat.areas.get(item.get("area", ""))
    concerns = tuple(cat.concerns.get(c, c) for c in item.get("concerns", ()))
    return AreaSummary(area.label if area else str(item.get("area")), concerns)


def _options_of(old: Quote) -> QuoteOptions:
    return QuoteOptions(
        add_ons=tuple(line.item for line in old.lines if line.kind == "addon"),
        pay_upfront=old.course_discount_percent > 0,
        manual_discount_percent=old.manual_discount_percent,
        sessions_override=old.sessions or None,
    )


def local_months(first: datetime, last: datetime) -> list[date]:
    """The first day of each local month from the one holding `first` to `last`'s."""
    month = first.astimezone().date().replace(day=1)
    final = last.astimezone().date().replace(day=1)
    months = [month]
    while month < final:
        month = _next_month(month)
        months.append(month)
    return months


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_number(created_at: ColumnElement[datetime], months: list[date]) -> ColumnElement[int]:
    """SQL for the position in `months` of the local month a timestamp falls in.

    A nested CASE that halves the months at each level: a few comparisons per quote
    (six for three years) where a flat CASE makes one per month.
    """

    def within(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal(low)
        middle = (low + high + 1) // 2  # the first month of the later half
        return case(
            (created_at < local_day_start(months[middle]), within(low, middle - 1)),
            else_=within(middle, high),
        )

    return within(0, len(months) - 1)


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` on this computer's clock, as an aware datetime."""
    return datetime.combine(day, time.min).astimezone()
