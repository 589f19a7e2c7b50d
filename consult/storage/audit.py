"""The audit trail: who did what to which patient's record, append-only, chained and sealed.

Each event's `hash` is sha256(previous event's hash + canonical JSON of the event's own
fields, its position included), and its `mac` seals that hash with the clinic's audit
key, an HMAC key kept in the workstations' data folders and never in the database
(consult.storage.anchor). Database triggers refuse UPDATE and DELETE; someone who
drops them and rewrites a row must recompute the chain, and cannot recompute the
seals. Deleting the newest events or emptying the table leaves a valid-looking
shorter chain, which the head anchor each workstation keeps (the last event it wrote
or checked) exposes.

`record` appends inside the caller's transaction, so an action and its audit event are
committed together or not at all. Appends are serialised so the chain stays linear:
on PostgreSQL by a transaction-level advisory lock, on SQLite by the write lock every
transaction takes at BEGIN (see consult.storage.db). The first event ever written
creates the audit key (`audit.key_created`); events written before this release have
no seal and are covered by the first sealed event after them.

A restore from a backup rolls the trail back to the backup's last event. It is
recorded by `record_restore` as a sealed `restore` event placed after the newest
event the trail held before (so no position is ever used twice) and linked to the
backup's last event; `verify_trail` accepts that one jump and reports what was rolled
back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, String, Table, event, select, type_coerce
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session

from consult.access import Actor
from consult.storage import anchor
from consult.storage.anchor import AuditKey, Head
from consult.storage.db import Database
from consult.storage.models import AuditEvent, User

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_EVENTS = cast(Table, AuditEvent.__table__)
# A row of _COLUMNS, as verification reads it (a Row; unpacked by position).
EventRow = Any
# Key of the PostgreSQL advisory lock that serialises appends (any fixed number).
CHAIN_LOCK_KEY = 0x41756469745472
KEY_CREATED = "audit.key_created"
RESTORE = "restore"
_VERIFY_BATCH = 5000
# session.info entry holding the head to remember once the transaction commits.
_PENDING_HEAD = "consult_audit_head"


@dataclass(frozen=True)
class EventDraft:
    """An event to append: what `record` takes, for appending many at once."""

    actor: Actor
    action: str
    patient_id: int | None = None
    outcome: str = "ok"
    detail: Mapping[str, Any] | str | None = None
    at: datetime | None = None  # None: now


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
    draft = EventDraft(actor, action, patient_id, outcome, detail)
    return append_many(session, [draft])[-1]


def append_many(session: Session, drafts: Sequence[EventDraft]) -> list[int]:
    """Append events in order within the caller's transaction; returns their positions.

    One lock, one look at the head and one INSERT for all of them: the demo clinic
    writes its whole history this way.
    """
    head = locked = _locked_head(session)
    unsealed, key = _signing_key(session)
    rows: list[dict[str, Any]] = []
    if unsealed:  # a new trail, or one from before seals: this seat makes the key now
        key, announcement = _new_key(head, drafts[0].actor if drafts else _SYSTEM)
        rows.append(announcement)
        head = Head(announcement["id"], announcement["hash"])
    now = datetime.now(UTC)
    for draft in drafts:
        row = _row(head.id + 1, head.hash, draft, draft.at or now)
        _seal(row, key)
        rows.append(row)
        head = Head(row["id"], row["hash"])
    # Core's INSERT, not the ORM's: the ORM leaves a None out of a row's parameters, so
    # rows with and without a patient would go to the database in separate batches.
    session.connection().execute(INSERT, rows)
    _remember_after_commit(session, head, key, read_under_lock=locked)
    return [row["id"] for row in rows[len(rows) - len(drafts) :]]


def record_restore(
    session: Session, actor: Actor, detail: Mapping[str, Any], rolled_back_to: int | None
) -> int:
    """Append the sealed event of a restore from a backup; returns its position.

    `rolled_back_to` is the newest position the trail had before the restore (from
    the database as it was, or this seat's anchor if it could not be read). When the
    backup ends before it, the event is placed after it, so the positions the backup
    lacks are never used again, and it names them in its detail.
    """
    head = _locked_head(session)
    _, key = _signing_key(session)
    after = max(head.id, rolled_back_to or 0)
    full = dict(detail)
    if after > head.id:
        full["rolled_back"] = {"first": head.id + 1, "last": after}
    row = _row(after + 1, head.hash, EventDraft(actor, RESTORE, detail=full), datetime.now(UTC))
    _seal(row, key)
    session.connection().execute(INSERT, [row])
    # A restore rolls the trail back on purpose, and its sealed event says so.
    _remember_after_commit(session, Head(row["id"], row["hash"]), key, after_restore=True)
    return int(row["id"])


# Built once: every audited action runs them (Core statements, read on the session's
# own connection, so no ORM result machinery either).
_HEAD = select(_EVENTS.c.id, _EVENTS.c.hash).order_by(_EVENTS.c.id.desc()).limit(1)
INSERT = _EVENTS.insert()  # built once: every audited action runs it


# PostgreSQL: the lock and the head in one round trip, as two statements of one query.
# The head must be read by a statement that starts after the lock is granted, to see
# every append committed before it: under READ COMMITTED each statement takes its own
# snapshot, within one query string too. (One statement doing both would read the head
# as it was when that statement began, possibly before the previous holder's commit.)
LOCK_THEN_HEAD = (
    "SELECT pg_advisory_xact_lock(18424947612603506); "  # CHAIN_LOCK_KEY
    "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
)


def _locked_head(session: Session) -> Head:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        last = _pg_lock_then_head(connection)
    else:  # SQLite: the transaction's BEGIN IMMEDIATE already holds the write lock
        last = connection.execute(_HEAD).first()
    return Head(last[0], last[1]) if last else Head(0, GENESIS)


def _pg_lock_then_head(connection: Connection) -> Any:
    """The chain's head row (id, hash) or None, read once the chain's lock is held.

    Without parameters psycopg sends the query as it is (simple protocol, never
    prepared), the only way PostgreSQL takes several statements at once. SQLAlchemy
    runs it, so its errors are SQLAlchemy's as anywhere else; its result reads the
    first statement's rows only, so the head is read from the driver's cursor, which
    has every statement's result by then.
    """
    result = connection.exec_driver_sql(LOCK_THEN_HEAD)
    try:
        cursor = result.cursor
        cursor.nextset()  # past the lock's own result
        return cursor.fetchone()
    finally:
        result.close()


def sealed_next(head: Head, draft: EventDraft, key: AuditKey) -> dict[str, Any]:
    """The row of `draft` as the event after `head`, chained and sealed with `key`
    (for consult.storage.audited_read, which inserts it itself)."""
    row = _row(head.id + 1, head.hash, draft, draft.at or datetime.now(UTC))
    _seal(row, key)
    return row


def _row(position: int, prev_hash: str, draft: EventDraft, at: datetime) -> dict[str, Any]:
    actor = draft.actor
    row: dict[str, Any] = {
        "id": position,
        "at": at,
        "user_id": actor.user_id,
        "username": actor.username,
        "workstation": actor.workstation,
        "patient_id": draft.patient_id,
        "action": draft.action,
        "outcome": draft.outcome,
        "detail": _detail_text(draft.detail),
        "prev_hash": prev_hash,
        "mac": None,
    }
    row["hash"] = _hash(prev_hash, _canonical_fields(row))
    return row


def _seal(row: dict[str, Any], key: AuditKey | None) -> None:
    row["mac"] = key.seal(row["hash"]) if key is not None else None


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
    for change in events:
        if detail_key is not None and _detail_value(change.detail, detail_key) != record_id:
            continue
        if change.user_id is not None and change.user_id == actor.user_id:
            return f"you, in another window on {change.workstation}"
        full_name = session.scalar(select(User.full_name).where(User.id == change.user_id))
        who = f"{full_name} ({change.username})" if full_name else change.username
        return f"{who} on {change.workstation}"
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
    return _hash(prev_hash, _canonical_fields(event.__dict__))


def _canonical_fields(values: Mapping[str, Any]) -> str:
    # Keys in sorted order by hand: this runs once per event on every verification.
    at: datetime = values["at"]
    return canonical_json(
        {
            "action": values["action"],
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "detail": values["detail"],
            "id": values["id"],
            "outcome": values["outcome"],
            "patient_id": values["patient_id"],
            "user_id": values["user_id"],
            "username": values["username"],
            "workstation": values["workstation"],
        }
    )


def _hash(prev_hash: str, fields: str) -> str:
    return hashlib.sha256((prev_hash + fields).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- the key

# Keys found for a database, per engine: looked up once, then every append seals at once.
_known_keys: WeakKeyDictionary[Engine, AuditKey] = WeakKeyDictionary()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def known_key(engine: Engine) -> AuditKey | None:
    """The trail's key, if this process has already found it for `engine` (no query)."""
    return _known_keys.get(engine)


def _signing_key(session: Session) -> tuple[bool, AuditKey | None]:
    """Whether the trail has no key yet, and the key to seal new events with.

    A trail whose key this seat lacks is still appended to, unsealed (None): refusing
    would stop the clinic's work, and `verify` at any seat reports the unsealed events.
    """
    engine = _engine_of(session)
    known = _known_keys.get(engine)
    if known is not None:
        return False, known
    announced = _announced_key_id(session)
    if announced is None:
        return True, None
    key = anchor.load_key(announced[1])
    if key is None:
        log.warning(anchor.missing_key_message(announced[1]))
        return False, None
    _known_keys[engine] = key
    return False, key


def missing_key(db: Database) -> str | None:
    """Why this workstation cannot seal or check the trail (no key), or None when it can.

    Asked before anyone signs in to check the trail: a seat without the key would
    otherwise add an unsealed sign-in event to the very trail it cannot check.
    """
    with db.engine.connect() as connection:
        announced = _announced_key_id(connection)
    if announced is None or anchor.load_key(announced[1]) is not None:
        return None
    return anchor.missing_key_message(announced[1] or "unknown")


def _new_key(head: Head, actor: Actor) -> tuple[AuditKey, dict[str, Any]]:
    """The key, made at this seat by the user whose action needs it first, and its event."""
    key = anchor.create_key()
    announcement = _row(
        head.id + 1,
        head.hash,
        EventDraft(
            actor,
            KEY_CREATED,
            detail={
                "key_id": key.id,
                "kept_in": f"{anchor.KEY_FOLDER}/{key.id}.key in each workstation's data folder",
            },
        ),
        datetime.now(UTC),
    )
    _seal(announcement, key)
    return key, announcement


_SYSTEM = Actor(None, "consult", "manager", "")


def _announced_key_id(session: Session | Connection) -> tuple[int, str] | None:
    """The position of the trail's `audit.key_created` event and the key id it names."""
    row = session.execute(
        select(AuditEvent.id, AuditEvent.detail)
        .where(AuditEvent.action == KEY_CREATED)
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    try:
        return int(row.id), str(json.loads(row.detail)["key_id"])
    except (ValueError, KeyError, TypeError):
        return int(row.id), ""


# --------------------------------------------------------------------------- anchors


def _remember_after_commit(
    session: Session,
    head: Head,
    key: AuditKey | None,
    *,
    after_restore: bool = False,
    read_under_lock: Head | None = None,
) -> None:
    """Move this workstation's anchor to `head` once committed, but never past a gap.

    If the trail no longer holds the event the anchor names (newest events deleted, the
    table emptied, an older copy put back), appending after it must not launder the
    loss: the anchor stays where it was, and `verify` reports what is missing. When
    the anchor names the very head just read under the chain's lock (this seat wrote
    the last event, the usual case), the trail holds it and asking again is skipped.
    """
    url = _engine_of(session).url
    if after_restore or anchor_may_move(url, read_under_lock, partial(_holds, session)):
        session.info[_PENDING_HEAD] = (url, head, key.id if key else None)


def anchor_may_move(url: URL, read_under_lock: Head | None, holds: Callable[[Head], bool]) -> bool:
    """Whether this workstation's anchor may move past the head read under the chain's
    lock: not when the trail no longer holds the event the anchor names (`holds` asks
    the trail, within the appending transaction), which is then logged."""
    seen = anchor.read_anchor(url)
    if seen is None or seen.head == read_under_lock or holds(seen.head):
        return True
    log.warning("audit anchor kept at event %s: the trail no longer holds it", seen.head.id)
    return False


def _holds(session: Session, head: Head) -> bool:
    stored = session.execute(select(AuditEvent.hash).where(AuditEvent.id == head.id)).scalar()
    return stored == head.hash


@event.listens_for(Session, "after_commit")
def _anchor_committed_head(session: Session) -> None:
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is not None:
        anchor.remember_head(*pending)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_head(session: Session) -> None:
    session.info.pop(_PENDING_HEAD, None)


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class TrailReport:
    """What checking the whole trail found."""

    events: int
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # legitimate history worth telling: restores
    missing_key: str | None = None  # why the seals could not be checked here
    head: Head | None = None

    @property
    def intact(self) -> bool:
        return not self.problems and self.missing_key is None


@dataclass
class _Walk:
    """The state of one pass over the trail."""

    key: AuditKey | None
    key_from: int  # position of the key's announcement: events from there on are sealed
    expected_id: int = 1
    expected_prev: str = GENESIS
    events: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rolled_back: list[tuple[int, int]] = field(default_factory=list)
    hashes_at: dict[int, str] = field(default_factory=dict)
    watch: int = 0  # the anchored position, whose hash is kept when passed


def verify_trail(db: Database, *, up_to: int | None = None) -> TrailReport:
    """Check the chain, the seals and this workstation's anchor, in one read of the trail.

    Linear in the number of events: one ordered scan of the table (streamed, so a long
    trail never fills memory) inside one snapshot, so events appended meanwhile are
    neither half-seen nor reported as problems. `up_to` checks only the events up to
    that position (the anchor is then not compared, nor moved).
    """
    anchored = anchor.read_anchor(db.url) if up_to is None else None
    with db.engine.connect() as connection:
        if db.dialect == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            announced = _announced_key_id(connection)
            key = anchor.load_key(announced[1]) if announced and announced[1] else None
            watch = anchored.head.id if anchored else 0
            walk = _Walk(key, announced[0] if announced else 0, watch=watch)
            at_text = _sqlite_time if db.dialect == "sqlite" else _aware_time
            for row in _rows_in_order(connection, up_to, db.dialect):
                _check(walk, row, at_text(tuple(row)[1]))
    missing_key = None
    if announced is not None and key is None:
        missing_key = anchor.missing_key_message(announced[1] or "unknown")
    _check_anchor(walk, anchored, announced[1] if announced else None)
    head = Head(walk.expected_id - 1, walk.expected_prev) if walk.events else None
    report = TrailReport(walk.events, tuple(walk.problems), tuple(walk.notes), missing_key, head)
    if report.intact and head is not None and up_to is None:
        anchor.remember_head(db.url, head, key.id if key else None)
    return report


def verify_chain(db: Database) -> list[str]:
    """Every problem in the trail, in order; an empty list means it is intact."""
    report = verify_trail(db)
    return [*report.problems, *([report.missing_key] if report.missing_key else [])]


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.user_id,
    AuditEvent.username,
    AuditEvent.workstation,
    AuditEvent.patient_id,
    AuditEvent.action,
    AuditEvent.outcome,
    AuditEvent.detail,
    AuditEvent.prev_hash,
    AuditEvent.hash,
    AuditEvent.mac,
)


def _rows_in_order(connection: Connection, up_to: int | None, dialect: str) -> Iterator[EventRow]:
    """Every event by position in one streamed query (a server-side cursor on PostgreSQL).

    On SQLite the time comes as the stored text (see _sqlite_time).
    """
    columns: list[Any] = list(_COLUMNS)
    if dialect == "sqlite":
        columns[1] = type_coerce(AuditEvent.at, String).label("at")
    query = select(*columns).order_by(AuditEvent.id)
    if up_to is not None:
        query = query.where(AuditEvent.id <= up_to)
    # Typed loosely: with the SQLite time column swapped in, the row's types vary by engine.
    result: Any = connection.execution_options(
        stream_results=True, yield_per=_VERIFY_BATCH
    ).execute(query)
    for partition in result.partitions():
        yield from partition


def _check(walk: _Walk, row: EventRow, at: str) -> None:
    """One event against the one before it; `at` is its time as the hash covers it."""
    (position, _, user_id, username, workstation, patient_id, action, outcome, detail,
     prev_hash, event_hash, mac) = tuple(row)  # fmt: skip
    walk.events += 1
    if position != walk.expected_id and not _explained_jump(walk, row):
        walk.problems.append(_gap(walk.expected_id, position))
    if prev_hash != walk.expected_prev:
        walk.problems.append(
            f"event {position} does not link to the event before it "
            "(an event was removed, inserted or moved)"
        )
    fields = canonical_json(
        {
            "action": action,
            "at": at,
            "detail": detail,
            "id": position,
            "outcome": outcome,
            "patient_id": patient_id,
            "user_id": user_id,
            "username": username,
            "workstation": workstation,
        }
    )
    if hashlib.sha256((prev_hash + fields).encode("utf-8")).hexdigest() != event_hash:
        walk.problems.append(
            f"event {position} ({action} by {username}) was altered "
            "after it was written (its hash does not match)"
        )
    key = walk.key
    if key is not None and walk.key_from and position >= walk.key_from:
        if mac is None or key.seal(event_hash) != mac:
            _seal_problem(walk, row)
    if action == RESTORE:
        walk.notes.append(_restore_note(row, at))
    if position == walk.watch:
        walk.hashes_at[position] = event_hash
    walk.expected_id, walk.expected_prev = position + 1, event_hash


def _sqlite_time(stored: str) -> str:
    """The hashed form of a time as SQLite stores it (naive UTC, microseconds).

    Equal to parsing it and writing it back with `isoformat`, at a tenth of the cost
    (this runs once per event of the trail); any other shape is parsed.
    """
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat(timespec="microseconds")


def _aware_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _seal_problem(walk: _Walk, row: EventRow) -> None:
    if row.mac is None:
        walk.problems.append(
            f"event {row.id} ({row.action} by {row.username} at {row.workstation}) has no "
            "seal: it was written at a workstation without the clinic's audit key, or its "
            "seal was removed"
        )
    else:
        walk.problems.append(
            f"event {row.id} ({row.action} by {row.username}) does not carry the clinic's "
            "seal (it was rewritten and its chain recomputed, or written without the key)"
        )


def _explained_jump(walk: _Walk, row: EventRow) -> bool:
    """A restore event that names exactly the positions it skips, sealed by the key."""
    rolled = _rolled_back(row)
    if row.action != RESTORE or rolled != (walk.expected_id, row.id - 1):
        return False
    if walk.key is not None and walk.key.seal(row.hash) != row.mac:
        return False  # reported as an unsealed or forged event; the gap stays a problem
    walk.rolled_back.append(rolled)
    return True


def _rolled_back(row: EventRow) -> tuple[int, int] | None:
    try:
        rolled = json.loads(row.detail).get("rolled_back")
        return (int(rolled["first"]), int(rolled["last"])) if rolled else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _restore_note(row: EventRow, at: str) -> str:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        detail = {}
    made = detail.get("backup_made_at") or "an unknown date"
    when = datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    note = (
        f"event {row.id}: {row.username} restored the database on {when} "
        f"from a backup of {made} ({detail.get('file', 'unknown file')})"
    )
    rolled = _rolled_back(row)
    if rolled is not None:
        first, last = rolled
        span = f"event {first}" if first == last else f"events {first}–{last}"
        note += f"; {span} rolled back"
    if detail.get("previous_database_kept_in"):
        note += f"; the database as it was is kept in {detail['previous_database_kept_in']}"
    return note


def _check_anchor(walk: _Walk, anchored: anchor.Anchor | None, key_id: str | None) -> None:
    """The trail must still hold the newest event this workstation saw, unchanged."""
    if anchored is None:
        return
    if anchored.key_id and walk.events and key_id != anchored.key_id:
        walk.problems.append(
            f"the trail no longer names the audit key {anchored.key_id} this workstation "
            "knew it by: its key announcement was removed or replaced"
        )
    seen = anchored.head.id
    if any(first <= seen <= last for first, last in walk.rolled_back):
        return  # a restore from a backup rolled it back, and says so
    found = walk.hashes_at.get(seen)
    last = walk.expected_id - 1
    unexplained = "and no restore from a backup explains it"
    if found is None and seen > last:
        walk.problems.append(
            f"the trail is empty but this workstation saw event {seen}: the trail was "
            f"emptied ({unexplained})"
            if last == 0
            else f"the trail ends at event {last} but this workstation saw event {seen}: "
            f"{_span(last + 1, seen)} deleted ({unexplained})"
        )
    elif found is not None and found != anchored.head.hash:
        walk.problems.append(
            f"event {seen} is not the event this workstation saw there: the trail was "
            "rewritten and its chain recomputed"
        )


def _span(first: int, last: int) -> str:
    return f"event {first} was" if first == last else f"events {first}–{last} were"


def _gap(expected: int, found: int) -> str:
    if found > expected:
        missing = f"event {expected}" if found == expected + 1 else f"events {expected}–{found - 1}"
        return f"{missing} missing (deleted from the trail)"
    return f"event {found} is out of order (expected event {expected})"


def trail_key(db: Database) -> AuditKey | None:
    """The trail's audit key, if the trail has one and this workstation holds it."""
    with db.Session() as session:
        announced = _announced_key_id(session)
    return anchor.load_key(announced[1]) if announced and announced[1] else None


def head_of_database(db: Database) -> Head:
    """The newest event of the trail (position 0 and the genesis hash when empty)."""
    with db.Session() as session:
        return head_of(session) or Head(0, GENESIS)


def head_of(connection: Connection | Session) -> Head | None:
    """The newest event of the trail as `connection` sees it (None: an empty trail)."""
    last = connection.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return Head(last.id, last.hash) if last else None


def drafts_in_order(drafts: Iterable[EventDraft]) -> list[EventDraft]:
    """Events sorted by when they happened, for writing a history in one go."""
    return sorted(drafts, key=lambda draft: draft.at or datetime.now(UTC))
