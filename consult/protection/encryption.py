"""Encryption at rest for the embedded SQLite database (SQLCipher, opt-in).

A clinic that wants the database file unreadable without a passphrase sets
CONSULT_DB_PASSPHRASE, or the app asks for it in a dialog and passes it on.
The file is then an SQLCipher database: every page is AES-256 encrypted with an
HMAC, so a stolen laptop or a copied backup shows no patient's name.
`encrypt_copy` turns an existing plain database into an encrypted one.

The storage layer opens the file through the creator `creator_for(url)` returns:

    creator = encryption.creator_for(url)
    engine = create_engine(url, creator=creator) if creator else create_engine(url)

so SQLAlchemy keeps its usual SQLite dialect while every pooled connection is an
sqlcipher3 connection that has been given the key first. Backups and restores of an
encrypted database go through the same key (`connect_sqlite`), so a backup is as
encrypted as the database it came from.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from consult.errors import ConsultError

SQLITE_HEADER = b"SQLite format 3\x00"
PASSPHRASE_ENV = "CONSULT_DB_PASSPHRASE"  # noqa: S105  (the variable's name, not a secret)


def passphrase_from_environment() -> str | None:
    """The passphrase the clinic configured, or None when the database is not encrypted."""
    return os.environ.get(PASSPHRASE_ENV) or None


def sqlcipher_available() -> bool:
    try:
        _sqlcipher()
    except ConsultError:
        return False
    return True


def _sqlcipher() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise ConsultError(
            f"{PASSPHRASE_ENV} is set but SQLCipher is not installed "
            "(pip install sqlcipher3-binary), so the encrypted database cannot be opened"
        ) from None
    return dbapi2


def _quoted(passphrase: str) -> str:
    """The passphrase as an SQL string literal (PRAGMA key takes no bound parameters)."""
    return "'" + passphrase.replace("'", "''") + "'"


def connect_encrypted(path: str | os.PathLike[str], passphrase: str, **kwargs: Any) -> Any:
    """An sqlcipher3 connection to `path` unlocked with `passphrase`.

    A wrong passphrase (or a file that is not an SQLCipher database) is a ConsultError
    naming the file, raised here rather than at the first query deep in the app.
    """
    if not passphrase:
        raise ConsultError("database passphrase: must not be empty")
    dbapi2 = _sqlcipher()
    connection = dbapi2.connect(os.fspath(path), **kwargs)
    try:
        # SQLCipher logs failed decryptions to stderr; the user gets our one line instead.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = {_quoted(passphrase)}")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except dbapi2.DatabaseError:
        connection.close()
        raise ConsultError(
            f"database {path}: wrong passphrase, or not an encrypted Consult database"
        ) from None
    return connection


def connect_sqlite(
    path: str | os.PathLike[str], passphrase: str | None = None, **kwargs: Any
) -> Any:
    """A DB-API connection to an SQLite file, encrypted when a passphrase is given."""
    if passphrase:
        return connect_encrypted(path, passphrase, **kwargs)
    return sqlite3.connect(os.fspath(path), **kwargs)


def database_errors() -> tuple[type[Exception], ...]:
    """The DB-API error classes of both drivers, for `except` clauses around raw SQLite work."""
    errors: list[type[Exception]] = [sqlite3.DatabaseError]
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        return tuple(errors)
    errors.append(dbapi2.DatabaseError)
    return tuple(errors)


def creator(path: str | os.PathLike[str], passphrase: str) -> Callable[[], Any]:
    """A connection factory for `sqlalchemy.create_engine(..., creator=...)`."""
    _sqlcipher()  # fail at engine creation, not at the first checkout

    def connect() -> Any:
        # SQLAlchemy's pool hands connections between threads (as with its own
        # SQLite pools), so the same-thread check is off as it is for pysqlite.
        return connect_encrypted(path, passphrase, check_same_thread=False)

    return connect


def creator_for(url: str | URL, passphrase: str | None = None) -> Callable[[], Any] | None:
    """The hook for consult.storage.db: a creator when a passphrase is set, else None.

        creator = encryption.creator_for(url)
        engine = create_engine(url, creator=creator) if creator else create_engine(url)

    The passphrase is the one given (the app's passphrase dialog) or else
    CONSULT_DB_PASSPHRASE. Only the embedded SQLite file is encrypted here; a
    PostgreSQL server encrypts (or not) on its own side, so it gets None.
    """
    passphrase = passphrase or passphrase_from_environment()
    parsed = make_url(url)
    if passphrase is None or parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return creator(parsed.database, passphrase)


def is_plain_sqlite(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts with SQLite's clear-text header (an encrypted one does not)."""
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def encrypt_copy(
    plain: str | os.PathLike[str], encrypted: str | os.PathLike[str], passphrase: str
) -> Path:
    """Write an encrypted copy of an unencrypted database (the opt-in migration).

    Uses SQLCipher's own `sqlcipher_export`, which copies schema, data and the user
    version; the plain file is left as it is for the clinic to delete once checked.
    """
    target = Path(encrypted)
    if target.exists():
        raise ConsultError(f"{target}: already exists; choose a new file for the encrypted copy")
    dbapi2 = _sqlcipher()
    connection = dbapi2.connect(os.fspath(plain))
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
        connection.execute(
            f"ATTACH DATABASE ? AS encrypted KEY {_quoted(passphrase)}", (os.fspath(target),)
        )
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute("DETACH DATABASE encrypted")
    except dbapi2.DatabaseError as exc:
        target.unlink(missing_ok=True)
        raise ConsultError(f"database {plain}: cannot be encrypted ({exc})") from None
    finally:
        connection.close()
    return target
