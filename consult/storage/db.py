"""Opening the clinic database: one engine, one session factory, schema kept current.

    db = Database.open(url)              # None: the SQLite file in the data folder
    with db.Session.begin() as session:  # one session per user action that writes
        ...
    with db.Session() as session:        # reading only (never blocks a writer)
        ...

Opening applies the Alembic migrations shipped in consult/storage/migrations, so an
older database is brought up to date on first use. Before a migration touches an
existing SQLite file, the file is copied with SQLite's online backup API to
`<file>.before-<revision>-<UTC time>.bak`: if anything goes wrong, nothing is lost.
Every way opening can fail (server unreachable, not a database, a schema from a newer
Consult, a read-only folder, a wrong passphrase) becomes a one-line `ConsultError`.

Encryption at rest: with a passphrase (given to `open`, or CONSULT_DB_PASSPHRASE) the
SQLite file is an SQLCipher database, opened through consult.protection.encryption; the
backup made before a migration is encrypted with the same passphrase.

A writer that waits longer than BUSY_TIMEOUT_MS for another workstation's transaction
gets `DatabaseBusy`, a one-line ConsultError, not an internal error.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, NoSuchModuleError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from consult.app import paths
from consult.errors import ConsultError
from consult.protection import encryption
from consult.storage import seeding

if TYPE_CHECKING:  # Alembic is imported only when a migration is due (start-up time).
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
# How long a writer waits for another workstation's transaction before giving up.
BUSY_TIMEOUT_MS = 15_000
# SQLite's primary result code for a lock it could not get in time (extended codes
# such as SQLITE_BUSY_SNAPSHOT keep it in their low byte).
SQLITE_BUSY = 5
# SQLite's planner statistics are refreshed at start when the quotes have grown this
# many times since the last ANALYZE, or reach STATISTICS_MIN_ROWS with none taken.
STATISTICS_GROWTH = 2
STATISTICS_MIN_ROWS = 1_000
# Execution option asking for a SQLite transaction that takes the write lock at BEGIN.
WRITE_LOCK = "consult_write_lock"
BUSY_MESSAGE = "the clinic database is busy: another workstation is saving; try again"


class DatabaseBusy(ConsultError):
    """Another workstation held the SQLite write lock for longer than BUSY_TIMEOUT_MS."""

    def __init__(self) -> None:
        super().__init__(BUSY_MESSAGE)


class ClinicSession(Session):
    """A Session whose `begin()` takes SQLite's write lock at once.

    `with db.Session.begin() as session:` is how every user action that writes runs:
    on SQLite it starts with BEGIN IMMEDIATE, so a second workstation waits its turn
    (busy_timeout) instead of failing when both read and then write, and the audit
    chain stays linear. `with db.Session() as session:` is for reading only: its
    deferred transaction never blocks a writer (WAL), so a screen holding one open
    cannot stall the clinic.
    """

    def begin(self, nested: bool = False) -> SessionTransaction:
        transaction = super().begin(nested)
        if not nested and self.get_bind().dialect.name == "sqlite":
            self.connection(execution_options={WRITE_LOCK: True})
        return transaction


class Database:
    """The clinic database of this process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.Session = sessionmaker(engine, class_=ClinicSession, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> URL:
        return self.engine.url

    @classmethod
    def open(cls, url: str | None = None, passphrase: str | None = None) -> Database:
        """Open (creating and migrating as needed) the database at `url`.

        `passphrase` unlocks an encrypted SQLite file (see `is_encrypted_file`); without
        one, CONSULT_DB_PASSPHRASE is used if set. PostgreSQL ignores it.
        """
        parsed = parse_url(url or paths.default_database_url())
        passphrase = passphrase or encryption.passphrase_from_environment()
        sqlite_file = (
            _checked_sqlite_file(parsed, passphrase)
            if parsed.get_backend_name() == "sqlite"
            else None
        )
        engine = _engine(parsed, passphrase)
        database = cls(engine)
        try:
            with _errors_as_consult_errors(parsed):
                upgrade(engine, sqlite_file, passphrase=passphrase)
                with database.Session.begin() as session:
                    seeding.seed(session)
                if sqlite_file is not None:
                    _refresh_stale_statistics(database)
        except BaseException:
            engine.dispose()
            raise
        return database

    def refresh_statistics(self) -> None:
        """Let the query planner see the data as it is now (after a bulk load).

        Without statistics SQLite guesses every index is equally selective, and
        PostgreSQL's autovacuum may not have run yet; the manager's listing then picks
        a worse index than the covering ones made for it (migration 0003).
        """
        if self.dialect != "sqlite":
            self._vacuum_analyze()
            return
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITE_LOCK: True})
            with connection.begin():
                connection.exec_driver_sql("ANALYZE")

    def _vacuum_analyze(self) -> None:
        """PostgreSQL: VACUUM (ANALYZE) this schema's tables, outside any transaction.

        VACUUM also marks the pages all-visible, which an index-only scan needs to skip
        the table (patient search walks names so, migration 0010); autovacuum would,
        but later. Only this schema's tables: a bare VACUUM visits the whole server.
        """
        with self.engine.connect() as connection:
            names = ", ".join(sorted(inspect(connection).get_table_names()))
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
            vacuum.exec_driver_sql(f"VACUUM (ANALYZE) {names}")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _refresh_stale_statistics(database: Database) -> None:
    """ANALYZE an SQLite database whose quotes outgrew the planner's statistics.

    SQLite never gathers statistics by itself (PostgreSQL's autovacuum does), and
    without them the manager's listing over many quotes can pick an index ten times
    slower than the covering one made for it. A clinic's database grows a little each
    day, so this runs only when the quotes have grown STATISTICS_GROWTH-fold since the
    last ANALYZE (or number STATISTICS_MIN_ROWS with none taken): rarely, and for a
    fraction of a second. If another workstation is saving, it waits for a later start.
    """
    with database.engine.connect() as connection:
        quotes = connection.exec_driver_sql("SELECT max(id) FROM quotes").scalar() or 0
        analysed = _analysed_quotes(connection)
    if quotes < STATISTICS_MIN_ROWS or (analysed and quotes < STATISTICS_GROWTH * analysed):
        return
    try:
        database.refresh_statistics()
    except DatabaseBusy:
        log.info("planner statistics not refreshed: the database is busy; next start will")


def _analysed_quotes(connection: Any) -> int:
    """How many quotes there were at the last ANALYZE (0: never analysed).

    The first number of an index's sqlite_stat1 row is the table's row count then.
    """
    has_statistics = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if has_statistics is None:
        return 0
    stat = connection.exec_driver_sql(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = 'quotes' AND idx = 'ix_quotes_created_total'"
    ).scalar()
    return int(stat.split()[0]) if stat else 0


# --------------------------------------------------------------------------- URLs


def parse_url(url: str) -> URL:
    """The SQLAlchemy URL, with the PostgreSQL driver made explicit (psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConsultError(f"database URL {_redact(url)!r} is not a valid URL") from None
    # Consult ships psycopg 3; a bare postgresql:// (or Heroku-style postgres://) means it.
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConsultError(
            f"database URL scheme {parsed.drivername!r} is not supported; "
            "use sqlite:///FILE or postgresql://USER@HOST/DATABASE"
        )
    if parsed.get_backend_name() == "sqlite" and not parsed.database:
        raise ConsultError(
            "a SQLite database URL must name a file: sqlite:///path/to/clinic.sqlite3"
        )
    return parsed


def _redact(url: str) -> str:
    """The URL without a password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def where(url: URL) -> str:
    """How a message names the database: the file, or the server and database name."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    port = f":{url.port}" if url.port else ""
    return f"{url.host or 'localhost'}{port}/{url.database or ''}"


# --------------------------------------------------------------------------- SQLite file


def is_encrypted_file(path: str | os.PathLike[str]) -> bool:
    """Whether `path` looks like an encrypted (SQLCipher) database: the app then asks
    for the passphrase before opening it.

    An SQLCipher file is indistinguishable from random bytes, so this is "a non-empty
    file without SQLite's clear-text header"; a wrong guess ends at the passphrase
    check, which names the file.
    """
    path = Path(path)
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return bool(header) and header != SQLITE_HEADER


def _checked_sqlite_file(url: URL, passphrase: str | None = None) -> Path:
    """The database file, refused early with a clear reason if it cannot be used."""
    path = Path(str(url.database)).expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise ConsultError(f"database folder {folder} does not exist")
    if path.is_dir():
        raise ConsultError(f"{path} is a folder, not a database file")
    if path.exists():
        _check_header(path, passphrase)
        if not os.access(path, os.R_OK | os.W_OK):
            raise ConsultError(f"database file {path} is read-only; Consult needs to write to it")
    if not os.access(folder, os.W_OK):
        raise ConsultError(
            f"database folder {folder} is read-only; Consult needs to write its journal there"
        )
    # A new database is owner-only whatever the umask; SQLite gives its WAL and SHM
    # files the database file's mode, so they are too.
    paths.create_private_file(path)
    return path


def _check_header(path: Path, passphrase: str | None) -> None:
    """Refuse a file that cannot be what the passphrase (or its absence) says it is."""
    if passphrase:
        # An encrypted file has no clear-text header; SQLCipher checks the key itself.
        if path.stat().st_size and encryption.is_plain_sqlite(path):
            raise ConsultError(
                f"{path} is not encrypted, but a database passphrase was given; "
                f"open it without one (unset {encryption.PASSPHRASE_ENV})"
            )
        return
    if is_encrypted_file(path):
        raise ConsultError(
            f"{path} is not a Consult database (it is not an SQLite file, "
            "or it is encrypted and no passphrase was given)"
        )


def _engine(url: URL, passphrase: str | None = None) -> Engine:
    if url.get_backend_name() == "sqlite":
        creator = encryption.creator_for(url, passphrase)
        engine = create_engine(url, creator=creator) if creator else create_engine(url)
        event.listen(engine, "connect", _sqlite_connection_settings)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _lock_timeout_as_busy)
        return engine
    engine = create_engine(
        url,
        connect_args={"connect_timeout": 10, "application_name": _application_name()},
    )
    event.listen(engine, "connect", _announce_presence)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_last_use)
    return engine


# A server connection used this recently is taken as alive; one idle longer is pinged
# before it is handed out (the server may have restarted, a firewall may have dropped
# it overnight). Pinging at every use, as pool_pre_ping does, cost every audited
# action one more round trip to the server.
PING_AFTER_IDLE_S = 30.0
_LAST_USE = "consult_last_use"


def _note_last_use(_dbapi_connection: Any, record: Any) -> None:
    record.info[_LAST_USE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A connection idle for PING_AFTER_IDLE_S is asked `SELECT 1` before use; a dead
    one is dropped and the pool connects afresh (DisconnectionError: its documented
    way to say so). A connection just made is not asked."""
    last_use = record.info.get(_LAST_USE)
    if last_use is None or time.monotonic() - last_use < PING_AFTER_IDLE_S:
        return
    try:
        _ping(dbapi_connection)
    except Exception as exc:  # whichever way the driver says the line is dead
        raise DisconnectionError(f"the connection to the server was lost ({exc})") from exc


def _ping(dbapi_connection: Any) -> None:
    """`SELECT 1` outside any transaction (psycopg opens one for a statement unless in
    autocommit, and the pool hands the connection out without one)."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = autocommit


def _application_name() -> str:
    """How this seat appears to the server (and in a refused restore's message)."""
    import socket

    return f"consult on {socket.gethostname() or 'unknown workstation'}"[:63]


class DatabaseBeingRestored(ConsultError):
    def __init__(self) -> None:
        super().__init__(
            "the clinic database is being restored from a backup; try again when it is done"
        )


def _announce_presence(dbapi_connection: Any, _record: Any) -> None:
    """Hold the schema's shared presence lock for as long as this connection lives.

    A restore takes the same lock exclusively, so it sees every connected Consult
    session and none can connect while it runs (consult.protection.exclusive).
    """
    from consult.protection.exclusive import presence_lock_sql

    with dbapi_connection.cursor() as cursor:
        cursor.execute(presence_lock_sql(exclusive=False))
        present = cursor.fetchone()[0]
        # psycopg prepares a statement run five times; PostgreSQL may then plan it once
        # for any values. How many patients a search finds depends on the very words
        # typed ("wu" or "ngstr"), so each run is planned for its own values, as the
        # same SQL typed by hand would be.
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        # Times come back in UTC, as datetime.UTC itself: the column type then has
        # nothing to convert (consult.storage.types), 400 values a patient search.
        cursor.execute("SET TimeZone = 'UTC'")
    dbapi_connection.commit()
    if not present:
        dbapi_connection.close()
        raise DatabaseBeingRestored()


def _sqlite_connection_settings(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy issues BEGIN itself (below), so the driver's own transaction
    # handling is switched off.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for a writing transaction, a plain (deferred) BEGIN for reading.

    A deferred transaction that reads and then writes fails outright (SQLITE_BUSY)
    when another workstation wrote in between; an immediate one takes the write lock
    first and waits its turn. See ClinicSession.
    """
    write = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _lock_timeout_as_busy(context: Any) -> None:
    """A lock wait that ran out is the user's to retry, not a bug: raise DatabaseBusy.

    SQLite reports it as "database is locked" (SQLITE_BUSY) once busy_timeout has
    passed, usually at BEGIN IMMEDIATE in ClinicSession.begin, rarely at a write or
    COMMIT. Hooked on the engine, so every path through a session or a connection
    (and both drivers: sqlite3 and sqlcipher3) is covered. Anything else propagates.
    """
    error = context.original_exception
    if isinstance(error, encryption.database_errors()) and _is_lock_timeout(error):
        raise DatabaseBusy() from None


def _is_lock_timeout(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == SQLITE_BUSY)
    return "database is locked" in str(error)


# --------------------------------------------------------------------------- migrations


# The newest migration in consult/storage/migrations/versions (a test keeps them in step).
# Knowing it here lets an up-to-date database open without importing Alembic at all.
HEAD_REVISION = "0010"


def alembic_config() -> Config:
    """Alembic's configuration built in code: works from a wheel, no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    return _schema_state(engine)[0]


def _schema_state(engine: Engine) -> tuple[str | None, set[str]]:
    """The database's revision (None if never migrated) and the tables it holds."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables:
            return None, tables
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar(), tables


MIGRATE_MESSAGE = "ask your administrator to run consult migrate"


def upgrade(
    engine: Engine,
    sqlite_file: Path | None = None,
    target: str = "head",
    *,
    passphrase: str | None = None,
    administrator: bool = False,
) -> None:
    """Bring the schema to `target`, refusing a database from a newer Consult.

    `passphrase` is the encrypted SQLite file's, for the backup made before migrating.
    On PostgreSQL an existing schema is changed only by the administrator
    (`consult migrate`, as the schema's owner; `administrator`): the workstations'
    role may not alter tables, and a workstation finding an older schema says whom
    to ask. A new, empty schema is set up by whoever may create tables in it.
    """
    current, tables = _schema_state(engine)
    wanted = HEAD_REVISION if target == "head" else target
    if current == wanted:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    if current is not None and _unknown(scripts, current):
        raise ConsultError(
            f"database was created by a newer Consult (revision {current}); upgrade the app"
        )
    if current is None and tables - {"alembic_version"}:
        raise ConsultError(f"{where(engine.url)} is not a Consult database (it holds other tables)")
    if engine.dialect.name == "postgresql" and not administrator:
        _require_postgres_set_up(engine, current, wanted)
    if sqlite_file is not None and current is not None:
        backup_sqlite(sqlite_file, wanted, passphrase)
    with engine.connect() as connection, _foreign_keys_deferred_to_the_end(connection):
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, target)


@contextmanager
def _foreign_keys_deferred_to_the_end(connection: Any) -> Iterator[None]:
    """SQLite: no foreign-key enforcement while migrations rebuild tables.

    Rebuilding a table drops the old one, which SQLite refuses while other tables
    refer to it and enforcement is on; the migrations that rebuild run
    `PRAGMA foreign_key_check` themselves. The pragma only works outside a
    transaction, hence the driver's own connection.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _require_postgres_set_up(engine: Engine, current: str | None, wanted: str) -> None:
    """A workstation neither migrates an existing schema nor sets up one it cannot."""
    if current is not None:
        raise ConsultError(
            f"the clinic database {where(engine.url)} has an older schema (revision "
            f"{current}, this Consult needs {wanted}): {MIGRATE_MESSAGE}"
        )
    with engine.connect() as connection:
        may_create = connection.execute(
            text("SELECT has_schema_privilege(current_schema(), 'CREATE')")
        ).scalar()
    if not may_create:
        raise ConsultError(
            f"the clinic database {where(engine.url)} is not set up yet: {MIGRATE_MESSAGE}"
        )


def _unknown(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is None
    except (RevisionError, CommandError):
        return True


def backup_sqlite(path: Path, revision: str, passphrase: str | None = None) -> Path:
    """Copy a live SQLite database consistently (SQLite's online backup API).

    Both sides are opened with the same passphrase, so the copy of an encrypted
    database is encrypted too (a plain copy would leave every patient readable).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-{revision}-{stamp}.bak")
    paths.create_private_file(target)  # a copy of every patient: owner-only
    with (
        closing(encryption.connect_sqlite(path, passphrase)) as source,
        closing(encryption.connect_sqlite(target, passphrase)) as copy,
    ):
        source.backup(copy)
    return target


# --------------------------------------------------------------------------- errors


@contextmanager
def _errors_as_consult_errors(url: URL) -> Iterator[None]:
    """Turn driver errors while opening into one line that names the database."""
    try:
        yield
    except (DBAPIError, NoSuchModuleError) as exc:
        raise ConsultError(_describe(url, exc)) from None


def _describe(url: URL, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if url.password:
        reason = reason.replace(str(url.password), "***")
    if url.get_backend_name() == "sqlite":
        if "not a database" in reason or "malformed" in reason:
            return f"{url.database} is not a Consult database ({reason})"
        if "readonly" in reason or "read-only" in reason:
            return f"database file {url.database} is read-only"
        return f"cannot open the database {url.database}: {reason}"
    return f"cannot connect to the database server {where(url)}: {reason}"
