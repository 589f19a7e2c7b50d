"""Having the clinic database to oneself while restoring it, and saying who is in the way.

A restore replaces everything; a workstation still connected would keep saving into
a database that is about to vanish (its saves acknowledged, then lost), or into the
restored one with a screen showing the old. So a restore first makes sure it is
alone, and holds the database exclusively until the backup is in:

- SQLite: one connection in exclusive locking mode takes the write lock and keeps
  it. In WAL mode SQLite grants that only when no other connection has the database
  open, so the same step proves nobody else is connected and keeps newcomers out
  (they wait, then get "busy"). Who is in the way is read from /proc: every process
  on this computer with the file open.
- PostgreSQL: every Consult connection holds a shared advisory lock on its schema
  (`PRESENCE_KEY`, taken in consult.storage.db when it connects); a restore takes the
  same lock exclusively, which succeeds only when no other Consult session is
  connected, and stops new ones from connecting until it is done. Who is in the way
  is read from pg_locks and pg_stat_activity (role, address, program, since when).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from consult.errors import ConsultError
from consult.protection.encryption import connect_sqlite, database_errors

# The key of the PostgreSQL advisory lock whose shared holders are Consult's sessions;
# the second key is the schema's (see presence_lock_sql).
PRESENCE_KEY = 0x436F6E73
# How long the SQLite restore waits for a transaction that is just finishing.
SQLITE_WAIT_SECONDS = 3.0
SIDECARS = ("", "-wal", "-shm", "-journal")


class DatabaseInUse(ConsultError):
    """Someone else is connected to the database a restore would replace."""


def schema_key_sql() -> str:
    """SQL for the second advisory key: the current schema's, as a positive int4."""
    return "(hashtext(current_schema()) & 2147483647)"


def presence_lock_sql(*, exclusive: bool) -> str:
    kind = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
    return f"SELECT {kind}({PRESENCE_KEY}, {schema_key_sql()})"


# --------------------------------------------------------------------------- SQLite


@contextmanager
def sqlite_exclusive(path: Path, passphrase: str | None) -> Iterator[Any]:
    """A connection that alone has `path` open until the block ends; refuses otherwise.

    Yields None for a file SQLite cannot read at all (damaged): nothing can be using
    it through SQLite, though a process may still hold it open, which is refused.
    """
    connection = _exclusive_connection(path, passphrase)
    if connection is None:
        _refuse_if_open_elsewhere(path)
        yield None
        return
    with closing(connection):
        yield connection


def _exclusive_connection(path: Path, passphrase: str | None) -> Any:
    """The connection holding the exclusive lock, or None if the file is not readable."""
    try:
        connection = connect_sqlite(path, passphrase, timeout=SQLITE_WAIT_SECONDS)
    except database_errors():
        return None
    try:
        connection.isolation_level = None
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")  # the lock stays with the connection
    except database_errors() as exc:
        connection.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseInUse(_in_use_message(path)) from None
        return None
    return connection


def _refuse_if_open_elsewhere(path: Path) -> None:
    if _holders(path):
        raise DatabaseInUse(_in_use_message(path))


def _in_use_message(path: Path) -> str:
    holders = _holders(path)
    who = "; ".join(holders) if holders else "a program on another workstation"
    return (
        f"{path} is in use ({who}); close Consult on every workstation, then restore "
        "(nothing was changed)"
    )


def _holders(path: Path) -> list[str]:
    """Every other process on this computer that has the database or its journal open."""
    targets = {str(Path(f"{path}{suffix}").resolve()) for suffix in SIDECARS}
    found = []
    for pid in _pids():
        if any(_fd_target(pid, fd) in targets for fd in _fds(pid)):
            found.append(_describe_process(pid))
    return found


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _fds(pid: int) -> list[str]:
    try:
        return os.listdir(f"/proc/{pid}/fd")
    except OSError:  # gone, or another user's process we may not look into
        return []


def _fd_target(pid: int, fd: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return ""


def _describe_process(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
        owner = pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name
    except (OSError, KeyError):
        return f"process {pid}"
    itself = " (this process)" if pid == os.getpid() else ""
    return f"process {pid}{itself} of user {owner}: {command[:80]}"


# --------------------------------------------------------------------------- PostgreSQL


@contextmanager
def postgres_exclusive(url: str) -> Iterator[Connection]:
    """A session holding the schema's presence lock exclusively; refuses if Consult is in use."""
    engine = create_engine(make_url(url), poolclass=_null_pool())
    try:
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            if not connection.execute(text(presence_lock_sql(exclusive=True))).scalar():
                raise DatabaseInUse(_postgres_in_use_message(connection, url))
            try:
                yield connection
            finally:
                connection.execute(
                    text(f"SELECT pg_advisory_unlock({PRESENCE_KEY}, {schema_key_sql()})")
                )
    finally:
        engine.dispose()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _postgres_in_use_message(connection: Connection, url: str) -> str:
    rows = connection.execute(
        text(
            "SELECT a.pid, a.usename, a.client_addr, a.application_name, a.backend_start "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = CAST(:key AS oid) "
            "AND l.objid = CAST((hashtext(current_schema()) & 2147483647) AS oid) "
            "AND l.objsubid = 2 AND a.pid <> pg_backend_pid() ORDER BY a.backend_start"
        ),
        {"key": PRESENCE_KEY},
    ).all()
    sessions = [
        f"{row.application_name or 'a program'} as {row.usename} from "
        f"{row.client_addr or 'this server'} (session {row.pid}, since "
        f"{row.backend_start:%Y-%m-%d %H:%M})"
        for row in rows
    ]
    who = "; ".join(sessions) if sessions else "a session that has just connected"
    where = make_url(url).render_as_string(hide_password=True)
    return (
        f"the database {where} is in use by {who}; close Consult on every workstation, "
        "then restore (nothing was changed)"
    )
