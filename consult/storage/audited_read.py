"""PostgreSQL: a read and its audit event, committed together, in two round trips.

A patient search on a clinic's server is mostly waiting for the server. The general
path (an ORM session) makes five round trips: the driver's BEGIN, the search, the audit
chain's lock and head, the event's INSERT and the COMMIT, where the search alone makes
one. This module does the same work in the same transaction in two:

1. ``BEGIN; <the read>; SELECT pg_advisory_xact_lock(…); SELECT <the chain's head>``
2. ``INSERT <the sealed event>; COMMIT``

What it keeps of the general path:
- the same statements, compiled by SQLAlchemy, with each type's own bind and result
  conversions applied (SQLAlchemy's public `bind_processor` / `result_processor`);
- the chain's lock is taken once the read has finished (the statements of a query run
  in order), so it is held no longer than on the general path, and the head is read by
  a statement that starts after the lock is granted: under READ COMMITTED it sees every
  event committed before (as audit.LOCK_THEN_HEAD, which it reuses);
- the event is chained and sealed by consult.storage.audit, and this workstation's
  anchor moves under the same rule (audit.anchor_may_move), after the commit.

PostgreSQL takes several statements in one query only in its simple protocol, which
carries no parameters: the values are bound on this side by psycopg's ClientCursor (its
quoting, from the server's own settings; never string formatting of ours). Any error
closes the connection, so the server rolls the transaction back and the pool never
hands out a connection in an unknown state.

Used only where it keeps every promise of the general path: on PostgreSQL, with the
trail's key already known to this process (the first audited action of a process
finds it, on the general path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.engine.interfaces import Compiled
from sqlalchemy.sql import Insert, Select
from sqlalchemy.types import TypeEngine

from consult.storage import anchor, audit
from consult.storage.anchor import Head
from consult.storage.db import Database

Converter = Callable[[Any], Any]


def available(db: Database) -> bool:
    """Whether an audited read on `db` can take this path (else the general one)."""
    return db.dialect == "postgresql" and audit.known_key(db.engine) is not None


def read_and_record(
    db: Database,
    read: Select[Any],
    values: Mapping[str, Any],
    event: Callable[[Sequence[tuple[Any, ...]]], audit.EventDraft],
) -> list[tuple[Any, ...]]:
    """The rows of `read` (its bound values `values`), with the audit event that
    `event` makes of them appended in the same transaction and committed.

    Only where `available(db)`.
    """
    key = audit.known_key(db.engine)
    if db.dialect != "postgresql" or key is None:
        raise RuntimeError("audited_read.read_and_record needs available(db)")
    dialect = db.engine.dialect
    fairy = db.engine.raw_connection()
    try:
        driver: Any = fairy.driver_connection  # a psycopg Connection
        driver.autocommit = True  # the transaction is this function's own BEGIN … COMMIT
        with _client_cursor(driver) as cursor:
            rows, converters, head = _read_then_lock(cursor, _compiled(read, dialect), values)
            row = audit.sealed_next(head, event(rows), key)
            moves = audit.anchor_may_move(db.engine.url, head, partial(_holds, cursor))
            insert = _compiled(audit.INSERT, dialect)
            cursor.execute(cursor.mogrify(insert.sql, insert.bound(row)) + "; COMMIT")
        driver.autocommit = False
    except BaseException:
        fairy.invalidate()  # closed: the server rolls back whatever was begun
        raise
    finally:
        fairy.close()
    if moves:
        anchor.remember_head(db.engine.url, Head(row["id"], row["hash"]), key.id)
    return _converted(rows, converters)  # after the commit: the chain's lock is not held


def _client_cursor(driver: Any) -> Any:
    from psycopg import ClientCursor  # PostgreSQL only: not imported on SQLite

    return ClientCursor(driver)


def _read_then_lock(
    cursor: Any, read: _Compiled, values: Mapping[str, Any]
) -> tuple[list[tuple[Any, ...]], tuple[Converter | None, ...], Head]:
    """The read's rows as the driver gives them and their types' conversions, and the
    chain's head once its lock is held."""
    query = cursor.mogrify(read.sql, read.bound(values))
    cursor.execute(f"BEGIN; {query}; {audit.LOCK_THEN_HEAD}")
    cursor.nextset()  # past BEGIN, to the read's rows (as the driver gives them)
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    converters = read.result_converters(cursor.description)
    cursor.nextset()  # the lock's own row
    cursor.nextset()  # the head
    last = cursor.fetchone()
    return rows, converters, Head(last[0], last[1]) if last else Head(0, audit.GENESIS)


def _holds(cursor: Any, head: Head) -> bool:
    cursor.execute("SELECT hash FROM audit_events WHERE id = %s", (head.id,))
    stored = cursor.fetchone()
    return stored is not None and stored[0] == head.hash


def _converted(
    rows: list[tuple[Any, ...]], converters: tuple[Converter | None, ...]
) -> list[tuple[Any, ...]]:
    """`rows` with each column's conversion applied, column by column (a transposition
    and a map each run at C speed; a loop over rows and columns did not)."""
    if not rows or all(convert is None for convert in converters):
        return rows
    columns = list(zip(*rows, strict=True))
    for at, convert in enumerate(converters):
        if convert is not None:
            columns[at] = tuple(map(convert, columns[at]))
    return list(zip(*columns, strict=True))


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled for psycopg, with its types' conversions."""

    compiled: Compiled
    bind_converters: Mapping[str, Converter]  # only the parameters that have one
    column_types: tuple[TypeEngine[Any], ...]  # a read's result column types, in order

    @property
    def sql(self) -> str:  # placeholders %(name)s
        return self.compiled.string

    def bound(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value (the compiled ones, such as a LIMIT, included), as
        its type converts it for the driver."""
        bound = dict(self.compiled.construct_params(values) or {})
        for name, convert in self.bind_converters.items():
            bound[name] = convert(bound[name])
        return bound

    def result_converters(self, description: Any) -> tuple[Converter | None, ...]:
        dialect = self.compiled.dialect
        return tuple(
            kind.dialect_impl(dialect).result_processor(dialect, column.type_code)
            for kind, column in zip(self.column_types, description, strict=True)
        )


@lru_cache(maxsize=256)
def _compiled(statement: Select[Any] | Insert, dialect: Dialect) -> _Compiled:
    """Compiled once per statement (the search's statements are themselves kept)."""
    compiled = statement.compile(dialect=dialect)
    converters = {}
    for name, parameter in compiled.binds.items():
        convert = parameter.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            converters[name] = convert
    columns = statement.selected_columns if isinstance(statement, Select) else ()
    return _Compiled(compiled, converters, tuple(column.type for column in columns))
