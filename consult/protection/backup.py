"""Backing up the clinic database while it is in use, and restoring a backup.

SQLite: the online backup API into a temporary file beside the target, checked with
`PRAGMA integrity_check`, then renamed (see consult.protection.sqlite_files).
PostgreSQL: `pg_dump --format=custom`, likewise to a temporary file then renamed.

Every backup is accompanied by `<backup>.audit-key` (mode 0600): the clinic's audit
key and the backup's own last audit event (consult.storage.anchor), so a restore on
a new workstation brings the key with it and a backup whose trail was altered since
it was made is refused.

A restore is exclusive: it refuses while anyone else is connected, naming them, and
keeps everyone out until the backup is in (consult.protection.exclusive). It checks the
file is a Consult database, keeps a copy of the current database (so a wrong restore
can be undone), copies the backup in as one transaction, and writes a sealed
`restore` event that names what was rolled back; audit positions and (on
PostgreSQL) record ids are never used twice afterwards. Both are audited under the
acting user.
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from consult.access import Actor, require
from consult.app.paths import data_dir
from consult.errors import ConsultError
from consult.protection import exclusive, postgres_files, sqlite_files
from consult.protection.encryption import (
    connect_sqlite,
    database_errors,
    passphrase_from_environment,
)
from consult.storage import Database, anchor, audit
from consult.storage.anchor import BackupManifest, Head
from consult.storage.db import alembic_config, parse_url, where

PERMISSION = "backup.run"


@dataclass(frozen=True)
class BackupReport:
    file: Path
    size: int
    sha256: str
    audit_file: Path  # the audit key and the backup's last event, beside the backup
    carries_key: bool  # False when this workstation lacks the key


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    safety_copy: Path | None
    rolled_back: tuple[int, int] | None = None  # audit positions the backup does not have


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
            head = _sqlite_head(target, passphrase)
        else:
            head = _dump_postgres(database, url, target)
        key = audit.trail_key(database)
        manifest = BackupManifest(key, head, datetime.now(UTC).isoformat(), where(database.url))
        audit_file = anchor.write_manifest(target, manifest)
        report = BackupReport(
            target, target.stat().st_size, file_sha256(target), audit_file, key is not None
        )
        detail = {"file": str(target), "sha256": report.sha256}
        if head is not None:
            detail["last_event"] = str(head.id)
        _record(database, actor, "backup", detail)
    return report


def _dump_postgres(database: Database, url: str, target: Path) -> Head | None:
    """pg_dump of exactly what one transaction sees, and that snapshot's last audit event."""
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = str(connection.execute(text("SELECT pg_export_snapshot()")).scalar())
            head = audit.head_of(connection)
            postgres_files.dump_to_file(url, target, snapshot=snapshot)
    return head


def _sqlite_head(file: Path, passphrase: str | None) -> Head | None:
    with closing(connect_sqlite(file, passphrase)) as connection:
        row = connection.execute(
            "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return Head(int(row[0]), str(row[1])) if row else None


def check_restorable(url: str, source: str | Path, passphrase: str | None = None) -> None:
    """Refuse, before anyone signs in or anything changes, a file that is no backup of a
    Consult database this version can restore (the checks the restore itself makes)."""
    source = Path(source)
    passphrase = passphrase if passphrase is not None else passphrase_from_environment()
    if _backend(url) == "sqlite":
        _require_known_revision(source, sqlite_files.require_consult_database(source, passphrase))
        return
    postgres_files.require_client_tools()
    dump = postgres_files.require_consult_dump(source)
    _require_known_revision(source, dump.revision)


def check_backup_tools(url: str) -> None:
    """A PostgreSQL backup needs pg_dump on this machine: say so before connecting."""
    if _backend(url) == "postgresql":
        postgres_files.require_client_tools()


def restore_database(
    url: str, source: str | Path, actor: Actor, passphrase: str | None = None
) -> RestoreReport:
    """Replace the database at `url` with the backup `source`, keeping a safety copy.

    Refused (DatabaseInUse, naming who) while another workstation or process is
    connected. The audit trail afterwards continues from the backup's last event
    with a sealed `restore` event placed after the newest event the database had
    (or this workstation saw), so `consult audit verify` passes and says what was
    rolled back.
    """
    require(actor, PERMISSION)
    source = Path(source)
    passphrase = passphrase if passphrase is not None else passphrase_from_environment()
    manifest = anchor.read_manifest(source)
    seen = anchor.read_anchor(parse_url(url))
    sequences: dict[str, int] = {}
    if _backend(url) == "sqlite":
        safety_copy, newest, sequences = _restore_sqlite(
            sqlite_files.sqlite_path(url), source, passphrase, manifest
        )
    else:
        safety_copy, newest = _restore_postgres(url, source, manifest)
    if manifest is not None and manifest.key is not None:
        anchor.install_key(manifest.key.secret)
    rolled_back_to = max(newest or 0, seen.head.id if seen else 0)
    detail: dict[str, Any] = {
        "file": str(source),
        "sha256": file_sha256(source),
        "backup_made_at": manifest.made_at if manifest else _modified(source),
    }
    if safety_copy is not None:
        detail["previous_database_kept_in"] = str(safety_copy)
    # Opened only now: the database being replaced may be the broken one.
    with Database.open(url, passphrase) as database:
        with database.Session.begin() as session:
            _carry_sqlite_sequences_forward(session, sequences)
            restored_head = audit.head_of(session)
            audit.record_restore(session, actor, detail, rolled_back_to)
        # Every table arrived in bulk: pg_restore brings no planner statistics, and a
        # long trail checked without them can be read in a far slower order.
        database.refresh_statistics()
    last = restored_head.id if restored_head else 0
    rolled = (last + 1, rolled_back_to) if rolled_back_to > last else None
    return RestoreReport(source, safety_copy, rolled)


def _modified(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


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


def _restore_sqlite(
    target: Path, source: Path, passphrase: str | None, manifest: BackupManifest | None
) -> tuple[Path | None, int | None, dict[str, int]]:
    """Copy `source` over `target` while holding it exclusively.

    Returns the safety copy, the newest audit position the database had before (None
    if it could not be read) and the largest id each table had ever handed out.
    """
    if target.exists() and source.resolve() == target.resolve():
        raise ConsultError(f"{source}: is the database itself, not a backup of it")
    _require_known_revision(source, sqlite_files.require_consult_database(source, passphrase))
    _require_unaltered_sqlite(source, passphrase, manifest)
    if not target.exists():
        _copy_into_live_file(source, target, passphrase)
        return None, None, {}
    safety_copy = target.with_name(f"{target.stem}.before-restore-{_stamp()}{target.suffix}")
    with exclusive.sqlite_exclusive(target, passphrase) as live:
        if live is None:  # too damaged for SQLite: nobody can be using it through SQLite
            sqlite_files.keep_copy(target, safety_copy, passphrase)
            sqlite_files.replace_damaged_file(source, target)
            return safety_copy, None, {}
        newest = _newest_position(live)
        sequences = _sqlite_sequences(live)
        _keep_copy_of(live, safety_copy, passphrase)
        with closing(connect_sqlite(source, passphrase)) as backup:
            sqlite_files.copy_live_database(backup, live)
        sqlite_files.require_intact(live, f"the restored database {target}")
    return safety_copy, newest, sequences


def _sqlite_sequences(connection: Any) -> dict[str, int]:
    """The largest id each AUTOINCREMENT table ever handed out (migration 0005)."""
    try:
        return {
            str(name): int(seq)
            for name, seq in connection.execute("SELECT name, seq FROM sqlite_sequence")
        }
    except database_errors():  # a database from before 0005 has none
        return {}


def _carry_sqlite_sequences_forward(session: Any, before: dict[str, int]) -> None:
    """Never hand out again an id the replaced database had used: SQLite's counters
    come back with the backup, so they are moved past the ids used since."""
    for table, seq in before.items():
        moved = session.execute(
            text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :name"),
            {"seq": seq, "name": table},
        ).rowcount
        if not moved:
            session.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"seq": seq, "name": table},
            )


def _keep_copy_of(live: Any, safety_copy: Path, passphrase: str | None) -> None:
    """The database as it is, through the connection that holds it exclusively."""
    from consult.protection.files import publish, temporary_beside

    with temporary_beside(safety_copy) as temporary:
        with closing(connect_sqlite(temporary, passphrase)) as copy:
            sqlite_files.copy_live_database(live, copy)
        publish(temporary, safety_copy)


def _newest_position(connection: Any) -> int | None:
    try:
        row = connection.execute("SELECT max(id) FROM audit_events").fetchone()
    except database_errors():
        return None
    return int(row[0]) if row and row[0] is not None else None


def _require_unaltered_sqlite(
    source: Path, passphrase: str | None, manifest: BackupManifest | None
) -> None:
    if manifest is None or manifest.head is None:
        return
    with closing(connect_sqlite(source, passphrase)) as connection:
        row = connection.execute(
            "SELECT hash FROM audit_events WHERE id = ?", (manifest.head.id,)
        ).fetchone()
    _require_same_head(source, manifest.head, row[0] if row else None)


def _require_same_head(source: Path, head: Head, found: str | None) -> None:
    if found != head.hash:
        raise ConsultError(
            f"{source}: its audit trail was changed after the backup was made (event "
            f"{head.id} is not the one recorded in {anchor.manifest_path(source).name}); "
            "not restored"
        )


def _copy_into_live_file(source: Path, target: Path, passphrase: str | None) -> None:
    with (
        closing(connect_sqlite(source, passphrase)) as backup,
        closing(connect_sqlite(target, passphrase)) as live,
    ):
        sqlite_files.copy_live_database(backup, live)
        sqlite_files.require_intact(live, f"the restored database {target}")


def _restore_postgres(
    url: str, source: Path, manifest: BackupManifest | None
) -> tuple[Path, int | None]:
    postgres_files.require_client_tools()
    dump = postgres_files.require_consult_dump(source)
    postgres_files.require_same_schema(url, dump, source)
    _require_known_revision(source, dump.revision)
    safety_copy = data_dir() / "backups" / f"before-restore-{_stamp()}.dump"
    with exclusive.postgres_exclusive(url) as session:
        newest = _postgres_newest_position(session)
        sequences = _sequence_positions(session)
        postgres_files.dump_to_file(url, safety_copy, check=False)
        postgres_files.restore_from_file(url, source)
        if manifest is not None and manifest.head is not None:
            found = session.execute(
                text("SELECT hash FROM audit_events WHERE id = :id"), {"id": manifest.head.id}
            ).scalar()
            if found != manifest.head.hash:
                postgres_files.restore_from_file(url, safety_copy)  # undo: nothing changes
                _require_same_head(source, manifest.head, found)
        _never_reuse_ids(session, sequences)
    return safety_copy, newest


def _postgres_newest_position(session: Connection) -> int | None:
    if session.execute(text("SELECT to_regclass('audit_events')")).scalar() is None:
        return None
    return session.execute(text("SELECT max(id) FROM audit_events")).scalar()


def _sequence_positions(session: Connection) -> dict[str, int]:
    """Each id sequence of the schema and the last id it handed out."""
    rows = session.execute(
        text(
            "SELECT pg_get_serial_sequence(quote_ident(table_name), 'id') FROM "
            "information_schema.columns WHERE table_schema = current_schema() "
            "AND column_name = 'id'"
        )
    ).scalars()
    positions = {}
    for sequence in rows:
        if sequence is None:
            continue
        last = session.execute(
            text("SELECT pg_sequence_last_value(CAST(:sequence AS regclass))"),
            {"sequence": sequence},
        ).scalar()
        positions[sequence] = int(last or 0)
    return positions


def _never_reuse_ids(session: Connection, before: dict[str, int]) -> None:
    """Move each sequence back past every id the replaced database had handed out.

    The restored sequences are the backup's, so without this the next patient would
    get the id of one that exists only in the safety copy and in old exports.
    """
    for sequence, last in before.items():
        if last:
            session.execute(
                text(
                    "SELECT setval(CAST(:sequence AS regclass), greatest(:last, "
                    "coalesce(pg_sequence_last_value(CAST(:sequence AS regclass)), 1)))"
                ),
                {"sequence": sequence, "last": last},
            )


def _record(database: Database, actor: Actor, action: str, detail: dict[str, str]) -> None:
    with database.Session.begin() as session:
        audit.record(session, actor, action, detail=detail)
