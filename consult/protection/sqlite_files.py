"""Copying live SQLite databases safely (the online backup API), with or without SQLCipher.

A plain file copy of a database in use can catch it half-way through a transaction
(and misses what still sits in the -wal file); SQLite's backup API copies a
consistent snapshot page by page while other connections keep working.
"""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from consult.errors import ConsultError
from consult.protection.encryption import connect_sqlite, database_errors
from consult.protection.files import publish, temporary_beside
from consult.protection.input_files import require_regular_file

# The table alembic keeps its revision in: every Consult database has it, other
# SQLite files (a browser's history, a random .db) do not.
VERSION_TABLE = "alembic_version"


def sqlite_path(url: str) -> Path:
    """The file behind an SQLite URL; in-memory databases have none to copy."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise ConsultError(f"database {url}: an in-memory database has no file to back up")
    return Path(database)


def copy_live_database(source: Any, destination: Any) -> None:
    """Copy every page of `source` into `destination` in one step.

    One step (pages=-1) holds the source's read lock for the whole copy, so the result
    is one consistent snapshot even while another connection writes; the destination
    is written inside its own transaction, so a crash leaves it as it was.
    """
    source.backup(destination, pages=-1)


def require_intact(connection: Any, what: str) -> None:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    if [tuple(row) for row in rows] != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in rows[:3])
        raise ConsultError(f"{what} failed SQLite's integrity check: {problems}")


def snapshot_to_file(
    source_file: Path, target: Path, passphrase: str | None, *, check: bool = True
) -> None:
    """Write a snapshot of `source_file` to `target`, never half-written.

    The copy goes to a temporary file beside `target`, is integrity-checked (unless
    `check` is off, for keeping a copy of a database that may be damaged) and
    flushed, and only then renamed over `target`.
    """
    if not source_file.is_file():
        raise ConsultError(f"database {source_file}: no such file")
    if target.exists() and target.resolve() == source_file.resolve():
        raise ConsultError(f"{target}: is the database itself; choose another file for the backup")
    with temporary_beside(target) as temporary:
        with (
            closing(connect_sqlite(source_file, passphrase)) as source,
            closing(connect_sqlite(temporary, passphrase)) as copy,
        ):
            copy_live_database(source, copy)
            if check:
                require_intact(copy, f"the backup of {source_file}")
        publish(temporary, target)


# SQLite's companion files: a -wal left by a damaged database must not be replayed
# into the file that replaces it.
SIDECARS = ("-wal", "-shm", "-journal")


def _sidecar(database_file: Path, suffix: str) -> Path:
    return database_file.with_name(database_file.name + suffix)


def keep_copy(database_file: Path, target: Path, passphrase: str | None) -> None:
    """Keep whatever `database_file` holds, even damaged, before it is overwritten.

    A restore is often run because the database is broken, so this copy never refuses:
    a consistent snapshot when SQLite can read the file, else the raw bytes.
    """
    try:
        snapshot_to_file(database_file, target, passphrase, check=False)
    except database_errors():
        for suffix in ("", *SIDECARS):
            if _sidecar(database_file, suffix).exists():
                _copy_file(_sidecar(database_file, suffix), _sidecar(target, suffix))


def replace_damaged_file(source: Path, database_file: Path) -> None:
    """Put a copy of `source` in place of a database SQLite cannot read any more."""
    for suffix in SIDECARS:
        _sidecar(database_file, suffix).unlink(missing_ok=True)
    _copy_file(source, database_file)


def _copy_file(source: Path, target: Path) -> None:
    with temporary_beside(target) as temporary:
        shutil.copyfile(source, temporary)
        publish(temporary, target)


def require_consult_database(file: Path, passphrase: str | None) -> str:
    """Check `file` is an intact Consult database; return its schema revision."""
    require_regular_file(file, "backup file")
    refusal = f"{file}: is not a Consult database backup"
    try:
        with closing(connect_sqlite(file, passphrase)) as connection:
            require_intact(connection, str(file))
            has_version = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                (VERSION_TABLE,),
            ).fetchone()[0]
            if not has_version:
                raise ConsultError(f"{refusal} (it has no {VERSION_TABLE} table)")
            row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608  (a constant)
    except database_errors() as exc:  # not an SQLite file at all, or a damaged one
        raise ConsultError(f"{refusal} ({exc})") from None
    if row is None:
        raise ConsultError(f"{refusal} (its schema version is missing)")
    return str(row[0])
