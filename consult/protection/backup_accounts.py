"""Signing in against a backup's own accounts, for a restore onto a lost database.

When the clinic database is empty or unreadable, nobody can sign in to it; the restore
is then authorised by an account of the backup being restored (the accounts that will
exist again afterwards), checked with the same Argon2 verification as any sign-in and
the same role rule (backup.run). The backup is only read: an SQLite backup through a
read-only connection, a PostgreSQL dump through `pg_restore --data-only` of its users.
"""

from __future__ import annotations

import re
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from consult.access import Actor, require
from consult.errors import ConsultError
from consult.protection import postgres_files
from consult.protection.encryption import connect_sqlite, is_plain_sqlite

SQLITE_HEADER = b"SQLite format 3\x00"
PERMISSION = "backup.run"
COLUMNS = ("id", "username", "role", "active", "password_hash")
_COPY_USERS = re.compile(r'^COPY (?:"?[\w$]+"?\.)?"?users"? \(')


@dataclass(frozen=True)
class BackupAccount:
    id: int
    username: str
    role: str
    active: bool
    password_hash: str


def sign_in_to_backup(
    source: Path, username: str, password: str, *, workstation: str, passphrase: str | None
) -> Actor:
    """The backup's account as the acting user, if its password and role allow a restore."""
    from consult.storage.users import verify_password

    account = _account(source, username.strip().lower(), passphrase)
    if account is None or not verify_password(account.password_hash, password):
        raise ConsultError(f"wrong username or password for an account of the backup {source}")
    if not account.active:
        raise ConsultError(f"{account.username} is deactivated in the backup {source}")
    actor = Actor(account.id, account.username, account.role, workstation)
    require(actor, PERMISSION)
    return actor


def _account(source: Path, username: str, passphrase: str | None) -> BackupAccount | None:
    if not source.is_file():
        raise ConsultError(f"{source}: no such file")
    with source.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header == SQLITE_HEADER or (passphrase and not is_plain_sqlite(source)):
        return _sqlite_account(source, username, passphrase)
    return _dump_account(source, username)


def _sqlite_account(source: Path, username: str, passphrase: str | None) -> BackupAccount | None:
    # Read only: a plain file through a read-only URI; an encrypted one is only read.
    opened = (
        connect_sqlite(source, passphrase)
        if passphrase and not is_plain_sqlite(source)
        else connect_sqlite(f"file:{source}?mode=ro", None, uri=True)
    )
    with closing(opened) as connection:
        row = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM users WHERE username = ?",  # noqa: S608
            (username,),
        ).fetchone()
    if row is None:
        return None
    return BackupAccount(int(row[0]), str(row[1]), str(row[2]), bool(row[3]), str(row[4]))


def _dump_account(source: Path, username: str) -> BackupAccount | None:
    """The account's row from the dump's COPY data for `users` (tab-separated text)."""
    postgres_files.require_consult_dump(source)
    pg_restore = postgres_files.tool("pg_restore")
    script = subprocess.run(
        [pg_restore, "--data-only", "--table=users", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    for number, line in enumerate(script):
        # `COPY users (…)`, or schema-qualified: `COPY clinic.users (…) FROM stdin;`
        if _COPY_USERS.match(line):
            listed = line.split("(", 1)[1].split(")")[0]
            names = [name.strip().strip('"') for name in listed.split(",")]
            for data in script[number + 1 :]:
                if data == "\\.":
                    break
                row = dict(zip(names, data.split("\t"), strict=False))
                if row.get("username") == username:
                    return BackupAccount(
                        int(row["id"]), row["username"], row["role"], row["active"] == "t",
                        row["password_hash"],
                    )
    return None
