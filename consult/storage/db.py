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
Consult, a read-only folder) becomes a one-line `ConsultError`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from consult import paths
from consult.errors import ConsultError

if TYPE_CHECKING:  # Alembic is imported only when a migration is due (start-up time).
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
# How long a writer waits for another workstation's transaction before giving up.
BUSY_TIMEOUT_MS = 15_000
# Execution option asking for a SQLite transaction that takes the write lock at BEGIN.
WRITE_LOCK = "consult_write_lock"


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
    def open(cls, url: str | None = None) -> Database:
        parsed = parse_url(url or paths.default_database_url())
        sqlite_file = (
            _checked_sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
        )
        engine = _engine(parsed)
        database = cls(engine)
        try:
            with _errors_as_consult_errors(parsed):
                upgrade(engine, sqlite_file)
                _seed(database)
        except BaseException:
            engine.dispose()
            raise
        return database

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _seed(database: Database) -> None:
    # Imported here: the price list module depends on this one.
    from consult.storage import prices

    prices.seed_if_empty(database)


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


def _checked_sqlite_file(url: URL) -> Path:
    """The database file, refused early with a clear reason if it cannot be used."""
    path = Path(str(url.database)).expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise ConsultError(f"database folder {folder} does not exist")
    if path.is_dir():
        raise ConsultError(f"{path} is a folder, not a database file")
    if path.exists():
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise ConsultError(f"{path} is not a Consult database (it is not an SQLite file)")
        if not os.access(path, os.R_OK | os.W_OK):
            raise ConsultError(f"database file {path} is read-only; Consult needs to write to it")
    if not os.access(folder, os.W_OK):
        raise ConsultError(
            f"database folder {folder} is read-only; Consult needs to write its journal there"
        )
    return path


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connection_settings)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


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


# --------------------------------------------------------------------------- migrations


# The newest migration in consult/storage/migrations/versions (a test keeps them in step).
# Knowing it here lets an up-to-date database open without importing Alembic at all.
HEAD_REVISION = "0002"


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


def upgrade(engine: Engine, sqlite_file: Path | None = None, target: str = "head") -> None:
    """Bring the schema to `target`, refusing a database from a newer Consult."""
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
    if sqlite_file is not None and current is not None:
        backup_sqlite(sqlite_file, wanted)
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, target)


def _unknown(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is None
    except (RevisionError, CommandError):
        return True


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy a live SQLite database consistently (SQLite's online backup API)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-{revision}-{stamp}.bak")
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
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
