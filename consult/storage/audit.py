"""The audit trail: who did what to which patient's record, append-only and hash-chained.

Each event's `hash` is sha256(previous event's hash + canonical JSON of the event's own
fields, its position included). Database triggers refuse UPDATE and DELETE, and even
someone who drops the triggers cannot rewrite, remove or reorder an event without
`verify_chain` noticing: the recomputed hash no longer matches, or the next event no
longer links to it, or a position is missing.

`record` appends inside the caller's transaction, so an action and its audit event are
committed together or not at all. Appends are serialised so the chain stays linear:
on PostgreSQL by a transaction-level advisory lock, on SQLite by the write lock every
transaction takes at BEGIN (see consult.storage.db).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from consult.access import Actor
from consult.storage.db import Database
from consult.storage.models import AuditEvent, User

GENESIS = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends (any fixed number).
CHAIN_LOCK_KEY = 0x41756469745472
_VERIFY_BATCH = 2000


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    detail: Mapping[str, Any] | str | None = None,
) -> int:
    """Append one event to the trail within the caller's transaction; returns its position."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    position, prev_hash = (last.id + 1, last.hash) if last else (1, GENESIS)
    event = AuditEvent(
        id=position,
        at=datetime.now(UTC),
        user_id=actor.user_id,
        username=actor.username,
        workstation=actor.workstation,
        patient_id=patient_id,
        action=action,
        outcome=outcome,
        detail=_detail_text(detail),
        prev_hash=prev_hash,
    )
    event.hash = chain_hash(prev_hash, event)
    session.add(event)
    session.flush()
    return position


# How far back a conflict looks for the change that caused it (newest events first).
_AUTHOR_LOOKBACK = 200


def last_author(
    session: Session,
    actor: Actor,
    *,
    action_prefix: str,
    patient_id: int | None = None,
    detail_key: str | None = None,
    record_id: int | None = None,
) -> str:
    """Who made the newest audited change to a record, in words for a conflict message.

    "you, in another window on WS-2" when it was the signed-in user themself (never
    "someone else"), "Mara Quinn (mara) on WS-2" for another user, "" if the trail
    names no change (the message then says only that it changed).
    """
    query = select(AuditEvent).where(
        AuditEvent.action.startswith(action_prefix), AuditEvent.outcome == "ok"
    )
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    events = session.scalars(query.order_by(AuditEvent.id.desc()).limit(_AUTHOR_LOOKBACK))
    for event in events:
        if detail_key is not None and _detail_value(event.detail, detail_key) != record_id:
            continue
        if event.user_id is not None and event.user_id == actor.user_id:
            return f"you, in another window on {event.workstation}"
        full_name = session.scalar(select(User.full_name).where(User.id == event.user_id))
        who = f"{full_name} ({event.username})" if full_name else event.username
        return f"{who} on {event.workstation}"
    return ""


def _detail_value(detail: str, key: str) -> Any:
    try:
        value = json.loads(detail)
    except json.JSONDecodeError:
        return None
    return value.get(key) if isinstance(value, dict) else None


def _detail_text(detail: Mapping[str, Any] | str | None) -> str:
    if detail is None:
        return "{}"
    if isinstance(detail, str):
        return json.dumps({"note": detail}, ensure_ascii=False)
    return canonical_json(detail)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The hash that links `event` to its predecessor."""
    fields = {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": event.user_id,
        "username": event.username,
        "workstation": event.workstation,
        "patient_id": event.patient_id,
        "action": event.action,
        "outcome": event.outcome,
        "detail": event.detail,
    }
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def verify_chain(db: Database) -> list[str]:
    """Every problem in the trail, in order; an empty list means it is intact."""
    problems: list[str] = []
    expected_id, expected_prev = 1, GENESIS
    for event in _events_in_order(db):
        if event.id != expected_id:
            problems.append(_gap(expected_id, event.id))
        if event.prev_hash != expected_prev:
            problems.append(
                f"event {event.id} does not link to the event before it "
                "(an event was removed, inserted or moved)"
            )
        if chain_hash(event.prev_hash, event) != event.hash:
            problems.append(
                f"event {event.id} ({event.action} by {event.username}) was altered "
                "after it was written (its hash does not match)"
            )
        expected_id, expected_prev = event.id + 1, event.hash
    return problems


def _gap(expected: int, found: int) -> str:
    if found > expected:
        missing = f"event {expected}" if found == expected + 1 else f"events {expected}–{found - 1}"
        return f"{missing} missing (deleted from the trail)"
    return f"event {found} is out of order (expected event {expected})"


def _events_in_order(db: Database) -> Iterator[AuditEvent]:
    """All events by position, read in batches so a long trail never fills memory."""
    after = 0
    while True:
        with db.Session() as session:
            batch = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.id > after)
                    .order_by(AuditEvent.id)
                    .limit(_VERIFY_BATCH)
                )
            )
        if not batch:
            return
        yield from batch
        after = batch[-1].id
