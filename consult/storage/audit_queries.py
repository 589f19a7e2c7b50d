"""The manager's window on the audit trail: filtered pages, newest first, and the check.

Every answer is computed by the database (WHERE, ORDER BY, LIMIT, COUNT) and handed
back as frozen dataclasses. Pages are keyset-paged on the event's position (`id`):
the next page is "older than the last row shown", not "skip N rows", so events
written while the manager reads (reading the trail is itself audited) never shift a
page and show a row twice.

Reading needs `audit.read`. Each new listing (the first page of a filter, with its
total) and each verification is written to the trail, naming the filter or the outcome;
scrolling to older pages is not (a manager scrolling would write an event per page).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from consult.access import Actor, require
from consult.limits import LARGEST_ID
from consult.records.audit import AuditFilter, AuditRow, ChainCheck, FilterChoices, Listing
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.manager_queries import local_day_start
from consult.storage.models import AuditEvent, Patient
from consult.storage.patients import search_key, searchable

# The columns of a statement that a filter passes through unchanged.
Columns = TypeVarTuple("Columns")

PAGE_SIZE = 200
MAX_PAGE = 1000


class AuditQueries:
    """The audit trail, read by one signed-in manager."""

    def __init__(self, db: Database, actor: Actor) -> None:
        require(actor, "audit.read")
        self.db = db
        self.actor = actor

    def listing(self, flt: AuditFilter, *, limit: int = PAGE_SIZE) -> Listing:
        """The newest `limit` events matching `flt` and how many match in all; audited.

        The total counts only events up to the newest one listed, so it agrees with the
        rows even while other seats write (and the `audit.view` event recorded here,
        after the rows are read, is in neither).
        """
        require(self.actor, "audit.read")
        statement = _listing(flt).order_by(AuditEvent.id.desc()).limit(_bounded(limit))
        with self.db.Session.begin() as session:
            rows = [AuditRow(*row) for row in session.execute(statement)]
            total = session.scalar(_counted(flt, rows[0].id)) if rows else 0
            audit.record(session, self.actor, "audit.view", detail={"filter": flt.described()})
        return Listing(tuple(rows), total or 0)

    def page(self, flt: AuditFilter, *, before_id: int, limit: int = PAGE_SIZE) -> list[AuditRow]:
        """The next `limit` matching events older than `before_id` (scrolling: not audited)."""
        require(self.actor, "audit.read")
        statement = (
            _listing(flt)
            .where(AuditEvent.id < before_id)
            .order_by(AuditEvent.id.desc())
            .limit(_bounded(limit))
        )
        with self.db.Session() as session:
            return [AuditRow(*row) for row in session.execute(statement)]

    def choices(self) -> FilterChoices:
        require(self.actor, "audit.read")
        with self.db.Session() as session:
            return FilterChoices(
                usernames=_distinct(session, AuditEvent.username),
                actions=_distinct(session, AuditEvent.action),
                outcomes=_distinct(session, AuditEvent.outcome),
            )

    def verify(self) -> ChainCheck:
        """Check the whole hash chain, and record that it was checked and what was found."""
        require(self.actor, "audit.read")
        report = audit.verify_trail(self.db)
        check = ChainCheck(report.events, report.problems, report.notes, report.missing_key)
        outcome = "intact" if check.intact else "broken" if check.problems else "unverified"
        with self.db.Session.begin() as session:
            audit.record(
                session,
                self.actor,
                "audit.verify",
                outcome=outcome,
                detail={"events": check.events, "problems": len(check.problems)},
            )
        return check


def _bounded(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def _counted(flt: AuditFilter, up_to_id: int | None = None) -> Select[int]:
    statement = _filtered(select(func.count(AuditEvent.id)).select_from(AuditEvent), flt)
    if up_to_id is not None:
        statement = statement.where(AuditEvent.id <= up_to_id)
    return statement


def _distinct(session: Session, column: InstrumentedAttribute[str]) -> tuple[str, ...]:
    return tuple(session.scalars(select(column).distinct().order_by(column)))


def _listing(flt: AuditFilter) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.username,
            AuditEvent.workstation,
            AuditEvent.patient_id,
            Patient.name,
            AuditEvent.action,
            AuditEvent.outcome,
            AuditEvent.detail,
        )
        .select_from(AuditEvent)
        # audit_events.patient_id has no foreign key (the trail must keep an event even
        # if its patient's row is gone), hence an outer join.
        .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
    )
    return _filtered(statement, flt)


def _filtered(statement: Select[*Columns], flt: AuditFilter) -> Select[*Columns]:
    if flt.username:
        statement = statement.where(AuditEvent.username == flt.username)
    if flt.action:
        statement = statement.where(AuditEvent.action == flt.action)
    if flt.outcome:
        statement = statement.where(AuditEvent.outcome == flt.outcome)
    if flt.date_from is not None:
        statement = statement.where(AuditEvent.at >= local_day_start(flt.date_from))
    if flt.date_to is not None and flt.date_to < date.max:  # the last day: no end
        next_day = flt.date_to + timedelta(days=1)
        statement = statement.where(AuditEvent.at < local_day_start(next_day))
    return _patient_filtered(statement, searchable(flt.patient))


def _patient_filtered(statement: Select[*Columns], typed: str) -> Select[*Columns]:
    """A patient id typed as digits (or "#12"), otherwise words starting the name."""
    if not typed:
        return statement
    as_id = typed.removeprefix("#")
    if as_id.isdecimal():  # not isdigit(): "²" is a digit int() cannot read
        number = int(as_id)
        return statement.where(
            AuditEvent.patient_id == number if number <= LARGEST_ID else false()
        )
    words = search_key(typed).split()
    # Every typed word must start a word of the name, in any order, ignoring case and
    # accents (the patients' search key), as the patient search does.
    matching = select(Patient.id).where(
        *(Patient.search_key.like("% " + _escape_like(word) + "%", escape="\\") for word in words)
    )
    return statement.where(AuditEvent.patient_id.in_(matching))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
