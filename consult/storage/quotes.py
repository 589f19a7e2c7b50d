"""Quotes: store what the pricing engine computed, then follow the quote's life.

A quote is saved with its lines and the price-list version it was priced with, so it
never changes when prices do. Status changes (present, accept, decline, expire) and a
manager's approval follow the rules of consult.pricing.lifecycle; this module only
persists and audits them. Practitioners see and change their own quotes
(`quote.read_own` / `quote.write_own`); a manager sees all (`quote.read_all`) and
decides approvals (`quote.approve`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.pricing import lifecycle
from consult.pricing.quote import Quote as PricedQuote
from consult.protection.safe_text import check_text
from consult.records import APPROVALS, QUOTE_STATUSES
from consult.records.quotes import QuoteLineRecord, QuotePage, QuoteRecord
from consult.storage import audit, consultations
from consult.storage.db import Database
from consult.storage.locking import check_version, flush_or_stale
from consult.storage.models import PriceListVersion
from consult.storage.models.clinical import Quote as QuoteRow
from consult.storage.models.clinical import QuoteLine as QuoteLineRow

MAX_COMMENT = 2000
MAX_PAGE = 500


# --------------------------------------------------------------------------- saving


def save_quote(db: Database, actor: Actor, consultation_id: int, quote: PricedQuote) -> QuoteRecord:
    """Store a quote computed by consult.pricing.build_quote for the consultation."""
    require(actor, "quote.write_own")
    with db.Session.begin() as session:
        row = add_quote(session, actor, consultation_id, quote)
        return to_record(row)


def same_terms(session: Session, consultation_id: int, quote: PricedQuote) -> list[QuoteRow]:
    """The consultation's stored quotes on the same terms as `quote`, newest first.

    The same terms: the same discount, sessions and total in the same currency. A quote
    priced differently since is a different offer.
    """
    query = (
        select(QuoteRow)
        .where(
            QuoteRow.consultation_id == consultation_id,
            QuoteRow.manual_discount_percent == quote.manual_discount_percent,
            QuoteRow.sessions == quote.sessions,
            QuoteRow.total == quote.total,
            QuoteRow.currency == quote.currency,
        )
        .order_by(QuoteRow.created_at.desc(), QuoteRow.id.desc())
        .options(selectinload(QuoteRow.lines))
    )
    return list(session.scalars(query))


def matching_approval(
    session: Session, consultation_id: int, quote: PricedQuote
) -> QuoteRow | None:
    """The newest quote on these terms that was put to a manager, if any."""
    for row in same_terms(session, consultation_id, quote):
        if row.approval != lifecycle.NOT_NEEDED:
            return row
    return None


def presented_offer(session: Session, consultation_id: int, quote: PricedQuote) -> QuoteRow | None:
    """The newest quote on these terms already presented to the patient (its plan was
    printed), which a signature then accepts rather than a second copy."""
    for row in same_terms(session, consultation_id, quote):
        if row.status == lifecycle.PRESENTED and row.approval in (
            lifecycle.NOT_NEEDED,
            lifecycle.APPROVED,
        ):
            return row
    return None


def add_quote(
    session: Session,
    actor: Actor,
    consultation_id: int,
    quote: PricedQuote,
    *,
    status: str = lifecycle.DRAFT,
    created_at: datetime | None = None,
) -> QuoteRow:
    """Insert a priced quote inside an open transaction (and audit it)."""
    consultation = consultations.load(session, consultation_id)
    if quote.price_list_version is None:
        raise ConsultError("the quote was not priced with a stored price list; price it again")
    if session.get(PriceListVersion, quote.price_list_version) is None:
        raise ConsultError(f"price list version {quote.price_list_version} does not exist")
    if not quote.lines:
        raise InvalidField("quote", "has no lines: every requested area is blocked or none chosen")
    now = created_at or datetime.now(UTC)
    row = QuoteRow(
        consultation_id=consultation.id,
        patient_id=consultation.patient_id,
        practitioner_id=actor.user_id
        if actor.user_id is not None
        else consultation.practitioner_id,
        price_list_version_id=quote.price_list_version,
        status=status,
        approval=lifecycle.approval_for(quote.needs_approval),
        currency=quote.currency,
        sessions=quote.sessions,
        interval_weeks=quote.interval_weeks,
        tax_rate=quote.tax_rate,
        course_discount_percent=quote.course_discount_percent,
        manual_discount_percent=quote.manual_discount_percent,
        subtotal=quote.subtotal,
        discount=quote.discount,
        tax=quote.tax,
        total=quote.total,
        valid_until=quote.valid_until,
        created_at=now,
        updated_at=now,
        lines=[
            QuoteLineRow(
                position=position,
                kind=line.kind,
                item=line.item,
                description=line.description,
                unit_price=line.unit_price,
                quantity=line.quantity,
                amount=line.amount,
            )
            for position, line in enumerate(quote.lines, start=1)
        ],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "quote.create",
        patient_id=row.patient_id,
        detail={"quote": row.id, "total": str(row.total), "approval": row.approval},
    )
    return row


# --------------------------------------------------------------------------- reading


def get_quote(db: Database, actor: Actor, quote_id: int) -> QuoteRecord:
    with db.Session.begin() as session:
        row = _load(session, quote_id)
        _require_read(actor, row)
        audit.record(
            session, actor, "quote.view", patient_id=row.patient_id, detail={"quote": row.id}
        )
        return to_record(row)


def list_for_patient(db: Database, actor: Actor, patient_id: int) -> list[QuoteRecord]:
    """The patient's quotes the actor may see, newest first (lines included)."""
    require(actor, "quote.read_own")
    with db.Session.begin() as session:
        query = _visible_to(actor, select(QuoteRow).where(QuoteRow.patient_id == patient_id))
        rows = session.scalars(
            query.options(selectinload(QuoteRow.lines)).order_by(
                QuoteRow.created_at.desc(), QuoteRow.id.desc()
            )
        )
        found = [to_record(row) for row in rows]
        audit.record(
            session, actor, "quote.list", patient_id=patient_id, detail={"results": len(found)}
        )
        return found


def list_quotes(
    db: Database,
    actor: Actor,
    *,
    status: str | None = None,
    approval: str | None = None,
    practitioner_id: int | None = None,
    patient_id: int | None = None,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 100,
) -> QuotePage:
    """One page of quotes, newest first; pass the page's `next_after` to get the next one.

    Keyset paging (created_at, id) keeps every page as fast as the first on a large
    clinic and never skips or repeats a quote when new ones arrive while scrolling.
    """
    require(actor, "quote.read_own")
    if status is not None and status not in QUOTE_STATUSES:
        raise InvalidField("status", f'"{status}" is not one of {", ".join(QUOTE_STATUSES)}')
    if approval is not None and approval not in APPROVALS:
        raise InvalidField("approval", f'"{approval}" is not one of {", ".join(APPROVALS)}')
    limit = max(1, min(limit, MAX_PAGE))
    conditions = [
        condition
        for condition in (
            QuoteRow.status == status if status else None,
            QuoteRow.approval == approval if approval else None,
            QuoteRow.practitioner_id == practitioner_id if practitioner_id is not None else None,
            QuoteRow.patient_id == patient_id if patient_id is not None else None,
            QuoteRow.created_at >= created_from if created_from else None,
            QuoteRow.created_at < created_before if created_before else None,
            _after(after) if after else None,
        )
        if condition is not None
    ]
    query = _visible_to(actor, select(QuoteRow).where(and_(True, *conditions)))
    with db.Session() as session:
        rows = list(
            session.scalars(
                query.options(selectinload(QuoteRow.lines))
                .order_by(QuoteRow.created_at.desc(), QuoteRow.id.desc())
                .limit(limit + 1)
            )
        )
    page = [to_record(row) for row in rows[:limit]]
    more = len(rows) > limit
    return QuotePage(tuple(page), (page[-1].created_at, page[-1].id) if more else None)


def _after(after: tuple[datetime, int]) -> ColumnElement[bool]:
    created_at, quote_id = after
    return or_(
        QuoteRow.created_at < created_at,
        and_(QuoteRow.created_at == created_at, QuoteRow.id < quote_id),
    )


def _visible_to(actor: Actor, query: Select[QuoteRow]) -> Select[QuoteRow]:
    if actor.may("quote.read_all"):
        return query
    return query.where(QuoteRow.practitioner_id == actor.user_id)


def _require_read(actor: Actor, row: QuoteRow) -> None:
    if actor.may("quote.read_all"):
        return
    require(actor, "quote.read_own")
    if row.practitioner_id != actor.user_id:
        raise PermissionDenied(f"{actor.username} may open only their own quotes")


def _load(session: Session, quote_id: int) -> QuoteRow:
    row = session.get(QuoteRow, quote_id, options=[selectinload(QuoteRow.lines)])
    if row is None:
        raise ConsultError(f"quote {quote_id} does not exist")
    return row


def to_record(row: QuoteRow) -> QuoteRecord:
    return QuoteRecord(
        id=row.id,
        consultation_id=row.consultation_id,
        patient_id=row.patient_id,
        practitioner_id=row.practitioner_id,
        price_list_version_id=row.price_list_version_id,
        status=row.status,
        approval=row.approval,
        approval_comment=row.approval_comment,
        approved_by=row.approved_by,
        currency=row.currency,
        sessions=row.sessions,
        interval_weeks=row.interval_weeks,
        tax_rate=row.tax_rate,
        course_discount_percent=row.course_discount_percent,
        manual_discount_percent=row.manual_discount_percent,
        subtotal=row.subtotal,
        discount=row.discount,
        tax=row.tax,
        total=row.total,
        valid_until=row.valid_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        lines=tuple(
            QuoteLineRecord(
                line.position,
                line.kind,
                line.item,
                line.description,
                line.unit_price,
                line.quantity,
                line.amount,
            )
            for line in row.lines
        ),
    )


# --------------------------------------------------------------------------- life cycle


def change_status(
    db: Database,
    actor: Actor,
    quote_id: int,
    event: str,
    *,
    expected_version: int,
    today: date | None = None,
) -> QuoteRecord:
    """Apply `event` (present, accept, decline, expire) by consult.pricing.lifecycle's rules."""
    with db.Session.begin() as session:
        row = _load(session, quote_id)
        _require_write(actor, row)
        check_version(
            row.version, expected_version, f"quote {row.id}", _author(session, actor, row)
        )
        transition_row(session, actor, row, event, today=today)
        return to_record(row)


def transition_row(
    session: Session, actor: Actor, row: QuoteRow, event: str, *, today: date | None = None
) -> None:
    """Apply `event` to a loaded quote inside an open transaction (and audit it)."""
    _require_write(actor, row)
    before = row.status
    row.status = lifecycle.transition(
        row.status,
        event,
        today=today or date.today(),
        valid_until=row.valid_until,
        approval=row.approval,
    )
    row.updated_at = datetime.now(UTC)
    flush_or_stale(session, f"quote {row.id}")
    audit.record(
        session,
        actor,
        f"quote.{event}",
        patient_id=row.patient_id,
        detail={"quote": row.id, "from": before, "to": row.status},
    )


def decide_approval(
    db: Database,
    actor: Actor,
    quote_id: int,
    *,
    approve: bool,
    comment: str = "",
    expected_version: int,
) -> QuoteRecord:
    """A manager approves or rejects a discount above the clinic's limit."""
    require(actor, "quote.approve")
    text = check_text(comment, "comment", multiline=True).strip()
    if len(text) > MAX_COMMENT:
        raise InvalidField("comment", f"is longer than {MAX_COMMENT} characters")
    if not approve and not text:
        raise InvalidField("comment", "say why the discount is rejected")
    with db.Session.begin() as session:
        row = _load(session, quote_id)
        check_version(
            row.version, expected_version, f"quote {row.id}", _author(session, actor, row)
        )
        row.approval = lifecycle.decide_approval(row.approval, approve)
        row.approval_comment = text or None
        row.approved_by = actor.user_id
        row.updated_at = datetime.now(UTC)
        flush_or_stale(session, f"quote {row.id}")
        audit.record(
            session,
            actor,
            "quote.approve" if approve else "quote.reject",
            patient_id=row.patient_id,
            detail={"quote": row.id, "comment": row.approval_comment},
        )
        return to_record(row)


def expire_due(db: Database, actor: Actor, today: date | None = None) -> int:
    """Mark every presented quote past its validity as expired; returns how many."""
    require(actor, "quote.read_all")
    day = today or date.today()
    with db.Session.begin() as session:
        rows = session.scalars(
            select(QuoteRow).where(
                QuoteRow.status == lifecycle.PRESENTED, QuoteRow.valid_until < day
            )
        ).all()
        for row in rows:
            row.status = lifecycle.expire_if_due(row.status, today=day, valid_until=row.valid_until)
            row.updated_at = datetime.now(UTC)
            audit.record(
                session, actor, "quote.expire", patient_id=row.patient_id, detail={"quote": row.id}
            )
        flush_or_stale(session, "quotes")
        return len(rows)


def _author(session: Session, actor: Actor, row: QuoteRow) -> Callable[[], str]:
    """Who last changed the quote, looked up only if a conflict needs the name."""
    return partial(
        audit.last_author, session, actor, action_prefix="quote.", patient_id=row.patient_id,
        detail_key="quote", record_id=row.id,
    )


def _require_write(actor: Actor, row: QuoteRow) -> None:
    require(actor, "quote.write_own")
    if row.practitioner_id != actor.user_id and not actor.may("quote.read_all"):
        raise PermissionDenied(f"{actor.username} may change only their own quotes")
