"""Backing up the clinic database while it is in use, and restoring a backup.

SQLite: the online backup API into a temporary file beside the target, checked with
`PRAGMA integrity_check`, then renamed (see consult.safety.sqlite_files).
PostgreSQL: `pg_dump --format=custom`, likewise to a temporary file then renamed.

A restore first checks the file is a Consult database, then backs up the current
database beside it (so a wrong restore can be undone), then copies the backup in
as one transaction. Both are audited under the acting user.
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from consult.access import Actor, require
from consult.errors import ConsultError
from consult.paths import data_dir
from consult.safety import postgres_files, sqlite_files
from consult.safety.encryption import (
    connect_sqlite,
    database_errors,
    passphrase_from_environment,
)
from consult.storage import Database, audit
from consult.storage.db import alembic_config

PERMISSION = "backup.run"


@dataclass(frozen=True)
class BackupReport:
    file: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    safety_copy: Path | None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _backend(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConsultError(f"database {url}: backups support SQLite and PostgreSQL, not {backend}")
    return backend


def backup_database(
    url: str, target: str | Path, actor: Actor, passphrase: str | None = None
) -> BackupReport:
    """Write a consistent, checked copy of the database at `url` to `target`."""
    require(actor, PERMISSION)
    target = Path(target)
    passphrase = passphrase if passphrase is not None else passphrase_from_environment()
    sqlite_file = sqlite_files.sqlite_path(url) if _backend(url) == "sqlite" else None
    if sqlite_file is not None and not sqlite_file.is_file():
        raise ConsultError(f"database {sqlite_file}: no such file")
    if sqlite_file is None:
        postgres_files.require_client_tools()
    # Opened first: a database Consult cannot open is refused before anything is written.
    with Database.open(url, passphrase) as database:
        if sqlite_file is not None:
            sqlite_files.snapshot_to_file(sqlite_file, target, passphrase)
        else:
            postgres_files.dump_to_file(url, target)
        report = BackupReport(target, target.stat().st_size, file_sha256(target))
        _record(database, actor, "backup", {"file": str(target), "sha256": report.sha256})
    return report


def restore_database(
    url: str, source: str | Path, actor: Actor, passphrase: str | None = None
) -> RestoreReport:
    """Replace the database at `url` with the backup `source`, keeping a safety copy."""
    require(actor, PERMISSION)
    source = Path(source)
    passphrase = passphrase if passphrase is not None else passphrase_from_environment()
    if _backend(url) == "sqlite":
        safety_copy = _restore_sqlite(sqlite_files.sqlite_path(url), source, passphrase)
    else:
        safety_copy = _restore_postgres(url, source)
    detail = {"file": str(source), "sha256": file_sha256(source)}
    if safety_copy is not None:
        detail["previous_database_kept_in"] = str(safety_copy)
    # Opened only now: the database being replaced may be the broken one.
    with Database.open(url, passphrase) as database:
        _record(database, actor, "restore", detail)
    return RestoreReport(source, safety_copy)


def _require_known_revision(source: Path, revision: str) -> None:
    """Refuse, before anything is replaced, a backup this version of Consult cannot open."""
    scripts = ScriptDirectory.from_config(alembic_config())
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise ConsultError(
            f"{source}: was made by a newer Consult (schema revision {revision}); "
            "upgrade Consult before restoring it"
        )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _restore_sqlite(target: Path, source: Path, passphrase: str | None) -> Path | None:
    if target.exists() and source.resolve() == target.resolve():
        raise ConsultError(f"{source}: is the database itself, not a backup of it")
    _require_known_revision(source, sqlite_files.require_consult_database(source, passphrase))
    safety_copy = None
    if target.exists():
        safety_copy = target.with_name(f"{target.stem}.before-restore-{_stamp()}{target.suffix}")
        sqlite_files.keep_copy(target, safety_copy, passphrase)
    try:
        _copy_into_live_file(source, target, passphrase)
    except database_errors():
        # The current file is too damaged for SQLite to write into, so nothing can be
        # using it: replace it whole (its copy is kept above).
        sqlite_files.replace_damaged_file(source, target)
    return safety_copy


def _copy_into_live_file(source: Path, target: Path, passphrase: str | None) -> None:
    # Copy pages into the live file rather than renaming over it: the app may have it
    # open (and its -wal file beside it), and the backup API replaces the content in
    # one transaction that those connections see atomically.
    with (
        closing(connect_sqlite(source, passphrase)) as backup,
        closing(connect_sqlite(target, passphrase)) as live,
    ):
        sqlite_files.copy_live_database(backup, live)
        sqlite_files.require_intact(live, f"the restored database {target}")


def _restore_postgres(url: str, source: Path) -> Path:
    postgres_files.require_client_tools()
    dump = postgres_files.require_consult_dump(source)
    postgres_files.require_same_schema(url, dump, source)
    _require_known_revision(source, dump.revision)
    safety_copy = data_dir() / "backups" / f"before-restore-{_stamp()}.dump"
    postgres_files.dump_to_file(url, safety_copy, check=False)
    postgres_files.restore_from_file(url, source)
    return safety_copy


def _record(database: Database, actor: Actor, action: str, detail: dict[str, str]) -> None:
    with database.Session.begin() as session:
        audit.record(session, actor, action, detail=detail)
